"""Ports to the shop's systems and the embedded demo implementation."""
