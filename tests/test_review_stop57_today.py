"""Stop 57 review of the day's changes: the operator's title when nothing of it shows."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from digest.cli import main
from digest.config import load_config
from tests.support.web import serving

#: Two reports of one day, as ``digest replay`` reads them.
_RECORDS = [
    {"id": f"r{i}", "title": title, "text": text, "source": "Alpha", "url": f"https://alpha.example/{i}",
     "published": f"2026-11-11T{9 + i:02d}:00:00Z"}
    for i, (title, text) in enumerate([
        ("Harbour bridge reopens after repairs", "The harbour bridge reopened on Wednesday after six weeks of repairs."),
        ("Library hours extended", "The city library will open until nine on weekdays from next month."),
    ])
]


def _outputs(tmp_path: Path, title: str) -> dict[str, str]:
    """The day's Markdown heading, HTML ``<title>``, JSON ``title`` and the archive's front page
    ``<title>`` for a configured ``title``, from ``digest replay`` into a new store."""
    root = tmp_path / str(len(list(tmp_path.iterdir())))
    (root / "feeds").mkdir(parents=True)
    archive = root / "week.jsonl"
    archive.write_text("".join(json.dumps(r) + "\n" for r in _RECORDS), encoding="utf-8")
    cfg_path = root / "digest.yaml"
    cfg_path.write_text(
        "sources:\n  - name: Alpha\n    path: feeds\noutput_dir: out\ndata_dir: data\ntimezone: UTC\n"
        f"title: {json.dumps(title)}\n", encoding="utf-8")
    assert main(["replay", str(archive), "--config", str(cfg_path)]) == 0
    out = root / "out"
    md = (out / "digest-2026-11-11.md").read_text(encoding="utf-8").splitlines()[0]
    html = (out / "digest-2026-11-11.html").read_text(encoding="utf-8")
    page = re.search(r"<title>([^<]*)</title>", html)
    assert page is not None
    shown = {"md heading": md, "html title": page.group(1),
             "json title": json.loads((out / "digest-2026-11-11.json").read_text(encoding="utf-8"))["title"]}
    then = datetime(2026, 11, 11, 20, tzinfo=UTC)
    with serving(load_config(cfg_path), clock=lambda: then + timedelta(hours=1)) as server, \
            httpx.Client(timeout=10) as client:
        r = client.get(f"http://127.0.0.1:{server.server_address[1]}/")
        assert r.status_code == 200
        front = re.search(r"<title>([^<]*)</title>", r.text)
        assert front is not None
        shown["archive title"] = front.group(1)
    return shown


@pytest.mark.parametrize("title", ["\u202e", "\x9b\u202e", "\u200b\u200f", "\u0301"])
def test_a_title_nobody_sees_is_shown_as_an_empty_one_is(tmp_path: Path, capsys: pytest.CaptureFixture[str], title: str) -> None:
    """``shown_title`` left out a title's control characters and closed its bidi runs, but a title
    of only such characters (a stray U+202E, a CSI) was then shown as nothing anyone sees: the
    heading "‮‬ · Wednesday, 11 November 2026", the subject and the archive's name blank where an
    empty ``title:`` shows "digest".  Now it is shown as an empty one is, in every output."""
    empty = _outputs(tmp_path, "")
    invisible = _outputs(tmp_path, title)
    capsys.readouterr()
    assert empty["md heading"].startswith("# digest · ")  # the outputs' own name for an empty one
    assert invisible == empty
