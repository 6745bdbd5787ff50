"""ASGI entry point for uvicorn and other servers: ``kefu.api.asgi:app``."""

from kefu.api.app import create_app

app = create_app()
