"""The index's on-disk storage: the format, writing segments and generations, and reading them (IndexView).

The only package that imports Whoosh's internals (in codec.py and commit.py); view.py reads with numpy alone.
"""
