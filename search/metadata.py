"""Infer an article's title, date and source from its bare text, and normalize dates and source names.

Pure functions, standard library only; they run on every file at index time, so every regular expression is
compiled once here and only the top (HEAD_CHARS) and bottom (TAIL_CHARS) of a text are ever looked at.

The rules are small, named and table-driven, and each one refuses rather than guesses: an unknown value stays
None.  Used for files without front matter or a sidecar entry (see README, "Articles and metadata").

Title  (infer_title)
  The first non-empty line that reads as a headline.  Skipped on the way: section labels (SECTION_LABELS, a
  table, not a shape rule: "Bahia Cocoa Review" is a real title), site chrome (SITE_CHROME lines and lines made
  only of CHROME_WORDS, such as "Adjust Comment Print"), breadcrumbs made of section labels, lines that are only
  a date, `---` rules, markdown images, and a line that is only a site name.  Markdown heading and emphasis
  marks are removed, site-name prefixes ("Quantcast i24NEWS - ") and suffixes (" | Reuters", " - BBC News")
  are cut off, whitespace is collapsed.  A first line longer than TITLE_MAX characters is a paragraph, not a
  headline: its first sentence is used, cut at a word boundary to at most SENTENCE_MAX characters.

Date  (infer_date)
  An explicit date LINE among the first DATE_LINES non-empty lines: the whole line must be a date, optionally
  with a prefix ("Published:", "Updated", "Posted on", ...), a weekday ("Monday, 17 September 2018") and a
  time ("10:32 BST").  A date inside a sentence or a photo caption is not a date line.  A news dateline that
  carries a year ("WASHINGTON, Sept. 17, 2018 (AP) -") counts too; one without a year ("SALVADOR, Feb 26 -")
  gives nothing, since the year would be invented.  Numeric dates are read DAY FIRST ("17/09/2018" is
  17 September; "05/09/2018" is 5 September); only when the day-first reading is impossible and the
  month-first one is valid ("09/17/2018") is the month read first.  Impossible dates ("31/02/2018") are
  rejected.  A line naming only a month ("September 2018") gives "2018-09"; a bare year gives "2018" only
  after a prefix such as "Published:".

Source  (infer_source)
  Outlet signatures only, never mentions ("told AFP", "Reuters reported" are not signatures).  In order, the
  first rule that fires wins:
    1. site name   - a known site name as prefix or suffix of the first line ("Quantcast i24NEWS - ...",
                     "... | Reuters", "... - BBC News");
    2. dateline    - "ISTANBUL/ANKARA (Reuters) -", "BEIRUT (AFP) -", "WASHINGTON (AP) -" at the start of a
                     line near the top;
    3. byline      - "By Jane Doe, Reuters", "By AFP", or a "Source: AFP" line near the top;
    4. sign-off    - the wire sign-off "REUTER"/"Reuters" as the last line (Reuters-21578), or a copyright or
                     "Source:" line naming the outlet ("(c) 2018 AFP", "Copyright 2018 The Associated Press")
                     among the last lines;
    5. credit line - an agency text/photo credit: "... / AFP / Delil SOULEIMAN", "AFP PHOTO / NAME",
                     "(Photo by NAME / AFP)".  Pool photos distributed by an agency ("Pool Photo via AP",
                     "Pool via REUTERS") are not credits for the text.
  Short acronyms must be written in capitals to count ("(AP)", not "(ap)").

Caption  (is_photo_credit)
  A line that ends with a photo credit ("... / AFP / Delil SOULEIMAN", "Pool via REUTERS") is a caption: the
  snippets do not choose it as a passage while the story itself matches.
  A "Reporting by ...; Editing by ..." trailer is Reuters house style but is not used on its own: other
  outlets republish such copy, so it would over-reach.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from itertools import islice

from search.captions import _CREDIT, CREDIT_TAIL, is_photo_credit  # noqa: F401  (re-exported)

__all__ = ["infer_title", "infer_date", "infer_source", "normalize_date", "canonical_source", "is_photo_credit",
           "OUTLETS", "SECTION_LABELS", "SITE_CHROME", "CHROME_WORDS"]

HEAD_CHARS = 2048        # title and date look only at this much of the top of the text
SOURCE_HEAD_CHARS = 4096  # source signatures near the top
TAIL_CHARS = 2048        # ... and near the end
TITLE_MAX = 200          # a longer first line is a paragraph, not a headline
SENTENCE_MAX = 120       # the first sentence of such a paragraph is cut to this many characters
WRAP_MIN = 40            # a line at least this long that ends mid-sentence is continued by the next one
DATE_LINES = 15          # a date line must be among the first DATE_LINES non-empty lines
SOURCE_LINES = 15        # datelines and bylines must be among the first SOURCE_LINES non-empty lines
YEAR_MIN, YEAR_MAX = 1800, 2100
DATE_MAX = 100           # no way of writing one date is longer than this

_WS = re.compile(r"\s+")
_DASHES = "-\u2013\u2014"   # hyphen, en dash, em dash


def _collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


# --- outlets -------------------------------------------------------------------------------------------------

from search.outlets import OUTLET_ALT, OUTLETS  # noqa: E402  (OUTLETS re-exported)

_OUTLET_RES = tuple((name, re.compile(rf"(?:{pattern})", re.I)) for name, pattern in OUTLETS)


OUTLET_MAX = 60          # no outlet's name is longer


def _known_outlet(value: str) -> str | None:
    """The canonical name when the whole of `value` is a known outlet's name, else None."""
    if len(value) > 4 * OUTLET_MAX:
        return None
    value = _collapse(value).strip(" .,;:")
    if len(value) > OUTLET_MAX:
        return None
    for name, regex in _OUTLET_RES:
        if regex.fullmatch(value):
            return name
    return None


