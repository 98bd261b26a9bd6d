"""Options shared by the commands that search (query, like, export): one definition each, as sqlite-utils does."""
from __future__ import annotations

import click

from search.request import SORTS


def filter_options(func):
    """--source, --filter, --since, --until and --sort: the filters and order of a search."""
    options = [
        click.option("--source", "sources", multiple=True, help="Only this source (repeat for several: any of them)."),
        click.option("--filter", "filters", multiple=True, metavar="FIELD=VALUE", callback=_parse_filters,
                     help="Only this value of a metadata field, e.g. section=sport (repeat: any of a field's values)."),
        click.option("--since", metavar="YYYY-MM-DD", help="Only articles dated on or after (YYYY or YYYY-MM work too)."),
        click.option("--until", metavar="YYYY-MM-DD", help="Only articles dated on or before."),
        click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _parse_filters(ctx, param, pairs) -> dict[str, list[str]]:
    """--filter FIELD=VALUE options -> {field: [values]} (the engine checks the fields)."""
    out: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise click.UsageError(f"--filter {pair!r}: write FIELD=VALUE, e.g. --filter section=sport.")
        out.setdefault(name.strip(), []).append(value.strip())
    return out
