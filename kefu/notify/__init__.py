"""Proactive notices: what kefu tells a customer first, on which channel, and when."""