def canonical_source(value: str) -> str:
    """One spelling per outlet: "REUTERS", "Reuters News" -> "Reuters"; "afp" -> "AFP"; "i24 News" -> "i24NEWS".

    A name not in OUTLETS is returned stripped and whitespace-collapsed, otherwise as given."""
    value = _collapse(value or "")
    return _known_outlet(value) or value


# Site names seen as page-title prefixes/suffixes ("Quantcast i24NEWS - ...", "... | Reuters"), and the
# tracking-pixel alt texts that scrapers leave in front of them.
SITE_NAMES: tuple[str, ...] = (
    r"i24\s*NEWS", r"Reuters(?:\.com)?", r"BBC\s+News", r"Al\s+Jazeera(?:\s+English)?", r"AP\s+News",
    r"Daily\s+Sabah", r"Hurriyet\s+Daily\s+News", r"Middle\s+East\s+Eye", r"The\s+Guardian", r"France\s*24",
    r"Euronews", r"The\s+Times\s+of\s+Israel", r"The\s+Jerusalem\s+Post", r"Al[\s-]Monitor", r"TRT\s+World",
    r"Arab\s+News", r"CNN\.com", r"RT\.com", r"NPR\.org",
)
# Suffixes after a plain " - " are taken only for these: in headlines "Lords wrong on detainees - Straw" the
# dash attributes a quote, and "... - BBC" could be the BBC being quoted.
DASH_SUFFIX_SITES: tuple[str, ...] = (
    r"i24\s*NEWS", r"Reuters(?:\.com)?", r"BBC\s+News", r"Al\s+Jazeera(?:\s+English)?", r"AP\s+News",
    r"Daily\s+Sabah", r"Hurriyet\s+Daily\s+News", r"Middle\s+East\s+Eye", r"The\s+Guardian", r"France\s*24",
    r"Euronews", r"The\s+Times\s+of\s+Israel", r"The\s+Jerusalem\s+Post", r"TRT\s+World", r"Arab\s+News",
)
PIXEL_NOISE = r"(?:Quantcast|comScore|Chartbeat|Google\s+Analytics)"

_SITE_ALT = "|".join(SITE_NAMES)
_SITE_PREFIX = re.compile(rf"^(?:{PIXEL_NOISE}\s+)?(?P<site>{_SITE_ALT})\s*[{_DASHES}|]\s+(?P<rest>\S.*)$", re.I)
_SITE_SUFFIX = re.compile(
    rf"^(?P<rest>.*?\S)\s+(?:\|\s*(?P<site>{_SITE_ALT})|[{_DASHES}]\s*(?P<dsite>{'|'.join(DASH_SUFFIX_SITES)}))\s*$",
    re.I)
