"""Stories over time: developing stories in the digest, every article new once, ``digest replay``.

A week of this project's own fixture articles (tests/fixtures/stories, timeline) is replayed
through the real command into a real SQLite store; the daily JSON, Markdown and HTML digests
are read back.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from digest.app import App
from digest.cli import main
from digest.config import SourceConfig
from digest.output.days import seal
from digest.output.view import build_view, whats_new
from digest.records import Entry
from digest.store.base import StoredArticle, open_store
from tests.support.config import MakeApp, make_config

FIXTURES = Path(__file__).parent / "fixtures"
TUE = datetime(2026, 11, 10, tzinfo=UTC)  # a Tuesday, like the fixtures' quake


def text_of(name: str) -> tuple[str, str]:
    folder = "timeline" if name.endswith("followup") else "stories"
    title, _, body = (FIXTURES / folder / f"{name}.txt").read_text(encoding="utf-8").partition("\n")
    return title, body


def record(rid: str, name: str, source: str, at: datetime, **extra: Any) -> dict[str, Any]:
    title, body = text_of(name)
    return {"id": rid, "title": title, "text": body, "source": source,
            "published": at.isoformat(), **extra}


def week() -> list[dict[str, Any]]:
    """Day 1: a quake (two outlets) and a council vote; day 2: another council vote; day 3:
    the quake's follow-up from a third outlet.  Written out of order on purpose."""
    return [
        record("followup-1", "quake_a_followup", "Harbor Herald", TUE + timedelta(days=2, hours=9)),
        record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6)),
        record("council-1", "council_a", "City Desk", TUE + timedelta(hours=10)),
        record("quake-2", "quake_a2", "Valley Wire", TUE + timedelta(hours=9),
               arrived=(TUE + timedelta(hours=9, minutes=20)).isoformat()),
        record("council-2", "council_b", "City Desk", TUE + timedelta(days=1, hours=8)),
    ]


def write_inputs(tmp_path: Path, records: list[dict[str, Any]]) -> tuple[Path, Path]:
    data = tmp_path / "week.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    cfg = make_config(tmp_path, timezone="Europe/London", write=True).config_path
    assert cfg is not None
    return data, cfg


def digest_json(tmp_path: Path, day: str) -> dict[str, Any]:
    return json.loads((tmp_path / "out" / f"digest-{day}.json").read_text(encoding="utf-8"))


def versions(story: dict[str, Any]) -> list[dict[str, Any]]:
    return [story["lead"], *story["also"]]


