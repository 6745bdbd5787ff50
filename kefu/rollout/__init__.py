"""Gray release of the AI: which customers the bot serves, and switches that take it off a channel
or an intent during an incident. Pure rules here; the store keeps the settings and the audit."""
