"""Whether two indexes hold the same bytes: each one's live generation, segment by segment, file by file.

    python -m bench.sameindex INDEX_A INDEX_B

Segment ids are random, so segments are matched by content (their document files' size, then digest); the table of
contents (which names them) is left out. Two builds of the same articles by two revisions of the engine should
print "same"; the files that differ are listed otherwise (exit status 1).
"""
from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path


def segments(index: Path) -> list[dict[str, bytes]]:
    """The live generation's segments of an index, each {file extension: bytes}, in a content order."""
    generation = Path(index) / json.loads((Path(index) / "CURRENT").read_text(encoding="utf-8"))["generation"]
    by_segment: dict[str, dict[str, bytes]] = defaultdict(dict)
    for path in generation.iterdir():
        if path.suffix != ".toc" and "_" in path.name and path.is_file():
            segment, ext = path.name.rsplit(".", 1)
            by_segment[segment][ext] = path.read_bytes()
    return sorted(by_segment.values(), key=lambda files: (len(files.get("docs", b"")),
                                                          hashlib.sha1(files.get("docs", b"")).hexdigest()))


def differences(a: Path, b: Path) -> list[str]:
    """What differs between the two indexes' segments (empty when they hold the same bytes)."""
    left, right = segments(a), segments(b)
    out = [] if len(left) == len(right) else [f"{len(left)} segments against {len(right)}"]
    for i, (x, y) in enumerate(zip(left, right)):
        out += [f"segment {i}: .{ext} differs ({len(x.get(ext, b''))} and {len(y.get(ext, b''))} bytes)"
                for ext in sorted(set(x) | set(y)) if x.get(ext) != y.get(ext)]
    return out


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    found = differences(Path(args[0]), Path(args[1]))
    print("\n".join(found) if found else f"same ({len(segments(Path(args[0])))} segments)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
