"""Channel adapters: WeChat official account, signed webhooks, outbound delivery, and the glue
that announces stored messages to sockets and other channels."""