_SITE_ONLY = re.compile(rf"^(?:{PIXEL_NOISE}\s*)?(?:(?P<site>{_SITE_ALT})\s*)?$", re.I)


def _site_name_split(line: str) -> tuple[str | None, str]:
    """Rule "site name": (canonical outlet, line without the site-name prefix/suffix)."""
    site = None
    m = _SITE_PREFIX.match(line)
    if m:
        site, line = m.group("site"), m.group("rest")
    m = _SITE_SUFFIX.match(line)
    if m:
        site, line = site or m.group("site") or m.group("dsite"), m.group("rest")
    return (canonical_source(site) if site else None), line.strip()


# --- dates ---------------------------------------------------------------------------------------------------

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = ("monday", "mon", "tuesday", "tues", "tue", "wednesday", "wed", "thursday", "thurs", "thur", "thu",
            "friday", "fri", "saturday", "sat", "sunday", "sun")
DATE_PREFIXES = ("published", "updated", "last updated", "posted", "posted on", "date", "dated",
                 "first published", "modified", "last modified", "created", "issued", "released",
                 "publication date", "published on", "updated on", "published date", "filed")

_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_DATE_FORMATS = tuple(re.compile(p, re.I) for p in (
    # ISO 8601, optionally with a time and zone: 2018-09-17, 2018-09-17T10:32:00Z, 2018/09/17 10:32
    r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5})?)?",
    r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})",                      # 20180917
    r"(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})",   # 17/09/2018 (day first)
    r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<yy>\d{2})",                         # 17/09/18 (day first)
    rf"{_MON}\s+{_DAY},?\s+{_YEAR}",                                        # September 17, 2018 / Sept. 17 2018
    rf"{_DAY}(?:\s+of)?\s+{_MON},?\s+{_YEAR}",                              # 17 September 2018 / 17th of Sept 2018
    rf"{_DAY}-{_MON}-{_YEAR}",                                              # 26-FEB-1987
    rf"{_MON},?\s+{_YEAR}",                                                 # September 2018
    r"(?P<year>\d{4})-(?P<month>\d{1,2})",                                  # 2018-09
    r"(?P<year>\d{4})",                                                     # 2018
))
# A trailing (or leading) time: "10:32 BST", "at 10:32 a.m. ET", "| 10:32", "15:01:01.79", "10.32 GMT+3"
_TIME = (r"\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?\s?m\.?)?"
         r"(?:\s*\(?(?:[A-Z]{2,5}|(?:GMT|UTC)\s*[+-]\s*\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2})\)?)?")
_TRAILING_TIME = re.compile(rf"(?:\s*[,|@{_DASHES}]\s*|\s+at\s+|\s+)(?:{_TIME})$", re.I)
_LEADING_TIME = re.compile(rf"^(?:{_TIME})\s*[,|{_DASHES}]?\s+", re.I)
_WEEKDAY = re.compile(r"^(?:" + "|".join(WEEKDAYS) + r")\.?,?\s+", re.I)
_PREFIX = re.compile(r"^(?:" + "|".join(sorted((p.replace(" ", r"\s+") for p in DATE_PREFIXES),
                                                key=len, reverse=True)) + r")\b\s*[:\-]?\s*(?:on\s+)?", re.I)


