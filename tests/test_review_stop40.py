"""Review of stop 40's changes (a figure changed is news, a copy's headline without its outlet's
name, search newest first, a past day's failing feeds).  Real parts where it matters: the feed
on a loopback server, ``digest run``/``build`` through the CLI, SQLite on disk
(``tests.test_review_stop37_inplace.Reader``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from digest.cli import main
from digest.output.figures import figures
from digest.output.news import adds_nothing
from digest.store.base import StoredArticle
from tests.support.httpd import TestServer
from tests.test_review_stop37_inplace import DAY1, Q_TEXT, Q_TITLE, Reader, feed, quake_of


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv)


# -- a figure with its magnitude glued on is a figure ------------------------------------------

DAMAGE = "about 4,000 homes, GeoNet said."


@pytest.mark.parametrize(("old", "new"), [
    ("damage estimated at $1.2bn", "damage estimated at $2.4bn"),
    ("1.5m litres of water lost", "2.5m litres of water lost"),
])
def test_a_figure_with_its_magnitude_raised_in_place_is_news(reader: Reader, old: str, new: str) -> None:
    """"$1.2bn" become "$2.4bn" was no figure ("2.4bn" a word to the figure pattern): the revision
    was read as read and no digest said the estimate doubled."""
    assert DAMAGE in Q_TEXT
    first = reader.run(DAY1, feed((Q_TITLE, Q_TEXT.replace(DAMAGE, f"about 4,000 homes, with {old}, GeoNet said."))))
    assert quake_of(first)["status"] == "new"
    second = reader.run(DAY1 + timedelta(hours=14),
                        feed((Q_TITLE, Q_TEXT.replace(DAMAGE, f"about 4,000 homes, with {new}, GeoNet said."))))
    quake = quake_of(second)
    assert quake["status"] == "developing" and new in quake["whats_new"], quake["whats_new"]


@pytest.mark.parametrize(("text", "found"), [
    ("It cost $2bn, 1.5m litres and 12k homes.", {"#2bn", "#1.5", "#12"}),  # test_figures_scale
    ("Updated 5m ago · 1.2K views", set()),
    ("👁 222.5K · 💬 12", set()),  # a page's counters after their icons
    ("٣ قتلى و ١٢ جريحا في عام ٢٠٢٦", {"#3", "#12"}),  # Arabic-Indic digits: numbers, a year none
])
def test_the_figures_of_magnitudes_and_other_digits(text: str, found: set[str]) -> None:
    assert figures(text) == found



@pytest.mark.parametrize(("old", "new"), [
    ("11 junior doctors were treated", "13 junior doctors were treated"),
    ("27 Marines were treated", "29 Marines were treated"),
    ("some 9 separate families were treated", "some 14 separate families were treated"),
])
def test_a_figure_before_a_word_a_month_begins_is_a_figure(reader: Reader, old: str, new: str) -> None:
    """A number before or after any word beginning as a month does ("Marines", "junior",
    "separate", "declined", "marked") was taken for a date's day: the toll raised was read as read."""
    treated = "two people were treated"
    reader.run(DAY1, feed((Q_TITLE, Q_TEXT.replace(treated, old))))
    quake = quake_of(reader.run(DAY1 + timedelta(hours=14), feed((Q_TITLE, Q_TEXT.replace(treated, new)))))
    assert quake["status"] == "developing" and new in quake["whats_new"], quake["whats_new"]
    assert figures("Shares declined 5% as the town marked 50 years; maybe 30 came.") == {"#5", "#50", "#30"}
    assert figures("On Nov. 12, March 19, 3 Sept. and December 24.") == set()  # days of months still


def test_a_stakes_shares_are_a_figure_and_a_pages_shares_are_not(reader: Reader) -> None:
    """"shares" after a number was a page's counter everywhere: a stake raised in place, "sold
    50,000 shares" become "sold 80,000 shares", was read as read."""
    stake = "\nThe harbour board's chair sold {} shares in Port Taranaki on Monday to fund the repairs."
    reader.run(DAY1, feed((Q_TITLE, Q_TEXT + stake.format("50,000"))))
    quake = quake_of(reader.run(DAY1 + timedelta(hours=14), feed((Q_TITLE, Q_TEXT + stake.format("80,000")))))
    assert quake["status"] == "developing" and "80,000 shares" in quake["whats_new"], quake["whats_new"]
    assert figures("Posted 3 hours ago · 1.2K views · 45 comments · 12 shares (7 shares)") == set()

# -- what churns at every poll is no figure -----------------------------------------------------

@pytest.mark.parametrize(("before", "after"), [
    ("Vor 3 Stunden aktualisiert", "Vor 4 Stunden aktualisiert"),
    ("Mis à jour il y a 3 heures", "Mis à jour il y a 4 heures"),
    ("Actualizado hace 3 horas", "Actualizado hace 4 horas"),
    ("Aggiornato 3 ore fa", "Aggiornato 4 ore fa"),
    ("Bijgewerkt 3 uur geleden", "Bijgewerkt 4 uur geleden"),
    ("By Jane Doe · 5 min read", "By Jane Doe · 6 min read"),
])
def test_time_ago_in_other_languages_and_a_reading_time_are_no_news(reader: Reader, before: str, after: str) -> None:
    """A site's "vor 3 Stunden" line above the text runs on into the lede's passage: as a figure
    it made the lede new at every poll, and the story developed each revision interval with
    "Vor 4 Stunden aktualisiert A magnitude 6.1 ..." as what is new."""
    reader.run(DAY1, feed((Q_TITLE, f"{before}\n{Q_TEXT}")))
    second = reader.run(DAY1 + timedelta(hours=14), feed((Q_TITLE, f"{after}\n{Q_TEXT}")))
    assert second["stories"] == [] and len(reader.articles()) == 2
    assert not figures(f"{after} A magnitude 6.1 earthquake") - {"#6.1"}


