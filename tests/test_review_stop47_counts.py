"""Stop 47 review (counts): every number a reader sees agrees with what it counts."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config
from digest.output.search import search
from digest.store.base import open_store
from tests.support.archive import article
from tests.support.config import MakeConfig
from tests.support.replays import replayed
from tests.support.web import site

WEEK = "digests:\n  - name: weekly\n    every: week\n    weekday: monday\n  - name: daily\n"


TEXTS = {
    "ferry": "The ferry Aurora ran aground near Kestrel Point on Wednesday morning with 212 passengers on board; "
             "the coastguard took them off by lifeboat and nobody was hurt, the operator said.",
    "rail": "The city council approved a new light rail line linking the airport with the central station, "
            "after a vote of 31 to 12; building the 14 kilometre line begins next spring.",
    "fire": "A fire at a warehouse in the port area destroyed a stock of timber overnight; forty firefighters "
            "fought the blaze for hours and police have opened an inquiry into its cause.",
}


def note(folder: Path, name: str, title: str, when: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = TEXTS[name.removesuffix(".md")]
    (folder / name).write_text(f"---\ntitle: {title}\ndate: {when}\n---\n\n{text}\n", encoding="utf-8")


def test_the_run_line_counts_the_daily_digest_it_wrote_when_a_weekly_one_is_listed_first(
    tmp_path: Path, make_config: MakeConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes"
    note(notes, "ferry.md", "Ferry Aurora runs aground near Kestrel Point", "2026-11-18T08:00:00Z")
    note(notes, "rail.md", "Council approves the airport light rail line", "2026-11-19T08:00:00Z")
    for clock in ("2026-11-19T20:00:00Z", "2026-11-20T20:00:00Z"):
        if clock.startswith("2026-11-20"):
            note(notes, "fire.md", "Warehouse fire destroys the timber stock", "2026-11-20T10:00:00Z")
        cfg = make_config(tmp_path, {"Desk": notes}, WEEK, write=True, clock=clock, timezone="Europe/London")
        assert main(["run", "--config", str(cfg.config_path)]) == 0
    err = capsys.readouterr().err.splitlines()[-1]
    daily = (tmp_path / "out" / "daily" / "digest-daily-2026-11-20.md").read_text(encoding="utf-8")
    assert "**1** story" in daily  # the fire: the day's one story
    # the line said "3 stories in the digest of 2026-11-20 (3 new, ...)": the weekly's week so far
    assert "1 story in the digest of 2026-11-20 (1 new, 0 developing)" in err, err


STORM = ("Storm Corrin hit the northern coast on Monday morning, flooding the harbour district and cutting power "
         "to about 4,000 homes, the regional council said. Emergency crews evacuated two care homes near the "
         "seafront as waves broke over the sea wall. The coastguard said three fishing boats were missing.")



def test_a_search_result_counts_the_versions_its_story_page_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A site that moved lists its page again under a new id and link: the story page lists the
    page once ("2 versions from 2 outlets"); the search result said 3 versions."""
    title = "Storm Corrin floods harbour district"
    cfg = replayed(tmp_path, [
        {"id": "c1", "source": "Coast News", "title": title, "text": STORM, "url": "http://coast.example/?p=1",
         "published": "2026-11-16T07:30:00Z", "arrived": "2026-11-16T08:10:00Z"},
        {"id": "r1", "source": "Wire Desk", "title": title, "text": STORM, "url": "https://wire.example/r1",
         "published": "2026-11-16T08:30:00Z", "arrived": "2026-11-16T09:10:00Z"},
        {"id": "c1-moved", "source": "Coast News", "title": title, "text": STORM,
         "url": "https://coast.example/2026/11/storm", "published": "2026-11-16T07:30:00Z",
         "arrived": "2026-11-17T08:10:00Z"},
    ])
    capsys.readouterr()
    assert main(["search", "storm", "--json", "--config", str(cfg)]) == 0
    [found] = json.loads(capsys.readouterr().out)
    with site(load_config(cfg), clock=lambda: datetime(2026, 11, 18, 12, tzinfo=UTC)) as web:
        page = web.get(f"/story/{found['story_id']}").text
    shown = re.search(r"(\d+) versions? from (\d+) outlets?", page)
    assert shown is not None
    assert (found["versions"], found["outlets"]) == (int(shown.group(1)), int(shown.group(2))) == (2, 2)


def test_an_atom_entry_is_not_updated_by_copies_of_earlier_days(tmp_path: Path) -> None:
    """A report, then another outlet's copy the next day, and a third's the day after: both days
    "also reported since", the entry is not updated.  On the third day the second day's copy
    (no longer new, so no longer marked a copy) moved the entry's ``updated`` to its arrival."""
    title = "Storm Corrin floods harbour district"
    cfg = replayed(tmp_path, [
        {"id": f"{n}1", "source": source, "title": title, "text": STORM, "url": f"https://{n}.example/1",
         "published": f"2026-11-{day}T07:30:00Z", "arrived": f"2026-11-{day}T08:10:00Z"}
        for n, source, day in (("coast", "Coast News", 16), ("metro", "Metro Daily", 17), ("x", "Outlet X", 18))
    ])
    for day in (17, 18):
        digest = json.loads((tmp_path / "out" / f"digest-2026-11-{day}.json").read_text(encoding="utf-8"))
        assert [s["also_reported"] for s in digest["stories"]] == [True]

    def updated(day: int) -> list[str]:
        with site(load_config(cfg), clock=lambda: datetime(2026, 11, day, 20, tzinfo=UTC)) as web:
            return re.findall(r"<entry>.*?<updated>([^<]+)</updated>", web.get("/feed.atom").text)

    assert updated(16) == updated(17) == updated(18) == ["2026-11-16T08:10:00Z"]


def test_a_story_split_off_by_a_regrouping_is_first_seen_when_its_versions_arrived(
    tmp_path: Path, make_config: MakeConfig
) -> None:
    """A regrouping moves Tuesday's report out of Monday's story into a story of its own: that
    story was first seen on Tuesday (ECB+ dev, replayed: 15 of 52 stories were "first seen"
    before any of their versions arrived; a story of one report of 4 January said "first seen
    Tue 2 Jan" on its page, and search dated it 2024-01-02, a day whose digest never showed it)."""
    cfg = make_config(tmp_path, write=True, timezone="UTC")
    monday, tuesday = datetime(2026, 11, 16, 9, tzinfo=UTC), datetime(2026, 11, 17, 9, tzinfo=UTC)
    with open_store(cfg.database_url) as store:
        store.add_article(article("a1", "Coast News", "Storm Corrin floods the harbour", "https://c.example/1",
                                  monday, STORM), b"1", "S")
        store.add_article(article("a2", "Valley Wire", "Ferry Aurora runs aground at Kestrel Point",
                                  "https://v.example/2", tuesday, TEXTS["ferry"]), b"2", "S")
        store.update_story("S", first_seen=monday)
        store.move_article("a2", "a2")  # the regrouping splits it off
        split = store.get_story("a2")
        assert split is not None and split.first_seen == tuesday
        [found] = search(store, cfg, "ferry aurora")
        assert found.day == tuesday.date()  # the digest it was new in
    with site(cfg, clock=lambda: datetime(2026, 11, 18, 12, tzinfo=UTC)) as web:
        page = web.get("/story/a2").text
    assert "Tue\xa017\xa0Nov" in page.split("first reported", 1)[1][:200]