def test_replay_shows_each_article_new_once_and_a_follow_up_as_a_developing_story(tmp_path: Path) -> None:
    data, cfg = write_inputs(tmp_path, week())
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    days = sorted(p.name for p in (tmp_path / "out").glob("*.json"))
    assert days == [f"digest-2026-11-{d}.json" for d in (10, 11, 12)]

    day1 = digest_json(tmp_path, "2026-11-10")
    assert {s["status"] for s in day1["stories"]} == {"new"}
    # written as the daemon would at the day's end, on the replay's clock, not the wall clock
    assert datetime.fromisoformat(day1["generated"]) == datetime(2026, 11, 11, tzinfo=ZoneInfo("Europe/London"))
    quake = next(s for s in day1["stories"] if "Opunake" in s["title"])
    assert sorted(v["id"] for v in versions(quake)) == ["quake-1", "quake-2"]
    q2 = next(v for v in versions(quake) if v["id"] == "quake-2")
    assert q2["new"] is True and q2["arrived"].startswith("2026-11-10T09:20")
    assert q2["published"].startswith("2026-11-10T09:00")

    day3 = digest_json(tmp_path, "2026-11-12")
    [later] = day3["stories"]
    assert later["story_id"] == quake["story_id"] and later["status"] == "developing"
    assert {v["id"]: v["new"] for v in versions(later)} == {"quake-1": False, "quake-2": False, "followup-1": True}
    assert later["whats_new"].startswith("Opunake harbour to reopen next month")

    # every article new in exactly one digest, the day it arrived; no story without news
    seen: dict[str, list[str]] = {}
    for path in sorted((tmp_path / "out").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for s in doc["stories"]:
            fresh = [v["id"] for v in versions(s) if v["new"]]
            assert fresh, f"{doc['date']}: story {s['story_id']} shown with nothing new"
            for i in fresh:
                seen.setdefault(i, []).append(doc["date"])
    arrival = {r["id"]: datetime.fromisoformat(r.get("arrived") or r["published"]).date().isoformat() for r in week()}
    assert seen == {i: [d] for i, d in arrival.items()}


def test_developing_story_is_marked_in_markdown_and_html(tmp_path: Path) -> None:
    data, cfg = write_inputs(tmp_path, week())
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    md = (tmp_path / "out" / "digest-2026-11-12.md").read_text(encoding="utf-8")
    assert "**Developing**: Opunake harbour to reopen next month" in md
    # the follow-up only: over the excerpt it leads the entry with (stop 63), not again in the
    # outlets' list (stop 64)
    assert md.count("*new*") == 1 and md.count("Harbor Herald") == 1
    html = (tmp_path / "out" / "digest-2026-11-12.html").read_text(encoding="utf-8")
    assert 'class="story developing"' in html and 'class="developing"' in html
    first = (tmp_path / "out" / "digest-2026-11-10.md").read_text(encoding="utf-8")
    assert "Developing" not in first and "*new*" not in first


def _header(md: str) -> tuple[int, int, int]:
    """The Markdown digest's counts line: (articles read, stories, duplicates collapsed)."""
    m = re.search(r"\*\*(\d+)\*\* articles? read · \*\*(\d+)\*\* stor(?:y|ies) · \*\*(\d+)\*\* duplicates? collapsed", md)
    assert m, md[:400]
    return int(m[1]), int(m[2]), int(m[3])


def test_the_header_counts_only_the_days_versions_as_duplicates_in_every_format(tmp_path: Path) -> None:
    """A developing story's earlier versions were counted on their own days: on day 3 the
    follow-up and its copy from another outlet are two articles read, one story, one
    duplicate collapsed (the two earlier quake reports are not the day's)."""
    from digest.config import load_config
    from digest.output.render import render_text

    copy = record("followup-2", "quake_a_followup", "Metro Daily", TUE + timedelta(days=2, hours=10))
    data, cfg = write_inputs(tmp_path, [*week(), copy])
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    expected = {"2026-11-10": (3, 2, 1), "2026-11-11": (1, 1, 0), "2026-11-12": (2, 1, 1)}
    for day, (read, stories, dups) in expected.items():
        doc = digest_json(tmp_path, day)
        assert doc["counts"] == {"articles_read": read, "stories": stories, "duplicates_collapsed": dups, "muted_articles": 0,
                                 "also_reported": 0, "backlog": 0}, day
        assert _header((tmp_path / "out" / f"digest-{day}.md").read_text(encoding="utf-8")) == (read, stories, dups)
        html = (tmp_path / "out" / f"digest-{day}.html").read_text(encoding="utf-8")
        assert f"<strong>{dups}</strong> duplicate" in html, day
    [later] = digest_json(tmp_path, "2026-11-12")["stories"]
    assert later["status"] == "developing" and len(later["also"]) == 3  # all four versions listed
    with App(load_config(cfg), open_store(str(tmp_path / "data" / "digest.sqlite3"))) as app:
        text = render_text(app.build_view(date(2026, 11, 12)))  # the email's text part
    assert "2 articles read · 1 story · 1 duplicate collapsed" in text


def test_replay_reports_bad_lines_and_keeps_the_rest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = week()
    rows.insert(1, {"id": "no-source", "title": "t", "text": "x", "published": TUE.isoformat()})
    rows.insert(2, {"id": "no-date", "title": "t", "text": "x", "source": "S", "published": "soon"})
    data, cfg = write_inputs(tmp_path, rows)
    assert main(["replay", str(data), "--config", str(cfg)]) == 1
    err = capsys.readouterr().err
    assert "week.jsonl:2: needs a 'source'" in err
    assert "week.jsonl:3: cannot parse 'published': 'soon' (ISO 8601 or epoch seconds)" in err
    assert "replayed 5 articles" in err


@pytest.mark.parametrize(("published", "problem"), [
    ("yesterday-ish", "cannot parse 'published': 'yesterday-ish' (ISO 8601 or epoch seconds)"),
    (None, "needs a 'published' time (ISO 8601 or epoch seconds)"),
    (1e20, "cannot parse 'published': 1e+20 (ISO 8601 or epoch seconds)"),  # was a traceback
    ("9999-12-31T12:00:00Z", "'published' out of range: '9999-12-31T12:00:00Z' (its day must start and end "
                             "within the years 1 to 9999 UTC)"),  # its day has no end: was a traceback
])
def test_replay_names_what_is_wrong_with_a_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], published: object, problem: str
) -> None:
    rows = week()[:2]
    rows.insert(1, {"id": "odd", "title": "t", "text": "x", "source": "S", "published": published})
    data, cfg = write_inputs(tmp_path, rows)
    assert main(["replay", str(data), "--config", str(cfg)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if line.startswith("error:")] == [f"error: {data}:2: {problem}"]
    assert err[-1].startswith("replayed 2 articles")


def test_replay_from_after_to_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, cfg = write_inputs(tmp_path, week())
    assert main(["replay", str(data), "--config", str(cfg), "--from", "2026-11-12", "--to", "2026-11-10"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["error: replay: --from 2026-11-12 is after --to 2026-11-10: no day to write"]
    assert not (tmp_path / "out").exists() and not (tmp_path / "data").exists()


def test_replay_summary_counts_in_words_and_names_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, cfg = write_inputs(tmp_path, week()[1:2])
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == (f"replayed 1 article (1 new) over 1 day (2026-11-10 to 2026-11-10): "
                       f"3 files written in {tmp_path / 'out'}")


def test_replay_skips_a_line_not_utf8_and_accepts_a_byte_order_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = week()
    data, cfg = write_inputs(tmp_path, rows)
    lines = data.read_bytes().splitlines(keepends=True)
    latin1 = b'{"id":"x9","title":"caf\xe9","text":"t","source":"S","published":"2026-11-10T10:00:00Z"}\n'
    data.write_bytes(b"\xef\xbb\xbf" + lines[0] + latin1 + b"".join(lines[1:]))
    assert main(["replay", str(data), "--config", str(cfg)]) == 1
    err = capsys.readouterr().err.splitlines()
    bad = [line for line in err if line.startswith("error:")]
    assert bad == ["error: " + f"{data}:2: not UTF-8 (byte 0xe9 at column 24); save the file as UTF-8"]
    assert "replayed 5 articles" in err[-1]  # line 1 (after the mark) and the rest were read


def test_replay_caps_a_huge_title_as_a_feed_s_is(tmp_path: Path) -> None:
    """A replayed record is an entry like a feed's: a 1 MB title is cut at parse time
    (``records.TITLE_CHARS``), in the store and in every digest."""
    from digest.records import TITLE_CHARS

    rows = week()[1:2]
    rows[0]["title"] = "Quake " + "rattles the coast " * 60_000
    data, cfg = write_inputs(tmp_path, rows)
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    with open_store(str(tmp_path / "data" / "digest.sqlite3")) as store:
        [stored] = list(store.articles_since(datetime(2000, 1, 1, tzinfo=UTC), with_text=False))
    assert 0 < len(stored.title) <= TITLE_CHARS
    [story] = digest_json(tmp_path, "2026-11-10")["stories"]
    assert story["lead"]["title"] == stored.title
    for page in (tmp_path / "out").glob("digest-*"):
        assert len(page.read_bytes()) < 100_000


def test_replay_from_and_to_bound_the_digests_written(tmp_path: Path) -> None:
    data, cfg = write_inputs(tmp_path, week())
    assert main(["replay", str(data), "--config", str(cfg), "--from", "2026-11-11", "--to", "2026-11-11"]) == 0
    assert sorted(p.name for p in (tmp_path / "out").glob("*.json")) == ["digest-2026-11-11.json"]
    with open_store(str(tmp_path / "data" / "digest.sqlite3")) as store:
        stored = {a.guid for a in store.articles_since(datetime(2000, 1, 1, tzinfo=UTC), with_text=False)}
    assert stored == {"quake-1", "quake-2", "council-1", "council-2"}  # day 3 was not read


def _ingest(app: App, name: str, source: str, at: datetime) -> None:
    title, body = text_of(name)
    entry = Entry(source=source, title=title, text=body, entry_id=f"{name}@{source}", published=at)
    from digest.app import RunReport

    app.ingest(SourceConfig(name=source, path=Path(source)), [entry], fetched=at, report=RunReport())


def test_an_article_arriving_after_the_day_was_sealed_is_new_the_next_day(tmp_path: Path, make_app: MakeApp) -> None:
    with make_app(tmp_path) as app:
        _ingest(app, "quake_a1", "Coast News", TUE + timedelta(hours=8))
        seal(app.store, app.cfg, TUE.date(), TUE + timedelta(hours=12))  # mailed at noon
        _ingest(app, "quake_a2", "Valley Wire", TUE + timedelta(hours=15))
        day1 = build_view(app.store, app.cfg, TUE.date())
        day2 = build_view(app.store, app.cfg, TUE.date() + timedelta(days=1))
        assert [v.id for s in day1.stories for v in [s.lead, *s.also] if v.new] == ["quake_a1@Coast News"]
        [story] = day2.stories
        assert story.status == "developing"
        assert [v.id for v in [story.lead, *story.also] if v.new] == ["quake_a2@Valley Wire"]
        # a later seal of the same day changes nothing: what was shown stays shown
        seal(app.store, app.cfg, TUE.date(), TUE + timedelta(hours=20))
        assert build_view(app.store, app.cfg, TUE.date()).articles_read == 1


def test_a_day_with_nothing_new_for_a_story_does_not_show_it(tmp_path: Path, make_app: MakeApp) -> None:
    with make_app(tmp_path) as app:
        _ingest(app, "quake_a1", "Coast News", TUE + timedelta(hours=8))
        _ingest(app, "council_a", "City Desk", TUE + timedelta(days=1, hours=8))
        day2 = build_view(app.store, app.cfg, date(2026, 11, 11))
        assert [s.title for s in day2.stories] == [text_of("council_a")[0]]


def _stored(key: str, title: str, text: str, hour: int) -> StoredArticle:
    return StoredArticle(
        key=key, source="S", url=None, title=title, text=text, published=None,
        fetched=TUE + timedelta(hours=hour), author=None, truncated=False, priority=0.0, junk=[],
        fingerprint=b"", story_id="s", score=None, score_detail=None,
    )


def test_whats_new_is_the_new_headline_or_the_lede_when_the_headline_repeats() -> None:
    old = _stored("a", "Quake hits Opunake harbour", "A quake struck.", 1)
    fresh = _stored("b", "Harbour to reopen next month", "Engineers said the wall would be rebuilt. More.", 5)
    assert whats_new([fresh], [old]) == "Harbour to reopen next month"
    same = _stored("c", "Quake hits Opunake harbour, Taranaki", "Death toll rises to 3 in Opunake. Later text.", 6)
    assert whats_new([same], [old]) == "Death toll rises to 3 in Opunake."
    # the latest new version speaks when several arrived
    assert whats_new([same, fresh], [old]) == "Death toll rises to 3 in Opunake."
    # a new version that became the lead is the story's heading: its lede says what is new
    assert whats_new([fresh], [old], heading=fresh.title) == "Engineers said the wall would be rebuilt."
    # a dateline is no sentence of its own, and the line begins after it (stop 48 review: as
    # the excerpt does, which showed the sentence the line repeated)
    wire = _stored("d", old.title, "OPUNAKE, N.Z. (AP) — Three people died in the quake, police said. More.", 7)
    assert whats_new([wire], [old]) == "Three people died in the quake, police said."


def test_a_headline_that_adds_the_news_to_the_storys_words_is_the_line() -> None:
    """GVC test, a week replayed: "Boy, 17, shot in Claymont has died" shares 4 of its 7 words
    with "Boy, 17, injured in Claymont shooting", and the line was the lede, a photo caption."""
    shot = _stored("a", "Boy, 17, injured in Claymont shooting", "A boy was shot.", 1)
    caption = "Buy Photo Police vehicles are on the scene of a Claymont shooting. The boy died."
    died = _stored("b", "Boy, 17, shot in Claymont has died", caption, 30)
    assert whats_new([died], [shot], heading=shot.title) == died.title
    assert whats_new([_stored("c", "Claymont boy dies", caption, 30)], [shot]) == "Claymont boy dies"
    # what the reader read is every earlier headline: a new one made of their words repeats them
    seen = _stored("d", "Claymont teen dies after shooting", "A boy was shot.", 20)
    again = _stored("e", "Teen dies after Claymont shooting, 17", "The teen, 17, died on Monday night.", 30)
    assert whats_new([again], [shot, seen], heading=shot.title) == "The teen, 17, died on Monday night."


def test_the_atom_feed_updates_a_developing_storys_entry_instead_of_repeating_it(tmp_path: Path) -> None:
    import threading

    import feedparser
    import httpx

    from digest.config import load_config
    from digest.output.atom import story_tag
    from digest.service.web import make_server

    data, cfg_path = write_inputs(tmp_path, week())
    assert main(["replay", str(data), "--config", str(cfg_path)]) == 0
    cfg = load_config(cfg_path)
    server = make_server(cfg, "127.0.0.1", 0, clock=lambda: TUE + timedelta(days=2, hours=18))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        body = httpx.get(f"http://127.0.0.1:{server.server_address[1]}/feed.atom", timeout=10).content
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    feed = feedparser.parse(body)
    ids = [e.id for e in feed.entries]
    assert len(ids) == len(set(ids)) == 3  # the quake, two council votes: each once
    quake = next(e for e in feed.entries if e.id == story_tag("quake-1@Coast News") or "Opunake" in e.title)
    assert quake.updated.startswith("2026-11-12T09:")  # the follow-up's arrival
    assert feed.entries[0] is quake  # the most recently updated entry first


def test_an_earlier_days_page_shows_the_story_as_it_stood_that_day(tmp_path: Path, make_app: MakeApp) -> None:
    data, cfg = write_inputs(tmp_path, week())
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    with make_app(tmp_path) as app:  # the store the replay wrote (same data folder)
        day1 = build_view(app.store, app.cfg, TUE.date())
        quake = next(s for s in day1.stories if "Opunake" in s.title)
        assert sorted(v.id for v in [quake.lead, *quake.also]) == ["quake-1", "quake-2"]  # no follow-up yet