def _valid(year: int, month: int, day: int | None = None) -> bool:
    if not YEAR_MIN <= year <= YEAR_MAX or not 1 <= month <= 12:
        return False
    if day is None:
        return True
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _format(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if month is None:
        return f"{year:04d}" if YEAR_MIN <= year <= YEAR_MAX else None
    if not _valid(year, month, day):
        return None
    return f"{year:04d}-{month:02d}" if day is None else f"{year:04d}-{month:02d}-{day:02d}"


def _from_match(m: re.Match) -> str | None:
    g = m.groupdict()
    if g.get("yy"):
        yy = int(g["yy"])
        g["year"] = str(2000 + yy if yy < 70 else 1900 + yy)   # two-digit years: 00-69 -> 20xx, 70-99 -> 19xx
    year = int(g["year"])
    if g.get("a"):                                  # numeric day/month: day first unless only month-first works
        a, b = int(g["a"]), int(g["b"])
        if _valid(year, b, a):
            return _format(year, b, a)
        return _format(year, a, b)                  # None when neither reading is a real date
    month = MONTHS[g["mon"].lower()] if g.get("mon") else (int(g["month"]) if g.get("month") else None)
    day = int(g["day"]) if g.get("day") else None
    return _format(year, month, day)


def _parse_date(text: str, allow_year: bool = True) -> str | None:
    """A date when the whole of `text` (after a weekday and a time are peeled off) is one, else None."""
    text = _collapse(text).strip(" ,.;|")
    text = _WEEKDAY.sub("", text, count=1)
    text = _LEADING_TIME.sub("", text, count=1)
    for _ in range(2):
        stripped = _TRAILING_TIME.sub("", text, count=1).strip(" ,.;|")
        if stripped == text or not stripped:
            break
        text = stripped
    text = _WEEKDAY.sub("", text, count=1)          # "10:32 BST, Monday 17 September 2018"
    for regex in _DATE_FORMATS:
        m = regex.fullmatch(text)
        if m:
            if not allow_year and set(k for k, v in m.groupdict().items() if v) == {"year"}:
                return None
            return _from_match(m)
    return None


@lru_cache(maxsize=8192)  # a collection repeats its dates (front matter, datelines): parsed once each
def normalize_date(value: str) -> str | None:
    """A front-matter/sidecar date in any common format -> "YYYY-MM-DD", "YYYY-MM" or "YYYY"; None if not a date.

    Numeric day/month dates are read day first ("05/09/2018" -> "2018-09-05") unless only the month-first
    reading is a real date ("09/17/2018" -> "2018-09-17")."""
    if not value:
        return None
    value = _collapse(str(value))
    if len(value) > DATE_MAX:
        return None
    value = _PREFIX.sub("", value, count=1) if _PREFIX.match(value) else value
    return _parse_date(value)


_POSTED_BY = re.compile(r"\s+by\s+[^\d]{1,60}$", re.I)   # "Posted on September 17, 2018 by admin"


def _date_line(line: str) -> str | None:
    """Rule "date line": the whole line is a date, optionally after a prefix like "Published:"."""
    if len(line) > 80 or line[-1] in ".,;" or not any(ch.isdigit() for ch in line):
        return None     # too long, or ends like a sentence ("... in January 1986."), or has no number
    m = _PREFIX.match(line)
    if m:
        return _parse_date(_POSTED_BY.sub("", line[m.end():]), allow_year=True)
    return _parse_date(line, allow_year=False)


_DATELINE_DATE = re.compile(
    rf"^[A-Z][A-Za-z.'\u2019/ -]{{1,40}},\s+(?P<date>[^()\n]{{6,40}}?)\s*(?:\([^()\n]{{1,40}}\)\s*)?[{_DASHES}]\s", )


def _dateline_date(line: str) -> str | None:
    """Rule "dateline": "WASHINGTON, Sept. 17, 2018 (AP) -" gives the date; without a year it gives nothing."""
    m = _DATELINE_DATE.match(line)
    if not m:
        return None
    return _parse_date(m.group("date"), allow_year=False)


# --- lines ---------------------------------------------------------------------------------------------------

# Every pattern here runs on one line of the top or the bottom of a text, and is linear in it: no pattern tries
# two ways through a run of the same characters (tests/test_hostile_patterns.py checks shapes and input sizes).
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")       # trailing " ###" is cut in Python (_closing_hashes)
_MD_QUOTE_BULLET = re.compile(r"^\s*>[>\s]*|^\s*[*+]\s+")
_MD_IMAGE = re.compile(r"^!\[[^\[\]]*\]\([^()\s]*\)$")
_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()\[\]\s]*\)")  # no bracket inside: one try per "[", not one per pair
_MD_EMPHASIS = re.compile(r"\*+|(?<!\w)_{1,3}|_{1,3}(?!\w)|`+")
_RULE_CHARS = frozenset("-*_=~ \t")


def _clean_line(line: str) -> str:
    """A line without markdown heading/emphasis/link marks and without a trailing hard-break backslash."""
    line = line.strip().rstrip("\\").strip()
    if not line:
        return ""
    if line[0] in "-*_=~!" and (_is_rule(line) or _MD_IMAGE.match(line)):
        return ""
    if "#" in line:
        line = _closing_hashes(_MD_HEADING.sub("", line))
    if line[0] in ">*+":
        line = _MD_QUOTE_BULLET.sub("", line)
    if "](" in line:
        line = _MD_LINK.sub(r"\1", line)
    if "*" in line or "_" in line or "`" in line:
        line = _MD_EMPHASIS.sub("", line)
    return _collapse(line)


def _is_rule(line: str) -> bool:
    """A markdown rule: only - * _ = ~ and spaces, three marks at least."""
    return set(line) <= _RULE_CHARS and sum(ch not in " \t" for ch in line) >= 3


def _closing_hashes(line: str) -> str:
    """A markdown heading's closing hashes ("Title ##") cut off; a hash inside a word ("C#") kept."""
    stripped = line.rstrip()
    bare = stripped.rstrip("#")
    if bare != stripped and bare and bare[-1].isspace():
        return bare.rstrip()
    return line


def _lines(text: str, chars: int = HEAD_CHARS):
    """The non-empty cleaned lines of the first `chars` characters of `text`, each with a flag telling whether
    it continues a hard-wrapped paragraph (see _continues)."""
    before = previous = ""
    for raw in text[:chars].splitlines():
        line = _clean_line(raw)
        if line:
            yield line, _continues(previous, before)
        before, previous = previous, raw


_WRAP_WORDS = frozenset("""a an the and or but of on in at by for from to with between since until till than
before after during due ended ending maturing paid dated through via as per""".split())


def _wrapped(raw: str) -> bool:
    """A long line that stops mid-sentence."""
    text = raw.strip()
    return len(text) >= WRAP_MIN and text[-1] not in ".!?:\"\u201d'\u2019)]"


def _continues(previous: str, before: str) -> bool:
    """Rule "wrapped paragraph": the line follows, with no blank line between, a long line that stops
    mid-sentence and is itself inside a paragraph (indented, ending on a comma or a word like "on"/"with",
    or following another such line).  A headline followed directly by its date line is not a paragraph."""
    if not _wrapped(previous):
        return False
    last = previous.rstrip().rsplit(None, 1)[-1].lower()
    return (previous[:1].isspace() or previous.rstrip()[-1] in ",;-" or last in _WRAP_WORDS
            or _wrapped(before))


# --- title ---------------------------------------------------------------------------------------------------

# Section labels that sites print above a headline (casefolded).  A table, not a shape rule.
SECTION_LABELS = frozenset("""
middle east|mideast|world|world news|news|latest news|top news|top stories|breaking news|breaking|local news|
politics|uk politics|us politics|business|markets|economy|economics|finance|money|companies|industries|
opinion|opinions|comment|commentary|analysis|editorial|editorials|op-ed|op-eds|columns|column|columnists|
letters|features|feature|interview|interviews|investigation|investigations|explainer|fact check|long read|
sport|sports|football|soccer|tennis|cricket|rugby|golf|formula 1|
technology|tech|science|health|environment|climate|energy|education|media|culture|arts|
entertainment|lifestyle|life & style|travel|food|fashion|style|music|film|movies|books|tv|television|
video|videos|photos|in pictures|pictures|gallery|podcast|podcasts|live|live updates|magazine|weather|
uk|us|u.s.|usa|europe|asia|asia pacific|asia-pacific|africa|north africa|americas|latin america|
middle east & north africa|mena|gulf|international|national|regional|local|
defense|defence|security|diplomacy|military|conflict|religion|society|obituaries|
exclusive|special report|wires|press releases|home|blogs|blog
""".replace("\n", "").split("|")) - {""}

# Whole lines of site chrome (casefolded).
SITE_CHROME = frozenset("""
adjust comment print|skip to content|skip to main content|skip to navigation|skip to main navigation|
jump to content|advertisement|advertising|ad|sponsored|sponsored content|promoted|
share|share this|share this article|share this story|share on facebook|share on twitter|share via email|
tweet|print|email|comment|comments|menu|main menu|toggle navigation|navigation|search|close|sign in|log in|
login|sign up|register|subscribe|subscribe now|newsletter|follow us|back to top|back to top button|
related|related articles|related stories|related content|read more|more|loading|loading...|
powered by automated translation|quantcast|you are here|most read|most popular|trending|featured|
accept cookies|cookie policy|cookies|listen|listen to this article|watch|play video|
text size|font size|a a|a+ a-|copy link|save|bookmark|
""".replace("\n", "").split("|")) - {""}

# Lines made only of these words (at most 8 of them) are toolbars: "Adjust Comment Print", "Share Tweet Email".
CHROME_WORDS = frozenset("""adjust comment comments print share tweet email e-mail facebook twitter whatsapp
linkedin pinterest reddit telegram messenger flipboard save bookmark mail""".split())

_BREADCRUMB_SPLIT = re.compile(r"\s*[/\u203a\u00bb>|]\s*")
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,3}$")
_CAPTION_PREFIX = re.compile(r"^(?:image|photo|picture|file photo|caption|credit|video)\s*:", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|Maj|Capt|Sgt|Prof|Jr|Sr|Inc|Co|Corp|Ltd|"
                           r"No|vs|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z]|\b[A-Z]\.[A-Z])\.$")


