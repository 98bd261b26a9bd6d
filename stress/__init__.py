"""Reliability harnesses: kill -9 the indexer, load the web app, fuzz the query language, find the costliest query.

Used by tests/test_reliability.py (quick variants, run in CI) and tests/test_stress.py (long variants,
`make stress`), and runnable by hand: `python -m stress --help`. Standard library only, 127.0.0.1 only.
"""
