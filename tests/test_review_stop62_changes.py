"""Review of stop 62's changes (docs/evaluation.md, "Stop 62: review of today's changes"):
each test fails without its fix."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from digest.cli import main
from digest.output.render import make_env
from digest.store.base import open_store
from tests.support.archive import NOW, fill
from tests.support.config import MakeConfig
from tests.support.web import Site
from tests.support.web import site as open_site


@pytest.fixture
def bundled_css() -> str:
    env = make_env()
    assert env.loader is not None
    return env.loader.get_source(env, "_style.css.j2")[0]


def _excerpt_links(page: str) -> list[str]:
    doc = lxml.html.document_fromstring(page)
    return [str(a.get("href")) for a in doc.xpath("//p[contains(@class, 'excerpt')]//a")]


def _run(tmp_path: Path, extra: str = "") -> Path:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("clock: 2026-11-20T20:00:00Z\ntimezone: UTC\noutput_dir: out\n" + extra, encoding="utf-8")
    return cfg


def test_a_notes_url_cut_by_the_excerpt_is_no_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A note's URL longer than half the excerpt is cut mid-way ("…"): its cut part was linked,
    a page the note never named (``https://long.example/segment00/.../segme``).  It stays text;
    a whole URL of the same note is still a link (the archive's pages link through the same
    ``link_urls``)."""
    long = "https://long.example/" + "/".join(f"segment{i:02d}" for i in range(60))
    (tmp_path / "notes").mkdir()
    note = tmp_path / "notes" / "long.md"
    note.write_text(f"# Quay works\n\nSee https://council.example/quay and {long} for the plan.\n", encoding="utf-8")
    at = datetime(2026, 11, 20, 10, tzinfo=UTC).timestamp()
    os.utime(note, (at, at))
    cfg = _run(tmp_path, "sources:\n  - name: Notes\n    path: notes\n")
    assert main(["run", "--config", str(cfg)]) == 0
    capsys.readouterr()
    page = (tmp_path / "out" / "digest-2026-11-20.html").read_text(encoding="utf-8")
    assert "segment05" in page and "…" in page  # the long URL is there, cut
    assert _excerpt_links(page) == ["https://council.example/quay"]


def test_a_replayed_records_text_makes_no_link_whatever_its_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A note is known by its ``file:`` URL; a replayed record (a feed's article, from a JSON Lines
    archive) could give one (``"url": "file:///..."``), and its text's URLs were linked in the
    page as a note's: a feed's words made a link.  A record's ``file:`` URL is dropped, as a feed's
    entry would never have one."""
    record = {"id": "1", "title": "Council approves the harbour plan",
              "text": "The council approved the plan today; details at https://evil.example/phish for all. " * 3,
              "url": "file:///home/me/notes/plan.md", "source": "Wire", "published": "2026-11-20T09:00:00Z"}
    (tmp_path / "a.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    cfg = _run(tmp_path, "sources: []\n")
    assert main(["replay", "--config", str(cfg), str(tmp_path / "a.jsonl")]) == 0
    capsys.readouterr()
    page = (tmp_path / "out" / "digest-2026-11-20.html").read_text(encoding="utf-8")
    assert "https://evil.example/phish" in page
    assert _excerpt_links(page) == []


def test_the_words_for_screen_readers_stay_hidden_under_a_users_own_css(
    tmp_path: Path, make_config: MakeConfig, bundled_css: str
) -> None:
    """The archive's "Previous day: ", "Next month: " and a permalink's ": <title>" are for screen
    readers only, hidden by the ``.vh`` rule of the bundled ``_style.css.j2``.  A user's own copy
    (``templates:``, made before stop 62) has no such rule: headless Chromium showed
    "← Previous day: Fri, 13 Mar 2026" and "all versions: Quake shakes Opunake".  Each span is
    hidden by its own style too."""
    (tmp_path / "mine").mkdir()
    css = "\n".join(line for line in bundled_css.splitlines() if not line.startswith(".vh "))
    assert css != bundled_css
    (tmp_path / "mine" / "_style.css.j2").write_text(css, encoding="utf-8")
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), templates=str(tmp_path / "mine"))
    with open_store(cfg.database_url) as store:
        fill(store)
    seen = 0
    with open_site(cfg, clock=lambda: NOW) as s:
        for path in ("/day/2026-03-14", "/day/2026-03-10", "/month/2026-01", "/month/2026-03"):
            page = s.get(path).text
            assert ".vh {" not in page, path
            for span in lxml.html.document_fromstring(page).xpath("//*[contains(concat(' ', @class, ' '), ' vh ')]"):
                style = dict(p.split(":", 1) for p in (span.get("style") or "").split(";") if p)
                assert style.get("position") == "absolute" and style.get("clip-path") == "inset(50%)", (path, span.text)
                seen += 1
    assert seen >= 6


#: In each page's document: the text a selection of each story's line and of the day links holds
#: (Chromium's plain text of a copy), and the words there for screen readers only.
_COPIED = """var out = [];
var parts = d.querySelectorAll('p.meta, nav.days');
for (var i = 0; i < parts.length; i++) {
  var r = d.createRange(); r.selectNodeContents(parts[i]);
  var sel = d.defaultView.getSelection(); sel.removeAllRanges(); sel.addRange(r);
  var hidden = [].map.call(parts[i].querySelectorAll('.vh'), function (e) { return e.textContent.trim(); });
  out.push([sel.toString().trim(), hidden]);
}
return out;"""


def test_a_copy_of_a_storys_line_or_a_day_link_holds_what_is_shown(site: Site, tmp_path: Path) -> None:
    """The hidden words (``.vh``) were selected with what is shown: Chromium copied a story's
    line as "Coast News · Sat 14 Mar, 08:00 UTC · all versions: Quake shakes Opunake" and a day
    link as "← Previous day:Fri, 13 Mar 2026".  They are not selectable now; a screen reader
    still reads them (the names are tested in test_review_stop62_a11y and test_a11y)."""
    from tests.support.browser import chromium_path
    from tests.support.httpd import TestServer
    from tests.test_browser import _probes

    chromium = chromium_path()
    with TestServer() as srv:
        for path in ("/day/2026-03-14", "/day/2026-03-10"):
            srv.set("/" + path.replace("/", "_") + ".html", site.get(path).content,
                    headers={"Content-Type": "text/html; charset=utf-8"})
        found = _probes(chromium, srv, tmp_path, [("/_day_2026-03-14.html", 800, _COPIED),
                                                  ("/_day_2026-03-10.html", 800, _COPIED)])
    pairs = [pair for page in found for pair in page]
    assert len(pairs) >= 4 and all(copied and hidden for copied, hidden in pairs), pairs
    assert {w for _copied, hidden in pairs for w in hidden} >= {"Previous day:", ": Quake shakes Opunake"}, pairs
    assert [(copied, [w for w in hidden if w in copied]) for copied, hidden in pairs] == [
        (copied, []) for copied, _hidden in pairs]
