"""Saved web pages (.html, .htm) -> Article: main text and metadata by trafilatura, never a network call.

Precedence, as for text files: the sidecar first, then what the page states (OpenGraph, JSON-LD, <meta>,
<title>, read by trafilatura and htmldate), then inference from the extracted text (search/metadata.py).
Site names and the page's host are mapped to the outlet names the source facet already uses.
"""
from __future__ import annotations

import configparser
import hashlib
import logging
import re
from pathlib import Path

from search import metadata
from search.articles import Article, ReadResult, SkippedFile, article_id, read_contained

#: File endings read as saved web pages.
SUFFIXES = (".html", ".htm")
#: A page is read up to this many bytes (markup is about ten times its text; the largest page of
#: ../shared/corpora/html-news is 1.5 MB); the rest is left out with a warning.
MAX_PAGE_BYTES = 4 * 1_048_576
#: Pages whose extracted main text has more elements than this are cut by trafilatura (bounded work).
MAX_TREE_SIZE = 20_000
#: Fewer words of main text than this is no article (a menu, a cookie notice, a login form).
MIN_WORDS = 5
#: Metadata the page states, kept as extra fields when present (beyond title, date and source).
EXTRA_KEYS = ("author", "url", "description", "categories", "tags")

# Hosts (without "www.") of outlets in metadata.OUTLETS, for pages whose site name is a bare host or absent.
OUTLET_HOSTS = {
    "reuters.com": "Reuters", "afp.com": "AFP", "apnews.com": "AP", "i24news.tv": "i24NEWS",
    "bbc.co.uk": "BBC", "bbc.com": "BBC", "aljazeera.com": "Al Jazeera", "theguardian.com": "The Guardian",
    "rt.com": "RT", "aa.com.tr": "Anadolu", "dailysabah.com": "Daily Sabah",
    "thenationalnews.com": "The National", "lemonde.fr": "Le Monde", "spiegel.de": "Der Spiegel",
    "nhk.or.jp": "NHK", "xinhuanet.com": "Xinhua", "news.cn": "Xinhua", "cnn.com": "CNN", "npr.org": "NPR",
    "bloomberg.com": "Bloomberg", "ft.com": "Financial Times", "timesofindia.indiatimes.com": "The Times of India",
    "upi.com": "UPI", "dpa.com": "dpa", "dw.com": "DW", "tass.com": "TASS", "sputniknews.com": "Sputnik",
    "france24.com": "France 24", "alarabiya.net": "Al Arabiya", "al-monitor.com": "Al-Monitor",
    "trtworld.com": "TRT World", "hurriyetdailynews.com": "Hurriyet Daily News",
    "middleeasteye.net": "Middle East Eye", "timesofisrael.com": "The Times of Israel",
    "jpost.com": "The Jerusalem Post", "haaretz.com": "Haaretz", "nytimes.com": "The New York Times",
    "washingtonpost.com": "The Washington Post", "wsj.com": "The Wall Street Journal", "sana.sy": "SANA",
    "rudaw.net": "Rudaw", "kurdistan24.net": "Kurdistan 24", "arabnews.com": "Arab News",
    "aawsat.com": "Asharq Al-Awsat", "euronews.com": "Euronews",
}