def _is_section_label(line: str) -> bool:
    """Rule "section label": the line is a known label, or a breadcrumb made only of known labels."""
    key = line.casefold().strip(" :")
    if key in SECTION_LABELS:
        return True
    parts = [p for p in _BREADCRUMB_SPLIT.split(key) if p]
    return len(parts) > 1 and all(p in SECTION_LABELS for p in parts)


def _is_chrome(line: str) -> bool:
    """Rule "site chrome": a known chrome line, a toolbar of chrome words, a caption or credit line, a byline."""
    key = line.casefold().strip(" :.")
    if key in SITE_CHROME:
        return True
    words = key.replace("|", " ").replace("/", " ").split()
    if 0 < len(words) <= 8 and all(w in CHROME_WORDS for w in words):
        return True
    return bool(_CAPTION_PREFIX.match(line) or _BYLINE.match(line))


def _first_sentence(paragraph: str) -> str:
    """Rule "paragraph, not headline": the first sentence, cut at a word boundary to SENTENCE_MAX characters."""
    sentence = paragraph
    for m in _SENTENCE_END.finditer(paragraph):
        # "U.S. President ...", "Mr. Putin": not an end (an abbreviation is at most 5 letters and a dot before it)
        if _ABBREVIATION.search(paragraph, max(0, m.start() - 8), m.start()):
            continue
        sentence = paragraph[:m.start()]
        break
    if len(sentence) > SENTENCE_MAX:
        cut = sentence[:SENTENCE_MAX + 1]
        space = cut.rfind(" ")
        sentence = cut[:space] if space > 0 else sentence[:SENTENCE_MAX]
    return sentence.rstrip(" ,;:-\u2013\u2014")


