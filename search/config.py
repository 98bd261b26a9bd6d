"""Where the articles and the index live: flags > environment (SEARCH_ARTICLES, SEARCH_INDEX) > defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ARTICLES = "seeds"
DEFAULT_INDEX = "index"


@dataclass(frozen=True)
class Config:
    """The two folders the engine works with."""

    articles: Path
    index: Path


def resolve(articles: str | os.PathLike | None = None, index: str | os.PathLike | None = None,
            environ: dict | None = None) -> Config:
    """Pick each folder from the flag, else the environment, else the default (relative to the working directory)."""
    env = os.environ if environ is None else environ
    chosen_articles = articles or env.get("SEARCH_ARTICLES") or DEFAULT_ARTICLES
    chosen_index = index or env.get("SEARCH_INDEX") or DEFAULT_INDEX
    return Config(articles=Path(chosen_articles).expanduser().absolute(),
                  index=Path(chosen_index).expanduser().absolute())
