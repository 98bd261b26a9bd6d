"""The click face of the engine: index, query, show, versions, stats, serve. Thin: the work lives in search/."""
from __future__ import annotations

import csv
import datetime as dt
import functools
import importlib
import json
import os
import re
import shutil
import sys
import textwrap

import click

from search.articles import extra_label
from search.cli_options import filter_options
from search.config import resolve
from search.errors import SearchError
from search.limits import MAX_PER_PAGE

EXIT_NO_RESULTS = 1
EXIT_USAGE = 2


def _engine(index):
    """The query side, imported when a command searches: `search index` never loads it."""
    from search.searcher import Engine
    return Engine(index)


def _plain_snippet(snippet) -> str:
    from search import snippets
    return snippets.plain(snippet)


#: Commands imported only when one is run (or listed): the command line never imports web/ to index or search,
#: nor the query side (export) to index.
LAZY_COMMANDS = {"serve": ("web.cli", "serve_command"), "export": ("search.cli_extras", "export_command")}


class SearchGroup(click.Group):
    """Turns the engine's own errors into one-line messages with exit code 2, never a traceback."""

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx, name):
        if name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[name]
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SearchError as exc:
            raise UserError(str(exc)) from None


class UserError(click.ClickException):
    exit_code = EXIT_USAGE

    def __init__(self, message: str):
        super().__init__(safe(message))


# What an article, a sidecar or a file name could carry to a terminal: C0 controls but tab and line feed,
# DEL, C1 controls (0x9b is a one-byte CSI, 0x9d a one-byte OSC) and the bidirectional overrides.
_UNSAFE = "".join(chr(c) for c in [*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0),
                                   *range(0x202a, 0x202f), *range(0x2066, 0x206a)])
_UNSAFE_TABLE = str.maketrans({c: None for c in _UNSAFE})
_UNSAFE_RE = re.compile("[%s]" % re.escape(_UNSAFE))


def safe(text) -> str:
    """Text fit for a terminal: every control character dropped (whatever an article carries, nothing runs)."""
    return str(text).translate(_UNSAFE_TABLE)