def infer_title(text: str) -> str | None:
    """The first line of `text` that reads as a headline, cleaned; None when there is none."""
    if not text:
        return None
    for line, _ in islice(_lines(text), 40):
        if _date_line(line) or _SITE_ONLY.match(line):
            continue
        _, title = _site_name_split(line)
        title = _collapse(title)
        if not title or _is_section_label(title) or _is_chrome(title):
            continue
        if len(title) > TITLE_MAX:
            title = _first_sentence(title)
        return title or None
    return None


# --- date ----------------------------------------------------------------------------------------------------

def infer_date(text: str) -> str | None:
    """The date stated by a date line (or a dated dateline) near the top of `text`; None if none is stated."""
    if not text:
        return None
    for line, continued in islice(_lines(text), DATE_LINES):
        if continued:
            continue
        found = _date_line(line) or _dateline_date(line)
        if found:
            return found
    return None


# --- source --------------------------------------------------------------------------------------------------

_OUTLET_ALT = OUTLET_ALT
_DATELINE_SOURCE = re.compile(
    rf"^(?:[A-Z][A-Za-z.'\u2019/ -]{{0,60}}?(?:,\s*[^()\n]{{1,40}}?)?\s*)?\((?P<outlet>{_OUTLET_ALT})\)\s*[{_DASHES}:]")
_BYLINE_SOURCE = re.compile(
    rf"^By\s+(?:(?P<outlet>{_OUTLET_ALT})|[A-Z][^\n,|/]{{1,60}}?\s*[,|/{_DASHES}]\s*(?P<outlet2>{_OUTLET_ALT}))"
    rf"(?:\s+(?i:staff|staff\s+writer|correspondent))?\s*$")
