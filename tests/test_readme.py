"""README's examples, run against the shipped seeds (as sqlite-utils tests its docs).

Every `search ...` and `curl ...` line of a ```sh block runs and must succeed (exit 0, HTTP 200). Every
```console block is a transcript: each `$ command` runs and its output must be what README shows, except for
what changes from run to run (times in ms, BM25 scores). `python -m tests.test_readme --update` rewrites the
transcripts from a real run, for when the engine's output changes on purpose.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.indexer import sync
from search.ranking import Ranking

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SEEDS = ROOT / "seeds"
BASE_URL = "http://127.0.0.1:5000"
BLOCK = re.compile(r"^```(sh|console)\n(.*?)^```", re.S | re.M)
JSON_TOOL = ["python3", "-m", "json.tool", "--no-ensure-ascii"]


# -- reading README -------------------------------------------------------------------------------------
def sh_commands(text: str = None) -> list[list[str]]:
    """The `search` and `curl` command lines of README's ```sh blocks, as argument lists."""
    text = README.read_text(encoding="utf-8") if text is None else text
    out = []
    for kind, body in BLOCK.findall(text):
        if kind == "sh":
            for line in body.splitlines():
                args = shlex.split(line, comments=True)
                if args and args[0] in ("search", "curl"):
                    out.append(args)
    return out


def transcripts(text: str = None) -> list[tuple[str, str]]:
    """(command line, output shown) of every `$ ` line of README's ```console blocks."""
    text = README.read_text(encoding="utf-8") if text is None else text
    out = []
    for kind, body in BLOCK.findall(text):
        if kind == "console":
            for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
                command, _, shown = chunk.partition("\n")
                out.append((command, shown))
    return out


# -- running a command as README's reader would ---------------------------------------------------------
def run_search(args: list[str], index: Path):
    """`search ARGS` through click, on the seeds and a fresh index, 100 columns wide; (exit code, what a terminal
    shows: stdout and stderr)."""
    env = {"SEARCH_ARTICLES": str(SEEDS), "SEARCH_INDEX": str(index), "NO_COLOR": "1", "COLUMNS": "100"}
    result = CliRunner().invoke(cli, args[1:], env=env, catch_exceptions=False)
    return result.exit_code, result.output


def run_curl(args: list[str], client):
    """`curl [-s] [-i] URL [| python3 -m json.tool --no-ensure-ascii]` through Flask's test client; (status, text)."""
    pipe = args.index("|") if "|" in args else len(args)
    curl, after = args[:pipe], args[pipe + 1:]
    urls = [a for a in curl[1:] if not a.startswith("-")]
    assert len(urls) == 1 and urls[0].startswith(BASE_URL + "/"), f"unexpected curl line: {args}"
    parts = urlsplit(urls[0])
    response = client.get(parts.path, query_string=parts.query)
    text = response.get_data(as_text=True)
    if "-i" in curl:
        head = [f"HTTP/1.1 {response.status}"] + [f"{k}: {v}" for k, v in response.headers.items()]
        text = "\r\n".join(head) + "\r\n\r\n" + text
    if after:
        assert after == JSON_TOOL, f"only `| {' '.join(JSON_TOOL)}` may follow curl: {args}"
        text = json.dumps(json.loads(text), indent=4, ensure_ascii=False) + "\n"
    elif text and not text.endswith("\n"):
        text += "\n"  # a shell prompt starts on a new line
    return response.status_code, text