def safe_json(data) -> str:
    """JSON with every character that could drive a terminal written as a \\u escape (the data is unchanged)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return _UNSAFE_RE.sub(lambda m: "\\u%04x" % ord(m.group()), text)


def _use_colour() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@click.group(cls=SearchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--articles", type=click.Path(file_okay=False), default=None,
              help="Folder of article files (.txt, .md). Default: $SEARCH_ARTICLES, else ./seeds.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False), default=None,
              help="Folder of the index. Default: $SEARCH_INDEX, else ./index.")
@click.version_option(package_name="article-search")
@click.pass_context
def cli(ctx, articles, index_dir):
    """Search a folder of news articles: ranked results, highlighted passages, source and date facets.

    \b
    First build the index, then search it:
      search index
      search query idlib putin
      search query '"fate of syria"' --source AFP --json
      search query erdogan -putin --sort newest
    Exit codes: 0 results found, 1 no results, 2 usage error or bad query.
    """
    ctx.obj = resolve(articles, index_dir)


@cli.command("index")
@click.option("--full", is_flag=True, help="Rebuild from scratch (the old index keeps answering until done).")
@click.option("--wait", type=click.FloatRange(0, 3600), default=10.0, show_default=True,
              help="Seconds to wait for another indexer before giving up with 'index is busy'.")
@click.option("--jobs", type=click.IntRange(1, 256), default=None,
              help="Worker processes for a full rebuild. Default: the machine's core count.")
@click.option("--watch", is_flag=True, help="Keep running: sync again whenever files are added, changed, "
              "moved or removed (Ctrl+C to stop).")
@click.pass_obj
def index_command(config, full, wait, jobs, watch):
    """Sync the index with the articles folder: add new files, update changed ones, remove deleted ones."""
    if watch:
        from search import cli_extras
        return cli_extras.watch_index(config, full, wait)
    from search.indexer import sync  # here, so that `search query` does not load the writing side
    bar = None

    def progress(done, total):
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="Indexing", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    show_bar = sys.stderr.isatty()
    try:
        report = sync(config.articles, config.index, full=full, progress=progress if show_bar else None, wait=wait,
                      jobs=jobs)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for warning in report.warnings:
        click.echo(f"warning: {safe(warning)}", err=True)
    click.echo(report.summary())


def output_options(func):
    """--json and --csv, as in sqlite-utils: one decorator for every command that prints records."""
    @click.option("--json", "as_json", is_flag=True, help="Print JSON (the object of GET /api/search).")
    @click.option("--csv", "as_csv", is_flag=True, help="Print CSV, one row per hit.")
    @functools.wraps(func)
    def wrapper(*args, as_json, as_csv, **kwargs):
        if as_json and as_csv:
            raise UserError("Choose one of --json and --csv.")
        return func(*args, as_json=as_json, as_csv=as_csv, **kwargs)
    return wrapper


# Only --help here: "-h" inside a word such as "-thatcher" would otherwise be read as the help flag.
@cli.command("query", context_settings={"ignore_unknown_options": True, "help_option_names": ["--help"]})
@click.argument("words", nargs=-1, type=click.UNPROCESSED)
@filter_options
@click.option("--page", type=int, default=1, show_default=True, help="Page of results (from 1).")
@click.option("--per-page", type=int, default=10, show_default=True, help=f"Hits per page (at most {MAX_PER_PAGE}).")
@click.option("--all-versions", is_flag=True, help="Show every version of a story, not each story once.")
@click.option("--explain", is_flag=True,
              help="Print the parsed query and the plan (words, stems, fields, reading, filters, limits), not hits.")
@output_options
@click.pass_obj
def query_command(config, words, sources, filters, since, until, sort, page, per_page, all_versions, explain, as_json,
                  as_csv):
    """Search for WORDS (see README: "exact phrase", OR, -word, title:, source:, date:, section:, idl*, erdgan~).

    Without WORDS, every article is listed, newest first (as the web app's results page does)."""
    # checked here so that the message names the options as typed (the engine says page and per_page)
    if page < 1:
        raise UserError("--page must be 1 or more.")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise UserError(f"--per-page must be between 1 and {MAX_PER_PAGE}.")
    if explain:
        _print_explanation(config, " ".join(words), sources, since, until, sort, page, per_page, filters, as_json)
        return
    with _engine(config.index) as engine:
        results = engine.search(" ".join(words), sources=sources, since=since, until=until, sort=sort,
                                page=page, per_page=per_page, filters=filters, all_versions=all_versions)
    _output(results, as_json, as_csv)


def _output(results, as_json: bool, as_csv: bool) -> None:
    """Print a page of results as text, JSON or CSV, and exit 0 when the search found something, else 1."""
    if as_json:
        from search.render import results_payload  # the one place that makes snippet_html
        click.echo(safe_json(results_payload(results)))
    elif as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["rank", "id", "title", "source", "date", "score", "path", "snippet"])
        # the articles with some of the words (results.more) follow the exact matches, ranked on from them
        for rank, hit in enumerate(results.hits + results.more, (results.page - 1) * results.per_page + 1):
            writer.writerow([safe(cell) for cell in (rank, hit.id, hit.title, hit.source or "", hit.date or "",
                                                     hit.score, hit.path, _plain_snippet(hit.snippet))])
    else:
        _print_results(results)
    sys.exit(0 if results.total or results.more else EXIT_NO_RESULTS)


def _print_explanation(config, text, sources, since, until, sort, page, per_page, filters, as_json,
                       like: bool = False) -> None:
    from search.explain import explain, explain_text
    with _engine(config.index) as engine:
        data = explain(engine, text, sources=sources, since=since, until=until, sort=sort, page=page,
                       per_page=per_page, filters=filters, like=like)
    if as_json:
        click.echo(safe_json(data))
    else:
        for line in explain_text(data):
            click.echo(safe(line))


def _wrapped(passage, colour: bool, width: int, indent: str = "   ") -> list[str]:
    """A passage as lines of at most `width` visible characters, matches coloured or [bracketed].

    Lines are cut on the plain text and the marks applied afterwards, so colour codes never count as width
    and a word is never split between two lines."""
    chars, marked = [], []  # whitespace collapsed to single spaces, and which characters are a match
    for text, is_match in passage:
        if is_match and not colour:
            text = f"[{text}]"
        for ch in text:
            if ch.isspace():
                if chars and chars[-1] != " ":
                    chars.append(" ")
                    marked.append(False)
                continue
            chars.append(ch)
            marked.append(is_match and colour)
    plain = "".join(chars)
    lines, pos = [], 0
    for line in textwrap.wrap(plain, max(20, width - len(indent)), break_long_words=False, break_on_hyphens=False):
        pos = plain.find(line, pos)  # textwrap only drops the single spaces it breaks at
        lines.append(indent + _mark_runs(line, marked[pos:pos + len(line)]))
        pos += len(line)
    return lines