def test_a_number_after_vor_is_a_figure_when_no_time_follows() -> None:
    assert figures("Er sprach vor 12 Abgeordneten, vor 3 Stunden.") == {"#12"}


# -- an outlet's name is left out of its headline only where it stands apart ----------------------

INQUIRY = ("The Taranaki Regional Council ordered an inquiry on Wednesday into the collapse of the Opunake harbour "
           "wall, where a 20-metre section fell into the sea.\nThe council chair said the inquiry would report by "
           "March, and that the harbour would stay closed to fishing boats until then.")
ORDERED = "Council orders inquiry into Opunake harbour wall collapse"


@pytest.mark.parametrize(("outlet", "title"), [
    ("The Independent", "Independent inquiry into Opunake harbour wall collapse"),
    ("Washington Post", "Washington orders inquiry into Opunake harbour wall collapse"),
])
def test_an_outlets_name_in_the_headline_itself_is_news(outlet: str, title: str) -> None:
    """Every word of the outlet's name was taken out of the headline, wherever it stood: The
    Independent's "Independent inquiry ..." (the inquiry is an independent one) was read as a
    copy of "Council orders inquiry ...", counted as a duplicate and not shown."""
    earlier = [_said("a", "Coast News", ORDERED)]
    assert not adds_nothing(_said("b", outlet, title), earlier)


@pytest.mark.parametrize("title", [
    f"{ORDERED} | The Independent",
    f"{ORDERED} - The Independent",
    f"{ORDERED} – Independent",
    f"Independent | {ORDERED}",
    f"BREAKING: {ORDERED} :: The Independent",
])
def test_an_outlets_name_apart_from_its_headline_is_still_no_news(title: str) -> None:
    earlier = [_said("a", "Coast News", ORDERED)]
    assert adds_nothing(_said("b", "The Independent", title), earlier)


def _said(key: str, source: str, title: str) -> StoredArticle:
    return StoredArticle(key=key, source=source, url=None, title=title, text=INQUIRY, published=DAY1, fetched=DAY1,
                         author=None, truncated=False, priority=0.0, junk=[], fingerprint=b"", story_id="s",
                         score=None, score_detail=None)


# -- search newest first after a backfill -------------------------------------------------------

TOWNS = "Opunake Manaia Hawera Eltham Stratford Inglewood Waitara Urenui Okato Patea Kaponga Normanby".split()
PLACES = "bridge school library wharf hospital museum stadium tunnel pool market bakery cinema".split()


def _jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_search_newest_first_after_a_backfill_finds_this_weeks_stories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """FTS5 read the matches by rowid, latest stored first, taken as the order they arrived in;
    ``digest replay`` backfilling a store with last year's history stores them after this week's:
    ``digest search --newest`` listed year-old stories and never reached this week's."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources: []\noutput_dir: out\ndata_dir: data\ntimezone: UTC\n"
                   "clock: '2026-11-20T12:00:00+00:00'\n", encoding="utf-8")
    recent = _jsonl(tmp_path / "recent.jsonl", [
        {"id": f"r{i}", "source": "Coast", "title": f"{t} harbour {p} reopens",
         "text": f"The {p} beside the {t} harbour reopened on Thursday after repairs costing more than expected, "
                 f"the {t} board chair said in a statement.", "published": f"2026-11-19T0{i + 1}:00:00Z"}
        for i, (t, p) in enumerate(zip(TOWNS[:2], PLACES[:2], strict=True))])
    old = _jsonl(tmp_path / "old.jsonl", [
        {"id": f"o{i}", "source": "Valley", "title": f"{t} {p} storm damage near harbour",
         "text": f"Storm winds damaged the {t} {p} near the harbour; volunteers from {t} cleared debris from "
                 f"the {p} grounds all weekend.", "published": f"2025-03-{10 + i % 3:02d}T{8 + i:02d}:00:00Z"}
        for i, (t, p) in enumerate(zip(TOWNS, PLACES, strict=True))])
    assert main(["replay", str(recent), "--config", str(cfg)]) == 0
    assert main(["replay", str(old), "--config", str(cfg)]) == 0  # last year's history, stored after
    capsys.readouterr()
    for limit in ("1", "2", "3"):
        assert main(["search", "--config", str(cfg), "--json", "--newest", "--limit", limit, "harbour"]) == 0
        found = json.loads(capsys.readouterr().out)
        assert [r["day"][:4] for r in found] == ["2026", "2026", "2025"][: int(limit)], found
    assert main(["search", "--config", str(cfg), "--json", "--newest", "--since", "2026-11-01", "harbour"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
