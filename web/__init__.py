"""The Flask face of the engine. `create_app()` is imported lazily so that `web.payload` stays light for the CLI."""


def __getattr__(name):
    if name == "create_app":
        from web.app import create_app
        return create_app
    raise AttributeError(name)
