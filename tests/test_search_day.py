"""Search links a story to the digest that showed it: an article that arrived after its day's
digest was sealed is in the next day's digest, and search (the command, ``--json``, the archive's
search page) and the archive's story page name that day, not its arrival day."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from digest.app import App
from digest.cli import main
from digest.output.days import seal, shown_day
from digest.output.search import search
from tests.support.config import MakeApp
from tests.support.web import site

TZ = ZoneInfo("Pacific/Auckland")
DAY = date(2026, 11, 20)
NEXT = date(2026, 11, 21)


def at(hour: int) -> datetime:
    return datetime(2026, 11, 20, hour, tzinfo=TZ)


def note(folder: Path, name: str, title: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"---\ntitle: {title}\ndate: 2026-11-20T08:00:00+13:00\n---\n\n{text}\n", encoding="utf-8")


@pytest.fixture
def app(tmp_path: Path, make_app: MakeApp) -> App:
    """The library story read in the morning, the day's digest sealed at 10:00 (as the daemon
    does when it mails it), the ferry story read at 18:00: the ferry is the next day's news."""
    notes = tmp_path / "notes"
    note(notes, "library.md", "Council approves the Victoria Street library",
         "The council approved the library rebuild on Victoria Street on Friday. " * 4)
    application = make_app(tmp_path, {"Desk": notes}, timezone="Pacific/Auckland")
    application.run(now=at(9))
    seal(application.store, application.cfg, DAY, at(10))
    note(notes, "ferry.md", "Ferry Aurora runs aground near Kestrel Point",
         "The ferry Aurora ran aground near Kestrel Point; all 212 passengers are safe. " * 4)
    application.run(now=at(18))
    return application


def test_a_story_read_after_its_day_was_sealed_is_found_on_the_next_day(app: App) -> None:
    with app:
        assert shown_day(app.store, app.cfg, at(18)) == NEXT and shown_day(app.store, app.cfg, at(9)) == DAY
        [ferry] = search(app.store, app.cfg, "aground")
        [library] = search(app.store, app.cfg, "library")
        assert (ferry.day, library.day) == (NEXT, DAY)
        # the day named is the digest that shows it
        assert [s.title for s in app.build_view(NEXT).stories] == ["Ferry Aurora runs aground near Kestrel Point"]
        assert "Ferry Aurora runs aground near Kestrel Point" not in [s.title for s in app.build_view(DAY).stories]
        # --since a day: the stories of that day's digest and later
        assert [r.day for r in search(app.store, app.cfg, "aground", since=NEXT)] == [NEXT]
        assert search(app.store, app.cfg, "library", since=NEXT) == []


def test_the_search_command_names_the_next_day(app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app.close()
    (tmp_path / "feeds.yaml").write_text(
        f"sources:\n  - {{name: Desk, path: {tmp_path / 'notes'}}}\noutput_dir: out\ndata_dir: data\n"
        "timezone: Pacific/Auckland\n", encoding="utf-8")  # fmt: skip
    assert main(["search", "aground", "--config", str(tmp_path / "feeds.yaml")]) == 0
    assert capsys.readouterr().out.startswith("2026-11-21  Ferry Aurora runs aground")
    assert main(["search", "aground", "--json", "--config", str(tmp_path / "feeds.yaml")]) == 0
    assert [r["day"] for r in json.loads(capsys.readouterr().out)] == ["2026-11-21"]
    # --since leaving every match out says so: "no story matches" alone told a reader narrowing a
    # search that the words were found nowhere (stop 56)
    config = str(tmp_path / "feeds.yaml")
    assert main(["search", "library", "--since", "2026-11-21", "--config", config]) == 1  # none: as grep
    said = capsys.readouterr()
    assert said.out == "" and said.err == ("no story matches 'library' in the digest of 2026-11-21 or later; "
                                           "earlier ones do (without --since)\n")
    assert main(["search", "zeppelin", "--since", "2026-11-21", "--config", config]) == 1
    assert capsys.readouterr().err == "no story matches 'zeppelin'\n"


def test_the_archive_links_the_story_to_the_next_days_digest(app: App) -> None:
    with app, site(app.cfg, clock=lambda: at(20)) as s:
        page = lxml.html.document_fromstring(s.get("/search", params={"q": "aground"}).text)
        [hit] = page.xpath("//ol[@class='results']/li")
        links = [a.get("href") for a in hit.iter("a")]
        assert links[1] == "/day/2026-11-21" and "Sat, 21 Nov 2026" in hit.text_content().replace("\xa0", " ")
        story = lxml.html.document_fromstring(s.get(links[0]).text)
        assert "/day/2026-11-21" in [a.get("href") for a in story.iter("a")]
        day = lxml.html.document_fromstring(s.get("/day/2026-11-21").text)
        assert links[0] in [a.get("href").partition("?")[0] for a in day.iter("a")]  # and that day shows it
