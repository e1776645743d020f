"""Stop 62, a reader's saved pages (review): what the digest shows of a saved ``.html`` article
dropped in a folder source.  Small pages of our own in ``tests/fixtures/pages62/``, each
carrying one thing the 181 scrapinghub pages showed wrong (docs/evaluation.md, "Stop 62: a
reader's saved pages (review)")."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from digest.sources.localfiles import read_file
from digest.sources.pagemeta import metas, stated_time

PAGES = Path(__file__).parent / "fixtures" / "pages62"
NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)


def _entry(name: str):
    (entry,) = read_file(PAGES / name, source="Saved", now=NOW)
    return entry


def test_a_time_stating_its_offset_wins_over_an_earlier_one_without() -> None:
    # sailthru.date "2019-11-18 20:58:46" (local time, no offset) came first and was shown 8 h early
    entry = _entry("offset-later.html")
    assert entry.published == datetime(2019, 11, 19, 4, 58, 46, tzinfo=UTC)
    assert not entry.date_from_file


def test_a_placeholder_date_is_passed_over_for_the_next_stated() -> None:
    # "0001-01-01T00:00:00Z" stopped the search: the page was dated by its file, an old article as today's
    entry = _entry("placeholder.html")
    assert entry.published == datetime(2019, 11, 18, 22, 7, 38, tzinfo=UTC)  # -0600 read
    assert not entry.date_from_file


def test_other_forms_need_an_explicit_zone() -> None:
    def at(value: str) -> datetime | None:
        head = f'<meta property="article:published_time" content="{value}">'
        return stated_time(head, metas(head))

    assert at("Tue Nov 19 2019 03:05:46 GMT+0000") == datetime(2019, 11, 19, 3, 5, 46, tzinfo=UTC)
    assert at("20 Nov 2019 08:02 GMT") == datetime(2019, 11, 20, 8, 2, tzinfo=UTC)
    assert at("November 19, 2019, 07:47 PM EST") is None  # read as 07:47 UTC by a lenient parser
    assert at("2019-11-19") == datetime(2019, 11, 19, tzinfo=UTC)  # a day stated alone: its day


def test_a_site_part_goes_where_the_rest_is_the_pages_heading() -> None:
    assert _entry("site-part.html").title == "Council votes to rebuild the harbour wall"


def test_a_day_stated_alone_is_shown_without_a_time() -> None:
    # "Tue, 19 Nov 2019, 00:00 UTC": a time nobody stated, and "Mon, 18 Nov 2019, 19:00 EST" in New York
    from zoneinfo import ZoneInfo

    from digest.output.dates import version_time

    new_york = ZoneInfo("America/New_York")
    day = datetime(2019, 11, 19, tzinfo=UTC)
    assert version_time(day, None, new_york, day="2026-12-07", day_only=True).replace("\xa0", " ") == "Tue, 19 Nov 2019"
    stated = datetime(2019, 11, 19, 0, 1, tzinfo=UTC)  # a time stated, even a minute past midnight, is kept
    assert version_time(stated, None, new_york, day="2026-12-07").replace("\xa0", " ") == "Mon, 18 Nov 2019, 19:01 EST"


def test_the_story_page_says_a_day_stated_alone_without_a_time(tmp_path: Path, make_app) -> None:
    # the story page's "first reported Tue, 5 Apr 2016, 00:00 UTC" (its versions' lines said the day alone)
    import shutil

    from tests.support.web import hrefs, site

    folder = tmp_path / "saved"
    folder.mkdir()
    shutil.copy(PAGES / "day-only.html", folder / "day-only.html")
    with make_app(tmp_path, {"Saved": folder}, clock="2026-12-07T20:00:00Z", backlog_days=0) as app:
        assert app.run().errors == []
        with site(app.cfg) as s:
            day = s.get("/day/2026-12-07").text
            (story,) = [h for h in hrefs(day) if h.startswith("/story/")]
            page = s.get(story).text.replace("\xa0", " ")
    assert 'first reported <span class="time">Sat 5 Dec</span>' in page and "00:00" not in page, page


def test_a_time_stated_after_a_long_head_is_read(tmp_path: Path) -> None:
    # datePublished 211k-385k characters in, after inline scripts: htmldate read it without its offset
    page = (PAGES / "offset-later.html").read_text(encoding="utf-8")
    script = "<script>var x = '" + "a" * 300_000 + "';</script>"
    late = page.replace('<meta name="sailthru.date" content="2019-11-18 20:58:46">\n', "").replace(
        '<script type="application/ld+json">', script + '<script type="application/ld+json">'
    ).replace("04:58:46Z", "04:58:46-05:00")
    path = tmp_path / "late.html"
    path.write_text(late, encoding="utf-8")
    (entry,) = read_file(path, source="Saved", now=NOW)
    assert entry.published == datetime(2019, 11, 19, 9, 58, 46, tzinfo=UTC)