_SOURCE_LINE = re.compile(rf"^(?i:source|credit|via)\s*:\s*(?P<outlet>{_OUTLET_ALT})\s*\.?$")
_SIGNOFF = re.compile(r"^\W*(?P<outlet>reuters?|afp|ap)\W*$", re.I)
_COPYRIGHT = re.compile(
    rf"(?:\u00a9|\(c\)|copyright)\s*(?:\u00a9\s*)?(?:\d{{4}}(?:\s*[-\u2013]\s*\d{{4}})?\s*)?,?\s*"
    rf"(?P<outlet>{_OUTLET_ALT})(?=\W|$)", re.I)

_CASE_SENSITIVE_SHORT = {"AP", "AA", "RT", "FT", "DW", "UPI", "AFP", "NPR", "CNN", "SANA", "WSJ", "NHK", "TASS"}


def _outlet(match: re.Match) -> str | None:
    """The canonical outlet of a signature match; short acronyms must be written in capitals ("(AP)", not "(ap)")."""
    raw = next(v for k, v in match.groupdict().items() if k.startswith("outlet") and v)
    name = _known_outlet(raw)
    if name and len(raw) <= 4 and raw.upper() in _CASE_SENSITIVE_SHORT and raw != raw.upper():
        return None
    return name


def _source_by_site_name(lines: list[tuple[str, bool]]) -> str | None:
    """Rule 1: a site-name prefix or suffix on the first headline-like line."""
    for line, _ in lines[:5]:
        if _is_section_label(line) or _is_chrome(line) or _date_line(line):
            continue
        m = _SITE_ONLY.match(line)
        if m:                                   # a masthead line ("i24NEWS") or tracking-pixel noise
            if m.group("site"):
                return canonical_source(m.group("site"))
            continue
        site, _ = _site_name_split(line)
        return site
    return None


def _source_by_dateline(lines: list[tuple[str, bool]]) -> str | None:
    """Rule 2: an agency dateline, "ISTANBUL/ANKARA (Reuters) -", at the start of a paragraph near the top."""
    for line, continued in lines:
        if continued:
            continue
        m = _DATELINE_SOURCE.match(line)
        if m and (name := _outlet(m)):
            return name
    return None


def _source_by_byline(lines: list[tuple[str, bool]]) -> str | None:
    """Rule 3: a byline or source line naming the outlet: "By Jane Doe, Reuters", "By AFP", "Source: AFP"."""
    for line, _ in lines:
        m = _BYLINE_SOURCE.match(line) or _SOURCE_LINE.match(line)
        if m and (name := _outlet(m)):
            return name
    return None


def _source_by_signoff(tail: str) -> str | None:
    """Rule 4: the wire sign-off ("REUTER" as the last line) or a copyright line naming the outlet."""
    lines = [_collapse(ln) for ln in tail.splitlines() if ln.strip()]
    if lines:
        m = _SIGNOFF.match(lines[-1])
        if m and (name := _outlet(m)):
            return name
    for line in reversed(lines[-8:]):
        m = _COPYRIGHT.search(line) or _SOURCE_LINE.match(line)
        if m and (name := _outlet(m)):
            return name
    return None


def _source_by_credit(text: str) -> str | None:
    """Rule 5: an agency text/photo credit, "... / AFP / Delil SOULEIMAN" or "AFP PHOTO / NAME"."""
    for line in text.splitlines():
        line = _collapse(line.strip().rstrip("\\"))
        if not line or "/" not in line and ":" not in line:
            continue
        m = _CREDIT.search(line)
        if m and (name := _outlet(m)):
            return name
    return None




def infer_source(text: str) -> str | None:
    """The outlet whose signature the text carries (canonical name); None when nothing states it."""
    if not text:
        return None
    head = text[:SOURCE_HEAD_CHARS]
    tail = text[-TAIL_CHARS:] if len(text) > SOURCE_HEAD_CHARS else ""
    lines = list(islice(_lines(head, SOURCE_HEAD_CHARS), SOURCE_LINES))
    return (_source_by_site_name(lines)
            or _source_by_dateline(lines)
            or _source_by_byline(lines)
            or _source_by_signoff(tail or head)
            or _source_by_credit(head)
            or (_source_by_credit(tail) if tail else None))
