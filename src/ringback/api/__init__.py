"""The REST API under /api/v1/: the routers of every app, token auth, one error shape."""
