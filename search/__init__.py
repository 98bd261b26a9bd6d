"""Search a folder of news articles: the engine (articles in, ranked results out).

The engine knows nothing of Flask or HTML; the CLI (search.cli) and the web app (web/) are thin faces over it.
"""

__version__ = "0.1.0"
