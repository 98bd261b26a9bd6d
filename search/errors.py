"""The engine's own exceptions: every message is written for the person using the tool."""


class SearchError(Exception):
    """Base of every error the engine raises on purpose; str(error) is a message for the user."""

    #: HTTP status the web face uses for this error.
    status = 400


class QueryError(SearchError):
    """The query text or a search parameter cannot be used as it is."""


class IndexMissing(SearchError):
    """There is no index yet at the configured location."""

    status = 503


class IndexBusy(SearchError):
    """Another indexer holds the writer lock."""

    status = 503


class IndexUnwritable(SearchError):
    """The index folder cannot be written (read-only, disk full, permissions)."""

    status = 503


class ArticleNotFound(SearchError):
    """No article has this id."""

    status = 404
