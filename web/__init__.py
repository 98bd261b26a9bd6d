"""The Flask face of the engine: `create_app()` builds it."""
from web.app import create_app

__all__ = ["create_app"]
