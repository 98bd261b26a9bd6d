"""Speed, scale and relevance benchmarks of the engine against SQLite FTS5 and naive Whoosh: `python -m bench`."""