def _mark_runs(line: str, marked: list[bool]) -> str:
    out, i = [], 0
    while i < len(line):
        j = i
        while j < len(line) and marked[j] == marked[i]:
            j += 1
        out.append(click.style(line[i:j], fg="yellow", bold=True) if marked[i] else line[i:j])
        i = j
    return "".join(out)


def _print_results(results) -> None:
    colour = _use_colour()
    width = min(shutil.get_terminal_size((100, 24)).columns, 120)
    if results.notice:
        click.echo(safe(results.notice))
    first = (results.page - 1) * results.per_page + 1
    _print_hits(results.hits, first, colour, width)
    shown = f"{first}-{first + len(results.hits) - 1} of " if results.hits else ""
    counted = f"{results.total:,} result{'s' if results.total != 1 else ''}"
    if not results.all_versions and results.stories != results.articles:
        counted = (f"{results.articles:,} articles in {results.stories:,} "
                   f"stor{'ies' if results.stories != 1 else 'y'} (--all-versions shows every version)")
    click.echo(f"{shown}{counted} ({_duration(results.took_ms)})")
    if results.more:
        click.echo(f"\n--- {_more_line(results.more_total)} ---\n")
        _print_hits(results.more, first + len(results.hits), colour, width)
    for name, values in results.facets.items():
        if values:
            label = f"date (by {results.date_unit})" if name == "date" else name
            click.echo(f"{label}: " + ", ".join(f"{safe(v.value)} ({v.count})" for v in values))
    if results.suggestion:
        click.echo(f"Did you mean: {safe(results.suggestion)}")


def _more_line(count: int) -> str:
    return f"{count:,} more article{'s have' if count != 1 else ' has'} some of the words"


def _print_hits(hits, first: int, colour: bool, width: int) -> None:
    for rank, hit in enumerate(hits, first):
        # each span styled on its own: a match's reset code would otherwise end the bold of the rest of the title
        title = "".join(click.style(safe(text), fg="yellow" if is_match else None, bold=True)
                        for text, is_match in hit.title_spans) if colour else safe(hit.title)
        click.echo(f"{rank}. {title}")
        meta = safe(" · ".join([hit.source or "unknown source", hit.date or "undated", hit.id]))
        if hit.version_count:
            meta += f" · also {hit.version_count:,} other version{'s' if hit.version_count != 1 else ''}"
        click.echo("   " + (click.style(meta, dim=True) if colour else meta))
        for passage in hit.snippet:
            for line in _wrapped([(safe(text), is_match) for text, is_match in passage], colour, width):
                click.echo(line)
        click.echo()


@cli.command("like")
@click.argument("file", type=click.File("rb"))
@filter_options
@click.option("--page", type=int, default=1, show_default=True, help="Page of results (from 1).")
@click.option("--per-page", type=int, default=10, show_default=True, help=f"Hits per page (at most {MAX_PER_PAGE}).")
@click.option("--explain", is_flag=True, help="Print the words the text is searched by and the plan, not hits.")
@output_options
@click.pass_obj
def like_command(config, file, sources, filters, since, until, sort, page, per_page, explain, as_json, as_csv):
    """Find articles like the text of FILE (- for standard input): its most telling words, ranked by BM25F.

    The text is read up to 100,000 characters (UTF-8; other bytes replaced). See README: "Find articles like
    this text"."""
    from search.like import MAX_TEXT_CHARS
    # at most 4 bytes a character: never more than the cap is read, whatever the file's size
    text = file.read(4 * MAX_TEXT_CHARS + 4).decode("utf-8", errors="replace")
    if not text.strip():
        raise UserError("The text is empty: give a file with some text, or - and type or pipe it in.")
    if explain:
        _print_explanation(config, text, sources, since, until, sort, page, per_page, filters, as_json, like=True)
        return
    with _engine(config.index) as engine:
        results = engine.search(text, sources=sources, since=since, until=until, sort=sort, page=page,
                                per_page=per_page, filters=filters, like=True)
    _output(results, as_json, as_csv)


def _duration(ms: float) -> str:
    """4.1 ms, 12 ms, 1.25 s: never a "0.00 s" that reads as nothing."""
    if ms < 10:
        return f"{ms:.1f} ms"
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.2f} s"


