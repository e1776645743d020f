"""Stop 65: ``digest search --since DAY`` lists a story new before DAY under the digest of its
matching version ("developing: first in the digest of ..."); its ``--json`` and the archive's
``/search?since=`` (``digest serve`` on 127.0.0.1) dated it by the day it was new.  Now the
JSON says the day listed (``listed_day``, ``day`` kept) and the page lists it as the text does."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from digest.cli import main
from digest.config import load_config
from tests.support.web import Site, active, check_headers, site
from tests.test_json_schemas_cli import problems

BODY = ("# Harbour ferry delayed by storm\n\nThe harbour ferry was delayed three hours by a storm that "
        "closed the port on Friday, the operator said.\n")
HEAD = "sources:\n  - name: Notes\n    path: notes\ntimezone: UTC\noutput_dir: out\ndata_dir: data\n"


@pytest.fixture
def ferry(tmp_path: Path) -> Path:
    """A note read on 20 November, updated on the 22nd with a word (``lighthouse``)."""
    notes = tmp_path / "notes"
    notes.mkdir()
    note = notes / "ferry.md"
    note.write_text(BODY)
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(HEAD + "clock: 2026-11-20T20:00:00Z\n")
    assert main(["run", "--config", str(cfg), "-q"]) == 0
    note.write_text(BODY + "\nThe harbour ferry sailed again after the storm, guided past the lighthouse by a pilot boat.\n")
    cfg.write_text(HEAD + "clock: 2026-11-22T20:00:00Z\n")
    assert main(["run", "--config", str(cfg), "-q"]) == 0
    return cfg


def _json(capsys: pytest.CaptureFixture[str], cfg: Path, *more: str) -> list[dict[str, str]]:
    capsys.readouterr()
    assert main(["search", "--config", str(cfg), "lighthouse", "--json", *more]) == 0
    rows: list[dict[str, str]] = json.loads(capsys.readouterr().out)
    assert problems("search", rows) == []
    return rows


def test_search_json_since_says_the_day_listed(ferry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [row] = _json(capsys, ferry, "--since", "2026-11-22")
    assert (row["day"], row["listed_day"]) == ("2026-11-20", "2026-11-22")  # ``day``: as before, the day it was new
    [row] = _json(capsys, ferry)
    assert (row["day"], row["listed_day"]) == ("2026-11-20", "2026-11-20")  # without --since: the same
    [row] = _json(capsys, ferry, "--since", "2026-11-22", "--newest")
    assert (row["day"], row["listed_day"]) == ("2026-11-22", "2026-11-22")  # --newest: day is the match's


def _meta(s: Site, query: str) -> list[tuple[str, list[str]]]:
    """Each result's line under its title, as read, with its links."""
    r = s.get("/search?" + query)
    assert r.status_code == 200, r.text[:300]
    check_headers(r)
    assert active(r.text) == []
    doc = lxml.html.document_fromstring(r.text)
    return [(" ".join(p.text_content().split()), [str(h) for h in p.xpath(".//a/@href")])
            for p in doc.xpath("//ol[@class='results']/li/p[@class='meta']")]


def test_the_archives_search_since_lists_it_under_the_day_that_matched(ferry: Path) -> None:
    cfg = load_config(ferry)
    with site(cfg, clock=lambda: datetime(2026, 11, 22, 21, tzinfo=UTC)) as s:
        [(text, links)] = _meta(s, "q=lighthouse&since=2026-11-22")
        assert links == ["/day/2026-11-22", "/day/2026-11-20"], text
        assert text.endswith("· Sun, 22 Nov 2026 · developing: first in the digest of Fri, 20 Nov 2026"), text
        [(text, links)] = _meta(s, "q=lighthouse")  # without since: the day it was new, as before
        assert links == ["/day/2026-11-20"] and "developing" not in text, text
