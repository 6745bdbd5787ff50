"""HTTP edge: the FastAPI app factory, routers, auth and error handlers."""
