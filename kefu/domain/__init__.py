"""Pure domain values of kefu: no I/O, no framework, imports nothing else of kefu."""
