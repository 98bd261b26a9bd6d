"""A small collection with versions of one wire story, for the stories tests."""
from __future__ import annotations

from tests.factory import ARTICLES, HOSTILE

WIRE = [
    "ANKARA, Sept 17 (Reuters) - Turkish President Tayyip Erdogan and Russian President Vladimir Putin agreed on "
    "Monday to create a demilitarised zone in Syria's Idlib province, from which radical fighters must withdraw by "
    "the middle of next month.",
    "Speaking after talks in the Black Sea resort of Sochi, Putin said the zone would be fifteen to twenty "
    "kilometres deep and would be patrolled by Turkish troops and Russian military police.",
    "Erdogan said the agreement would prevent a humanitarian crisis in the province, where about three million "
    "people live, many of them displaced from other parts of the country during the war.",
    "The United Nations had warned that a full assault on the last big rebel stronghold could cause the worst "
    "humanitarian catastrophe of the century, and aid agencies welcomed the news with caution.",
    "Syrian government forces and their allies had massed around the province for weeks, and Russian jets had "
    "resumed air strikes on rebel positions in the south of Idlib earlier this month.",
]

#: The same wire story as another outlet ran it: its chrome lines and a caption added, the headline rewritten,
#: the last paragraph cut and one sentence edited.
COPY = (["Home | World | Middle East", "Share this article", "Photo: Putin and Erdogan in Sochi. / AFP"]
        + [WIRE[0], WIRE[1].replace("fifteen to twenty", "15-20"), WIRE[2], WIRE[3]]
        + ["Follow us on Twitter for the latest news.", "Copyright 2018 The Daily Example. All rights reserved."])

#: A different article on the same events: the same dateline, names and words, none of its sentences.
OTHER = [
    "ANKARA, Sept 17 (Reuters) - Rebels in Syria's Idlib province said on Monday they doubted that the agreement "
    "reached by Erdogan and Putin in Sochi would hold, and some groups refused to hand over their heavy weapons.",
    "A spokesman for the National Liberation Front told Reuters the fighters would stay in their positions until "
    "they saw what the Turkish and Russian troops did on the ground.",
    "Residents of the province, many of whom fled other parts of Syria during the war, said they were relieved "
    "that an assault had been put off, but feared that the air strikes would resume.",
]

#: (file name, title, date, source, body): the standard test collection plus three versions of the wire story
#: (the original, an exact copy under another name, the other outlet's copy) and the different same-topic article.
VERSIONED = ARTICLES + [
    ("wire/reuters-idlib-deal.txt", "Turkey and Russia agree on Idlib buffer zone", "2018-09-17", "Reuters",
     "\n\n".join(WIRE)),
    ("wire/mirror-idlib-deal.txt", "Turkey and Russia agree on Idlib buffer zone", "2018-09-18", "AFP",
     "\n\n".join(WIRE)),
    ("daily/idlib-zone.txt", "Putin, Erdogan strike deal to avert Idlib assault", "2018-09-18", "i24NEWS",
     "\n\n".join(COPY)),
    ("wire/rebels-doubt.txt", "Idlib rebels doubt Sochi deal will hold", "2018-09-17", "Reuters",
     "\n\n".join(OTHER)),
]

HOSTILE_VERSION = ("daily/hostile-copy.txt", f"Hostile copy {HOSTILE[0]}", "2018-09-26", "AFP",
                   "Share this\n\n" + ARTICLES[-1][4] + f"\n\nA line {HOSTILE[1]} added by the copy {HOSTILE[0]}.")


def rewrite_header(folder, **fields):
    """Rewrite a generation's stories file with its header's `fields` changed (None: left out), its columns as they
    were: a file as another version, or another banding, wrote it."""
    import json
    from pathlib import Path

    from search import story_file
    path = Path(folder) / story_file.FILE_NAME
    meta, start, _ = story_file._header(path)
    data = path.read_bytes()[start:]
    meta.update(fields)
    head = json.dumps({k: v for k, v in meta.items() if v is not None}).encode("utf-8")
    out = story_file._MAGIC + len(head).to_bytes(8, "little") + head
    path.write_bytes(out + bytes(story_file._aligned(len(out)) - len(out)) + data)


def live_generation(index):
    """The folder of an index's live generation."""
    from search.store import IndexStore
    return index / IndexStore(index).pointer().generation


def labels_in(index) -> dict[str, str]:
    """{path: story label} as the index's live documents carry it (their "story" facet)."""
    from search.storage.view import IndexView
    from search.story_results import labels_of
    view = IndexView(live_generation(index))
    try:
        return labels_of(view)
    finally:
        view.close()