@cli.command("show")
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON (as GET /api/articles/ID).")
@click.pass_obj
def show_command(config, article_id, as_json):
    """Print one article: metadata, the full text, and related articles."""
    with _engine(config.index) as engine:
        article = engine.get(article_id)
        related = engine.related(article_id)
        versions = engine.versions(article_id)
    if as_json:
        from search.render import article_payload
        click.echo(safe_json(article_payload(article, related, versions)))
        return
    width = min(shutil.get_terminal_size((100, 24)).columns, 100)
    click.echo(click.style(safe(article.title), bold=True) if _use_colour() else safe(article.title))
    click.echo(safe(" · ".join([article.source or "unknown source", article.date or "undated", article.path])))
    for key, value in sorted(article.extra.items()):
        click.echo(safe(f"{extra_label(key)}: {value}"))
    click.echo()
    for paragraph in article.body.split("\n"):
        if paragraph.strip():
            click.echo(click.wrap_text(safe(paragraph.strip()), width, preserve_paragraphs=False))
            click.echo()
    if versions:
        _print_versions(versions)
    if related:
        click.echo("Related:")
        for hit in related:
            click.echo(safe(f"  {hit.id}  {hit.title} ({hit.source or 'unknown source'}, {hit.date or 'undated'})"))


def _print_versions(versions) -> None:
    click.echo("Other versions of this story:")
    for v in versions:
        click.echo(safe(f"  {v.id}  {v.title} ({v.source or 'unknown source'}, {v.date or 'undated'})"))


@cli.command("versions")
@click.argument("article_id")
@click.option("--diff", "other_id", metavar="OTHER_ID",
              help="Print what the article OTHER_ID adds (+), drops (-) or changes (~) against ARTICLE_ID.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (as GET /api/articles/ID or .../compare/OTHER_ID).")
@click.pass_obj
def versions_command(config, article_id, other_id, as_json):
    """List the other versions of an article's story, or compare two versions word by word."""
    from search.render import comparison_payload, version_payload
    with _engine(config.index) as engine:
        if other_id:
            from search.diff import compare_articles
            base, other, comparison = compare_articles(engine, article_id, other_id)
        else:
            versions = engine.versions(article_id)
    if not other_id:
        if as_json:
            click.echo(safe_json([version_payload(v) for v in versions]))
        elif versions:
            _print_versions(versions)
        else:
            click.echo("No other version of this article is indexed.")
        return
    if as_json:
        click.echo(safe_json(comparison_payload(base, other, comparison)))
        return
    click.echo(safe(f"--- {base.id}  {base.title} ({base.source or 'unknown source'}, {base.date or 'undated'})"))
    click.echo(safe(f"+++ {other.id}  {other.title} ({other.source or 'unknown source'}, {other.date or 'undated'})"))
    from search.diff import coloured, plain
    for para in comparison.paragraphs:  # nothing an article carries may drive the terminal
        para.spans = [(safe(text), kind) for text, kind in para.spans]
    click.echo(coloured(comparison, click.style) if _use_colour() else plain(comparison))
    click.echo(f"{comparison.added_words:,} words added, {comparison.dropped_words:,} words dropped"
               + (" (only the beginning of a long article compared)" if comparison.truncated else ""))


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def stats_command(config, as_json):
    """What the index holds: articles, sources, date range, size on disk, last sync."""
    with _engine(config.index) as engine:
        stats = engine.stats()
    synced = dt.datetime.fromtimestamp(stats.synced_at, dt.timezone.utc).isoformat(timespec="seconds")
    data = {"articles": stats.articles,
            "sources": [{"value": v.value, "count": v.count} for v in stats.sources],
            "first_date": stats.first_date, "last_date": stats.last_date,
            "index_bytes": stats.index_bytes, "last_sync": synced,
            "index": stats.index_path, "articles_folder": stats.articles_folder}
    if as_json:
        click.echo(safe_json(data))
        return
    click.echo(safe(f"{stats.articles:,} articles in {stats.index_path} ({stats.index_bytes / 1e6:.1f} MB)"))
    click.echo(safe("sources: " + (", ".join(f"{v.value} ({v.count})" for v in stats.sources) or "none")))
    span = f"{stats.first_date} to {stats.last_date}" if stats.first_date else "no dated articles"
    click.echo(f"dates: {span}")
    click.echo(safe(f"last sync: {synced} from {stats.articles_folder}"))


def main():
    """Console-script entry point."""
    cli(prog_name="search")
