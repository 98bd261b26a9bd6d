"""CLI commands beyond the core ones: `export` (every match, streamed), and the watchers of `index --watch` and
`serve --watch`. Registered on the group in cli.py."""
from __future__ import annotations

import sys
import time

import click

from search.cli_options import filter_options
from search.export import FORMATS, Export, lines
from search.searcher import Engine


@click.command("export", context_settings={"ignore_unknown_options": True, "help_option_names": ["--help"]})
@click.argument("words", nargs=-1, type=click.UNPROCESSED)
@filter_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True,
              help="JSON Lines (one object per article) or CSV (metadata as a JSON object).")
@click.option("--text", "with_text", is_flag=True, help="Include each article's full text.")
@click.option("--all-versions", is_flag=True,
              help="Every version of a story, not each story once (as its best-ranked version).")
@click.pass_obj
def export_command(config, words, sources, filters, since, until, sort, fmt, with_text, all_versions):
    """Write every article, or every match of WORDS with the filters, to stdout: no page limit.

    \b
    search export > all.jsonl
    search export idlib --source Reuters --since 2018-09 --format csv > idlib.csv
    search export 'section:sport' --text > sport.jsonl
    search export idlib --all-versions > every-copy.jsonl

    Each story is written once, as its best-ranked version, as `query` shows it; `story` and `versions` say
    which story a record stands for and how many other matching versions it has.
    """
    with Engine(config.index) as engine:
        export = Export(engine, " ".join(words), sources, since, until, sort, with_text, filters, all_versions)
        out = sys.stdout
        for line in lines(export, fmt):
            out.write(line)
        out.flush()
    sys.exit(0 if export.total else 1)


def _echo_sync(report) -> None:
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    stamp = time.strftime("%H:%M:%S")
    click.echo(f"[{stamp}] {report.summary()}")


def _echo_problem(message: str) -> None:
    click.echo(f"[{time.strftime('%H:%M:%S')}] not synced: {message} (retrying)", err=True)


def watch_index(config, full: bool, wait: float) -> None:
    """`search index --watch`: sync, then sync each batch of changes until Ctrl+C."""
    from search.watch import watch

    click.echo(f"Watching {config.articles} (Ctrl+C to stop)", err=True)

    def on_sync(report):
        if report.changed or report.full or report.warnings or on_sync.first:
            _echo_sync(report)
        on_sync.first = False
    on_sync.first = True
    try:
        watch(config.articles, config.index, on_sync=on_sync, on_problem=_echo_problem, wait=wait, full=full)
    except KeyboardInterrupt:
        pass
    click.echo("Stopped watching.", err=True)


def watch_in_background(config):
    """`search serve --watch`: the same watcher in a daemon thread of the server process; returns the event
    that stops it."""
    from search.watch import start_thread

    def on_sync(report):
        if report.changed or report.warnings:
            _echo_sync(report)
    _thread, stop = start_thread(config.articles, config.index, on_sync=on_sync, on_problem=_echo_problem)
    click.echo(f"Watching {config.articles} for changes", err=True)
    return stop
