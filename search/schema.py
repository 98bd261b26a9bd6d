"""The Whoosh schema: one document per article file."""
from __future__ import annotations

from whoosh import columns, fields

from search.analyzer import ANALYZER

#: Bump when the schema, the storage format or what the indexer puts in it changes: `search index` then rebuilds in
#: full by itself.
SCHEMA_VERSION = 5


def make_schema() -> fields.Schema:
    """The fields of an article document; see README "The index" for what each is for."""
    return fields.Schema(
        # identity: a stable URL-safe id derived from the relative path, and the path itself
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True, sortable=True),
        # text: BM25F over title and body; body positions serve phrases and proximity
        title=fields.TEXT(analyzer=ANALYZER, stored=True, phrase=True),
        body=fields.TEXT(analyzer=ANALYZER, stored=True, phrase=True),
        # facets: the canonical source (searchable lowercased, displayed from the column) and the date
        source=fields.KEYWORD(lowercase=True, commas=True, scorable=False),
        source_name=fields.COLUMN(columns.VarBytesColumn()),
        day=fields.NUMERIC(int, bits=32, signed=False, sortable=True),  # YYYYMMDD; absent when unknown
        date=fields.STORED(),  # as precise as the article states: "2018-09-17", "2018-09" or "2018"
        extra=fields.STORED(),  # other front matter / sidecar keys (url, author, ...)
        # incremental sync: "size:mtime_ns:sha1:sidecar-digest" of the file this document came from
        sig=fields.COLUMN(columns.VarBytesColumn()),
    )
