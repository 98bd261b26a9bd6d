"""CLI commands beyond the core ones: `export` (every match, streamed). Registered on the group in cli.py."""
from __future__ import annotations

import sys

import click

from search.export import FORMATS, Export, lines
from search.searcher import SORTS, Engine


@click.command("export", context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, type=click.UNPROCESSED)
@click.option("--source", "sources", multiple=True, help="Only this source (repeat for several: any of them).")
@click.option("--since", metavar="YYYY-MM-DD", help="Only articles dated on or after.")
@click.option("--until", metavar="YYYY-MM-DD", help="Only articles dated on or before.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True,
              help="JSON Lines (one object per article) or CSV (metadata as a JSON object).")
@click.option("--text", "with_text", is_flag=True, help="Include each article's full text.")
@click.pass_obj
def export_command(config, words, sources, since, until, sort, fmt, with_text):
    """Write every article, or every match of WORDS with the filters, to stdout: no page limit.

    \b
    search export > all.jsonl
    search export idlib --source Reuters --since 2018-09 --format csv > idlib.csv
    search export 'section:sport' --text > sport.jsonl
    """
    with Engine(config.index) as engine:
        export = Export(engine, " ".join(words), sources, since, until, sort, with_text)
        out = sys.stdout
        for line in lines(export, fmt):
            out.write(line)
        out.flush()
    sys.exit(0 if export.total else 1)
