"""The one standard test collection and its builder: articles written under tmp_path, and their index."""
from __future__ import annotations

from pathlib import Path

from search.indexer import sync

#: Strings that would run script if any page put them into HTML unescaped.
HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
)

#: (file name, title, date, source, body): sources and months that differ, dates across years, an unknown source,
#: an unknown date, an accented name (Erdoğan = Erdogan), words that share a stem (running, negotiation), and one
#: hostile article whose title and text carry every string of HOSTILE.
ARTICLES = [
    ("idlib-summit.txt", "Erdoğan and Putin meet in Sochi over Idlib", "2018-09-17", "Reuters",
     "Turkish President Tayyip Erdoğan met Russian President Vladimir Putin in Sochi on Monday.\n\n"
     "The fate of Idlib was at stake as negotiations continued late into the night."),
    ("idlib-offensive.txt", "Syrian offensive on Idlib looms", "2018-09-03", "AFP",
     "Government forces massed around Idlib province. Aid agencies warned of a humanitarian catastrophe "
     "if the offensive went ahead. Erdogan called for a ceasefire."),
    ("saraqeb.txt", "Syrian forces enter Saraqeb", "2018-10-02", "Reuters",
     "Syrian forces entered the strategic town of Saraqeb on Thursday, a monitor said. "
     "Turkish troops reinforced their observation posts near the town."),
    ("oil-prices.txt", "Oil prices climb on supply worries", "2018-08-21", "Reuters",
     "Oil prices rose on Tuesday as traders worried about supply. Brent crude futures gained 1 percent, "
     "while the negotiation over output quotas stalled."),
    ("grain.txt", "Wheat harvest beats forecasts", "2017-07-11", "AFP",
     "Farmers reported a record wheat harvest this summer, running well ahead of the forecasts made in spring."),
    ("marathon.txt", "Runner wins city marathon", None, "i24NEWS",
     "The runner was running ahead of the field from the start and won the city marathon in record time."),
    ("unknown-source.txt", "Ceasefire talks resume in Geneva", "2018-09-20", None,
     "Ceasefire talks on Syria resumed in Geneva with envoys from Russia, Turkey and Iran."),
    ("undated.txt", "Putin says Idlib deal holds", None, None,
     "Vladimir Putin said the deal on Idlib was holding despite sporadic clashes."),
    ("hostile.txt", f"Hostile {HOSTILE[0]} headline {HOSTILE[2]}", "2018-09-25", "Reuters",
     f"The hostile article mentions Idlib and carries {HOSTILE[0]} in its text.\n\n"
     f"An image {HOSTILE[1]} follows, then {HOSTILE[2]} and a link [click me]({HOSTILE[3]}) "
     f"whose text is {HOSTILE[3]} as well."),
]


def write_article(folder: Path, name: str, title: str, date: str | None, source: str | None, body: str) -> Path:
    """Write one article file with a front-matter block."""
    lines = ["---", f"title: {title}"]
    if date:
        lines.append(f"date: {date}")
    if source:
        lines.append(f"source: {source}")
    lines.append("---")
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n" + body + "\n", encoding="utf-8")
    return path


def write_collection(folder: Path, articles=ARTICLES) -> Path:
    """Write a collection (the standard one unless told) into folder and return that folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for spec in articles:
        write_article(folder, *spec)
    return folder


def make_index(root: Path, articles=ARTICLES) -> tuple[Path, Path]:
    """A collection written into root/articles and synced into root/index: (articles folder, index folder)."""
    folder = write_collection(root / "articles", articles)
    sync(folder, root / "index")
    return folder, root / "index"