def serve_answers(args: list[str], index: Path) -> bool:
    """`search serve ...` starts, answers /healthz on the port it was given, and stops on a signal."""
    port = _free_port()
    args = [a for a in args[1:]]
    if "--port" in args:
        args[args.index("--port") + 1] = str(port)
    else:
        args += ["--port", str(port)]
    env = dict(os.environ, SEARCH_ARTICLES=str(SEEDS), SEARCH_INDEX=str(index))
    proc = subprocess.Popen([sys.executable, "-m", "search", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(300):
            if proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    return r.status == 200
            except OSError:
                time.sleep(0.1)
        return False
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def actual_output(command: str, index: Path, client) -> str:
    args = shlex.split(command)
    if args[0] == "search":
        return run_search(args, index)[1]
    return run_curl(args, client)[1]


# what differs between two runs of the same command on the same seeds
_VARYING = [
    (re.compile(r"\((\d+(\.\d+)?) ms\)"), "(… ms)"),
    (re.compile(r'"took_ms": [\d.eE+-]+'), '"took_ms": …'),
    (re.compile(r'"score": [\d.eE+-]+'), '"score": …'),
    (re.compile(r"^(\d+,[^,\n]*,.*?,)\d+\.\d+(,)", re.M), r"\1…\2"),  # the score column of --csv
]


def normalised(text: str) -> str:
    for pattern, replacement in _VARYING:
        text = pattern.sub(replacement, text)
    return text


# -- fixtures -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("readme") / "index"
    sync(SEEDS, index)
    return index


@pytest.fixture(scope="module")
def seeds_client(seeds_index):
    from web import create_app
    app = create_app({"SEARCH_INDEX": str(seeds_index), "SEARCH_ARTICLES": str(SEEDS), "SEARCH_BASE_URL": BASE_URL})
    return app.test_client()


# -- the tests ------------------------------------------------------------------------------------------
def test_readme_has_examples_to_check():
    assert len(sh_commands()) >= 8 and len(transcripts()) >= 4
    assert {args[0] for args in sh_commands()} == {"search", "curl"}


@pytest.mark.parametrize("args", sh_commands(), ids=lambda a: " ".join(a)[:70])
def test_every_readme_command_succeeds_on_the_seeds(args, seeds_index, seeds_client):
    if args[0] == "curl":
        status, text = run_curl(args, seeds_client)
        assert status == 200, text[:300]
    elif args[1:2] == ["serve"]:
        assert serve_answers(args, seeds_index)
    else:
        code, out = run_search(args, seeds_index)
        assert code == 0, f"`{' '.join(args)}` exited {code}: {out[:300]}"


@pytest.mark.parametrize("command, shown", transcripts(), ids=lambda c: str(c)[:70])
def test_every_readme_transcript_shows_what_the_command_prints(command, shown, seeds_index, seeds_client):
    assert normalised(actual_output(command, seeds_index, seeds_client)) == normalised(shown), (
        "README shows another output: run `python -m tests.test_readme --update` if the change is intended")


def update(path: Path = README) -> int:
    """Rewrite every transcript of README with what its command prints now; the number of outputs changed."""
    import tempfile

    from web import create_app
    text = path.read_text(encoding="utf-8")
    changed = 0
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        sync(SEEDS, index)
        client = create_app({"SEARCH_INDEX": str(index), "SEARCH_ARTICLES": str(SEEDS),
                             "SEARCH_BASE_URL": BASE_URL}).test_client()

        def redo(block):
            nonlocal changed
            kind, body = block.group(1), block.group(2)
            if kind != "console":
                return block.group(0)
            pieces = []
            for command, shown in transcripts(f"```console\n{body}```"):
                output = actual_output(command, index, client)
                changed += normalised(output) != normalised(shown)
                pieces.append(f"$ {command}\n{output}")
            return "```console\n" + "".join(pieces) + "```"
        text = BLOCK.sub(redo, text)
    path.write_text(text, encoding="utf-8")
    return changed


if __name__ == "__main__":
    if sys.argv[1:] == ["--update"]:
        print(f"{update()} transcript(s) of README.md rewritten")
    else:
        sys.exit("usage: python -m tests.test_readme --update")


def help_examples() -> list[list[str]]:
    """The example command lines of `search --help`."""
    text = CliRunner().invoke(cli, ["--help"]).output
    return [shlex.split(line) for line in text.splitlines() if line.strip().startswith("search ")]


@pytest.mark.parametrize("args", help_examples(), ids=lambda a: " ".join(a)[:70])
def test_every_example_of_the_help_finds_something_on_the_seeds(args, seeds_index):
    code, out = run_search(args, seeds_index)
    assert code == 0, f"`{' '.join(args)}` exited {code}: {out[:300]}"


def test_the_ranking_defaults_readme_states_are_the_engines():
    r = Ranking()
    stated = (f"Ranking(b={r.b}, k1={r.k1}, title_boost={r.title_boost}, proximity_boost={r.proximity_boost}, "
              f"k3={r.k3})")
    assert stated in README.read_text(encoding="utf-8")