_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\d?\.)?([^/:?#\s]+)", re.I)
_LOGGERS_QUIET = False


# "Copyright 2014", "(c) Foo": a footer line, not a site's name
_NOT_A_NAME = re.compile(r"\s*(?:©|\(c\)|copyright\b|all rights reserved)", re.I)


def _from_handle(sitename: str) -> bool:
    """True for a social-media handle made into a name ("Wday_", "Realestate_Au" from @wday_, @realestate_au):
    trafilatura's last resort, not the name the site gives itself."""
    return "_" in sitename and " " not in sitename.strip()


class NoArticleText(ValueError):
    """A page from which no main text could be extracted."""


def _config() -> configparser.ConfigParser:
    from trafilatura.settings import DEFAULT_CONFIG
    config = configparser.ConfigParser()
    config.read_dict({s: dict(DEFAULT_CONFIG[s]) for s in DEFAULT_CONFIG.sections()})
    config["DEFAULT"].update(DEFAULT_CONFIG["DEFAULT"])
    config["DEFAULT"]["MAX_TREE_SIZE"] = str(MAX_TREE_SIZE)
    config["DEFAULT"]["EXTRACTION_TIMEOUT"] = "0"  # its signal-based timeout only works in a main thread
    return config


_CONFIG: configparser.ConfigParser | None = None


def _quiet() -> None:
    # trafilatura and htmldate log every odd page at WARNING/ERROR: the indexer reports skips itself
    global _LOGGERS_QUIET
    if not _LOGGERS_QUIET:
        for name in ("trafilatura", "htmldate", "courlan", "charset_normalizer"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        _LOGGERS_QUIET = True


def extract(data: bytes) -> dict:
    """The main text and stated metadata of a page's bytes (no network): a dict with `text`, `title`, `date`,
    `sitename`, `hostname` and the EXTRA_KEYS present; raise NoArticleText when there is no main text."""
    global _CONFIG
    import trafilatura

    _quiet()
    if _CONFIG is None:
        _CONFIG = _config()
    try:
        doc = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False, include_tables=True,
                                          include_images=False, include_links=False, favor_recall=True,
                                          config=_CONFIG)
    except (Exception, RecursionError) as exc:  # noqa: BLE001
        # a third-party parser fed hostile markup may raise anything: one bad page is a skip, never a failed sync
        raise NoArticleText(f"its markup could not be read ({type(exc).__name__})") from None
    if doc is None or len((doc.text or "").split(None, MIN_WORDS)) < MIN_WORDS:
        raise NoArticleText("no article text was found in it")
    out = {"text": doc.text, "title": doc.title, "date": doc.date, "sitename": doc.sitename,
           "hostname": doc.hostname}
    for key in EXTRA_KEYS:
        value = getattr(doc, key, None)
        if isinstance(value, list):
            value = ", ".join(v for v in value if v)
        if value:
            out[key] = " ".join(str(value).split())[:500]
    return out


def host_of(url: str | None) -> str | None:
    """'https://www.reuters.com/article/x' -> 'reuters.com' (lowercased, without a leading www)."""
    if not url:
        return None
    m = _HOST.match(url.strip())
    return m.group(1).lower().rstrip(".") if m else None


def outlet(sitename: str | None, url: str | None, hostname: str | None = None) -> str | None:
    """The source a page states, as the facets name it: a known outlet by its site name or host, else the
    site name as the page writes it (a bare host only when it is a known outlet's)."""
    for host in (host_of(sitename) if sitename and "." in sitename and " " not in sitename.strip() else None,
                 host_of(url), host_of(hostname)):
        while host and "." in host:
            if host in OUTLET_HOSTS:
                return OUTLET_HOSTS[host]
            host = host.split(".", 1)[1]  # edition.cnn.com -> cnn.com
    if not sitename or not sitename.strip():
        return None
    sitename = sitename.split(" | ", 1)[0]  # "Autoracing | F1 | Indy": the name, not the site's sections
    if _NOT_A_NAME.match(sitename) or _from_handle(sitename):
        return None
    known = metadata.canonical_source(sitename)
    if "." in known and " " not in known:  # a host that is no known outlet's: say nothing rather than a host
        return None
    return known[:100]


def read_file(root: Path, relpath: str, sidecar_entry: dict[str, str] | None = None,
              article_id_: str | None = None) -> ReadResult:
    """Read one saved page under root (up to MAX_PAGE_BYTES, never outside root); raise SkippedFile naming it
    when it can't be indexed. `article_id_` is the id the indexer gave the path (by default its own)."""
    data, warnings = read_contained(root, relpath, limit=MAX_PAGE_BYTES)
    digest = hashlib.sha1(data).hexdigest()
    if not data.strip():
        raise SkippedFile(f"{relpath}: skipped, it is empty")
    article, more = read_page(data, relpath, sidecar_entry)
    if article_id_:
        article.id = article_id_
    return ReadResult(article, digest, warnings + more)


def read_page(data: bytes, relpath: str, sidecar_entry: dict[str, str] | None = None) -> tuple[Article, list[str]]:
    """Bytes of a saved page -> (Article, warnings) with precedence sidecar > page > inference; raise
    SkippedFile (naming the file) when the page holds no article text."""
    warnings: list[str] = []
    try:
        page = extract(data)
    except NoArticleText as why:
        raise SkippedFile(f"{relpath}: skipped, {why}") from None
    side = sidecar_entry or {}
    body = _clean_text(page["text"])
    if not body.strip():
        raise SkippedFile(f"{relpath}: skipped, no article text was found in it")

    title = side.get("title") or _clean_title(page.get("title"), page.get("sitename")) or \
        metadata.infer_title(body) or _title_from_name(relpath)
    date = None
    if side.get("date"):
        date = metadata.normalize_date(side["date"])
        if date is None:
            warnings.append(f"{relpath}: date {side['date']!r} in metadata.csv is not a date; ignored")
    date = date or (metadata.normalize_date(page["date"]) if page.get("date") else None) or metadata.infer_date(body)
    source = (metadata.canonical_source(side["source"]) if side.get("source") else None) or \
        outlet(page.get("sitename"), page.get("url"), page.get("hostname")) or metadata.infer_source(body)
    extra = {k: page[k] for k in EXTRA_KEYS if page.get(k)}
    extra.update({k: v for k, v in side.items() if k not in ("title", "date", "source", "path")})
    article = Article(article_id(relpath), relpath, " ".join(title.split())[:500], date, source, body, extra)
    return article, warnings


def _clean_text(text: str) -> str:
    import unicodedata
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", text.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", text).strip("\n")


_TITLE_TAIL = re.compile(r"\s+[|\u2013\u2014:-]\s+([^|\u2013\u2014]{1,80})$")


def _letters(text: str) -> str:
    return re.sub(r"\W+", "", text.lower())


def _clean_title(title: str | None, sitename: str | None = None) -> str | None:
    if not title or not title.strip():
        return None
    title = " ".join(title.split())
    # "Headline | Inexhibit" on a page whose site name is "Inexhibit magazine": the site's name is no headline
    tail = _TITLE_TAIL.search(title)
    if tail and sitename and _letters(tail.group(1)):
        a, b = _letters(tail.group(1)), _letters(sitename)
        if a in b or b in a:
            title = title[:tail.start()]
    # "Headline | Reuters", "Quantcast i24NEWS - Headline": the same site-name cuts as a text file's first line
    return metadata.infer_title(title) or title


def _title_from_name(relpath: str) -> str:
    stem = Path(relpath).name.rsplit(".", 1)[0]
    return re.sub(r"[_-]+", " ", stem).strip() or relpath
