"""Stop 46's review: a source renamed in feeds.yaml (its feed kept).  Its earlier articles were
stored under the old name, and a story it carried on both days listed one outlet twice
("Gamma Evening" leading, "Gamma Daily" under it, "2 outlets"), as did search and the
archive's story page.  Real parts: a feed file, ``digest run`` through the CLI with the
configuration's clock, SQLite on disk, the archive through ``digest serve``'s app."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from digest.app import open_app
from digest.cli import main
from digest.output.search import search
from tests.support.web import site
from tests.test_timeline import text_of


def _rss(*items: tuple[str, str, datetime]) -> str:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{escape(text_of(name)[0])}</title><link>https://g.example/{guid}</link>"
        f"<pubDate>{at.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        f"<description>{escape(text_of(name)[1])}</description></item>"
        for guid, name, at in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>G</title><link>https://g.example/</link>'
            f"<description>g</description>{body}</channel></rss>")


def _config(tmp_path: Path, name: str, clock: str, extra: str = "") -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(f"clock: {clock}\nsources:\n  - name: {name}\n    path: gamma.rss\n{extra}"
                    "timezone: UTC\noutput_dir: out\ndata_dir: data\n", encoding="utf-8")
    return path


def test_a_source_renamed_is_one_outlet_under_its_name_now(tmp_path: Path) -> None:
    first = ("g1", "quake_a1", datetime(2026, 12, 1, 9, tzinfo=UTC))
    (tmp_path / "gamma.rss").write_text(_rss(first), encoding="utf-8")
    assert main(["run", "--config", str(_config(tmp_path, "Gamma Daily", "2026-12-01T18:00:00Z")), "-q"]) == 0
    (tmp_path / "gamma.rss").write_text(_rss(first, ("g2", "quake_a2", datetime(2026, 12, 2, 9, tzinfo=UTC))),
                                        encoding="utf-8")
    path = _config(tmp_path, "Gamma Evening", "2026-12-02T18:00:00Z")
    assert main(["run", "--config", str(path), "-q"]) == 0
    out = tmp_path / "day2.json"
    assert main(["build", "--config", str(path), "--date", "2026-12-02", "-o", str(out)]) == 0
    [story] = json.loads(out.read_text(encoding="utf-8"))["stories"]
    assert story["status"] == "developing" and story["outlets"] == 1
    assert {v["outlet"] for v in [story["lead"], *story["also"]]} == {"Gamma Evening"}
    assert "Gamma Daily" not in (tmp_path / "out" / "digest-2026-12-02.md").read_text(encoding="utf-8")
    with open_app(path) as app, site(app.cfg) as web:
        [found] = search(app.store, app.cfg, "Opunake")
        assert (found.source, found.outlets) == ("Gamma Evening", 1)
        page = web.get(f"/story/{story['story_id']}").text
        assert "Gamma Evening" in page and "Gamma Daily" not in page
        # the first item, read again under the new name, is one page: listed once, as the digest does
        assert page.count('href="https://g.example/g1"') == 2 and "2 versions from 1 outlet" in page  # heading, one row


def test_two_sources_on_one_feed_are_not_taken_for_a_rename(tmp_path: Path) -> None:
    """The old name's feed is read by two sources now: neither is its name."""
    first = ("g1", "quake_a1", datetime(2026, 12, 1, 9, tzinfo=UTC))
    (tmp_path / "gamma.rss").write_text(_rss(first), encoding="utf-8")
    assert main(["run", "--config", str(_config(tmp_path, "Gamma Daily", "2026-12-01T18:00:00Z")), "-q"]) == 0
    path = _config(tmp_path, "Gamma Evening", "2026-12-02T18:00:00Z", "  - name: Gamma Late\n    path: gamma.rss\n")
    with open_app(path) as app:
        [found] = search(app.store, app.cfg, "Opunake")
        assert found.source == "Gamma Daily"
