"""Stop 56: three papercuts today's reviews left (docs/evaluation.md, "Stop 56: excerpts, the
poll line, bidi in excerpts").

Real parts: feed files read by the App's whole run (SQLite on disk), every plain renderer, a
daemon's poll round over loopback feeds, ``digest`` through its command line."""

from __future__ import annotations

import html
import json
import logging
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.cli import main
from digest.output.render import make_env, render_markdown, render_text
from digest.text.fragments import fragment_to_text
from tests.support.config import MakeApp, config_text
from tests.test_fulltext import story

DAY = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
RLO, PDF = "\u202e", "\u202c"


def _rss(items: list[tuple[str, str, datetime]], *, content: bool = False) -> str:
    """An RSS feed of ``(title, HTML or text, published)`` items: the text in ``<description>``,
    or with ``content`` in ``content:encoded`` (a fragment of HTML)."""
    parts = []
    for i, (title, body, when) in enumerate(items):
        text = f"<content:encoded><![CDATA[{body}]]></content:encoded>" if content else (
            f"<description>{html.escape(body)}</description>")
        parts.append(f"<item><title>{html.escape(title)}</title><link>https://n.example/{i}</link>"
                     f"<guid>g{i}</guid><pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate>{text}</item>")
    return ("<?xml version='1.0'?><rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'>"
            f"<channel><title>T</title>{''.join(parts)}</channel></rss>")


# -- 1. a table's cells running into the excerpt -------------------------------------------------

#: The phone review's record: a paragraph, then a table of nine columns (its header, a row of
#: numbers), then prose again.
TABLE = ("<p>The fire started in the basement of the building on Main Street late on Tuesday, "
         "an officer said.</p><table><thead><tr>"
         + "".join(f"<th>Column header number {i}</th>" for i in range(9))
         + "</tr></thead><tbody><tr>" + "".join(f"<td>{17 * i}</td>" for i in range(9))
         + "</tr></tbody></table><p>Crews from three stations fought the flames for two hours "
         "before the roof was declared safe, and nobody was hurt, the fire service said.</p>")


def test_a_feeds_table_does_not_run_into_the_excerpt(tmp_path: Path, make_app: MakeApp) -> None:
    """A feed's HTML (``content:encoded``, a replayed ``html`` record) is a fragment, whose tag
    strip wrote a table's row as its cells spaced ("Column header number 0 Column header number
    1 ..."): the excerpt ran from the lede into the cells.  A row is ``| a | b |`` now, as
    trafilatura writes a page's, and the excerpt stops before it (``openings.before_table``)."""
    (tmp_path / "t.rss").write_text(_rss([("Basement fire on Main Street", TABLE, DAY)], content=True))
    with make_app(tmp_path, {"Local": tmp_path / "t.rss"}, timezone="UTC") as app:
        app.run(now=DAY + timedelta(hours=1))
        view = app.build_view(DAY.date())
        env = make_env(app.cfg.templates)
        md, text = render_markdown(view, env=env), render_text(view, env=env)
        (s,) = view.stories
        assert "| Column header number 0 | Column header number 1 |" in (s.lead.text or "")  # kept, as a table
    for out in (md, " ".join(text.split())):
        assert "Column header" not in out and "| 17 |" not in out and " 17 34 " not in out, out
        assert "an officer said. …" in out, out


def test_a_developing_storys_line_does_not_run_into_a_table(tmp_path: Path, make_app: MakeApp) -> None:
    """The "what is new" line of a version adding a sentence and a table: the passage runs on
    over a short sentence, and a row (no stop) ends none, so the line read "Six stations sent
    crews. | Station | Crews | Hours | | Harwick | 4 | 6 | ..." (the cells spaced before rows
    were rows).  It stops before the table, as the excerpt does."""
    fire = story("fire_a1")
    body = "".join(f"<p>{html.escape(p)}</p>" for p in fire[1])
    table = ("<table><tr><th>Station</th><th>Crews</th><th>Hours</th></tr><tr><td>Harwick</td><td>4</td>"
             "<td>6</td></tr><tr><td>Eastfield</td><td>2</td><td>3</td></tr></table>")
    (tmp_path / "a.rss").write_text(_rss([(fire[0], body, DAY - timedelta(days=1))], content=True))
    (tmp_path / "b.rss").write_text(_rss([]))
    with make_app(tmp_path, {"Alpha": tmp_path / "a.rss", "Beta": tmp_path / "b.rss"}, timezone="UTC") as app:
        app.run(now=DAY - timedelta(hours=23))
        (tmp_path / "b.rss").write_text(_rss([(f"{fire[0]} update", f"{body}<p>Six stations sent crews.</p>{table}", DAY)],
                                             content=True))
        app.run(now=DAY + timedelta(hours=1))
        view = app.build_view(DAY.date())
        md = render_markdown(view, env=make_env(app.cfg.templates))
    (line,) = [line for line in md.splitlines() if line.startswith("**Developing**")]
    assert line.startswith("**Developing**: Six stations sent crews. ·"), line
    assert "Station" not in line and "Harwick" not in line, line


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        # a data table: one line a row, its cells between bars; the spaces between tags are not cells
        ("<p>Results.</p>\n<table>\n <tr>\n  <th>Pos</th><th>Driver</th>\n </tr>\n <tr><td>1<td>Busch\n</table>",
         "Results.\n\n| Pos | Driver |\n\n| 1 | Busch |"),
        # a layout table (a cell of paragraphs, a cell alone): its text as before, paragraphs kept
        ("<table><tr><td><p>The council met.</p><p>It voted.</p></td><td>Menu</td></tr></table>",
         "The council met.\n\nIt voted.\n\nMenu"),
        ("<table><tr><td>A lone cell of prose.</td></tr></table>", "A lone cell of prose."),
        # a table in a cell: its rows rows, the cell's other text around them
        ("<table><tr><td>Before <table><tr><td>x</td><td>y</td></tr></table> after</td><td>z</td></tr></table>",
         "Before\n\n| x | y |\n\nafter z"),
        # cells without a row or a table (a fragment's), a cell holding one paragraph
        ("<td>a<td>b", "| a | b |"),
        ("<table><tr><td><p>a</p></td><td><div>b</div></td></tr></table>", "| a | b |"),
    ],
)
def test_a_fragments_table_rows(fragment: str, text: str) -> None:
    assert fragment_to_text(fragment) == text


# -- 2. the poll line ----------------------------------------------------------------------------


def test_the_poll_line_names_a_few_sources_and_how_many_more(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """After an outage with 200 feeds the round's "poll: 600 new articles (Feed 83 3, ...)" line
    named all 200.  It names the five that found the most, and how many more, as the grouped
    failure lines do (``alike.names``); the whole list at DEBUG."""
    from digest.app import open_app
    from digest.service.daemon import Daemon
    from tests.support.daemon import Clock, loopback_config, rss
    from tests.support.httpd import TestServer

    with TestServer() as srv:
        for i in range(12):
            srv.set(f"/f{i}.xml", rss(f"feed{i}", range(1 + i % 4)))
        cfg = loopback_config(tmp_path, srv, {f"Feed {i}": f"/f{i}.xml" for i in range(12)})
        with open_app(cfg) as app, caplog.at_level(logging.DEBUG, logger="digest"):
            Daemon(app, rng=random.Random(1), clock=Clock()).poll_due()
    said = [(r.levelno, r.getMessage()) for r in caplog.records if r.getMessage().startswith("poll: ")]
    (line,) = [m for lv, m in said if lv == logging.INFO]
    listed = line.split(" (", 1)[1].split("); ", 1)[0]
    assert line.startswith("poll: 30 new articles (")
    assert listed == "Feed 3 4, Feed 7 4, Feed 11 4, Feed 2 3, Feed 6 3 and 7 more", line  # the most first
    (full,) = [m for lv, m in said if lv == logging.DEBUG and m.startswith("poll: new articles from ")]
    assert all(f"Feed {i} {1 + i % 4}" in full for i in range(12)), full


# -- 3. bidi in excerpts, C1 controls in JSON -------------------------------------------------------

#: Bidi controls that open a run, and the one that closes each.
_CLOSES = {"\u202a": PDF, "\u202b": PDF, "\u202d": PDF, RLO: PDF,
           "\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}


def _spills(field: str) -> bool:
    """Whether a bidi run opened in ``field`` (a line, a paragraph) reaches its end."""
    return any(field.rfind(opener) > field.rfind(closer) for opener, closer in _CLOSES.items())


def test_an_excerpt_opening_an_override_closes_it_before_the_digests_own_words(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """A feed's text opening a right-to-left override and never closing it: the excerpt, a
    paragraph of its own in the Markdown file and the email's text part, turned the digest's
    "…" after it around (the titles and outlets were contained in stop 56, the excerpt not).
    A developing story's "what is new" line, followed on its line by "· first reported ...",
    was already contained (``newsline.shown_news``: ``one_line``)."""
    fire, quake = story("fire_a1"), story("quake_a1")
    new = f"{RLO}Investigators said 14 drums of solvent had been stored without a licence at the depot."
    (tmp_path / "a.rss").write_text(_rss([(fire[0], " ".join(fire[1]), DAY - timedelta(days=1))]))
    (tmp_path / "b.rss").write_text(_rss([]))
    with make_app(tmp_path, {"Alpha": tmp_path / "a.rss", "Beta": tmp_path / "b.rss"}, timezone="UTC") as app:
        app.run(now=DAY - timedelta(hours=23))
        (tmp_path / "b.rss").write_text(_rss([(f"{fire[0]} update", " ".join(fire[1]) + " " + new, DAY),
                                              (quake[0], RLO + " ".join(quake[1]), DAY)]))
        app.run(now=DAY + timedelta(hours=1))
        view = app.build_view(DAY.date())
        env = make_env(app.cfg.templates)
        md, text = render_markdown(view, env=env), render_text(view, env=env)
    # the text part's lines as one (it wraps a long one at 72: not inside the feed's run)
    unwrapped = [p.replace("\n", " ") for p in text.split("\n\n")]
    developing = [line for line in [*md.splitlines(), *unwrapped] if "Developing" in line and RLO in line]
    assert len(developing) == 2 and all(f"depot.{PDF} ·" in line for line in developing), developing
    excerpts = [line for line in md.splitlines() if line.startswith(RLO + "A magnitude 6.1")]
    assert len(excerpts) == 1 and excerpts[0].endswith(f"{PDF} …"), excerpts  # our "…" after the run
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]  # the text part wraps an excerpt
    assert sum(RLO + "A magnitude 6.1" in p for p in paragraphs) == 1
    assert [f for f in [*md.splitlines(), *paragraphs] if _spills(f)] == []


#: What acts on a terminal printed as it is: C1 controls (U+009B CSI, U+009D OSC, U+009C ST).
_C1 = re.compile("[\x7f-\x9f]")


def test_build_and_dedupe_print_json_driving_no_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``digest build --format json -o -`` printed a feed's title with its C1 controls (only C0
    ones are dropped as text is read): U+009B ``2J`` cleared the screen of a terminal taking
    8-bit C1; ``digest dedupe`` wrote a record's id back likewise.  The values are the same,
    written as escapes (``text.shown.terminal_json``), in the JSON file too."""
    title = f"Ferry title \x9b2J\x9b31m red \x9d0;PWNED\x9c {RLO}evil"
    (tmp_path / "t.json").write_text(json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "T",
        "items": [{"id": "t1", "url": "https://example.com/t1", "title": title, "date_published": "2026-12-06T10:00:00Z",
                   "content_text": "The ferry company said its new boat would carry four hundred passengers."}],
    }), encoding="utf-8")
    config = tmp_path / "feeds.yaml"
    config.write_text(config_text({"T": tmp_path / "t.json"}, "clock: 2026-12-06T20:00:00Z\n"), encoding="utf-8")
    assert main(["run", "--config", str(config), "-q"]) == 0
    capsys.readouterr()
    assert main(["build", "--config", str(config), "--date", "2026-12-06", "--format", "json", "-o", "-"]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed)["stories"][0]["title"] == title
    assert not _C1.search(printed) and RLO not in printed
    assert main(["build", "--config", str(config), "--date", "2026-12-06", "--format", "json"]) == 0
    written = (tmp_path / "out" / "digest-2026-12-06.json").read_text("utf-8")
    assert json.loads(written)["stories"][0]["title"] == title and not _C1.search(written)

    record = {"id": "a\x9b2J", "title": title, "text": "The ferry company said its new boat would carry "
              "four hundred passengers.", "source": "S"}
    (tmp_path / "r.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["dedupe", str(tmp_path / "r.jsonl")]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["id"] == "a\x9b2J" and not _C1.search(out)


def test_a_page_held_in_a_layout_table_is_read_as_its_text() -> None:
    """trafilatura writes a layout table's row as a row: a page held in one (thespacereview.com,
    of the 181 scrapinghub pages) read "| | Seeking a bigger role ... | |", and its excerpt began
    "| | Seeking ...".  A row of one cell holding text is that text (``extract.lone_cells``); a
    data table stays rows."""
    from digest.output.context import excerpt
    from digest.text.extract import html_to_text

    prose = " ".join(f"The rocket's core stage was finished at the assembly plant in week {i}." for i in range(12))
    page = ("<html><head><title>Seeking a bigger role for a big rocket</title></head><body><table><tr><td></td>"
            f"<td><h1>Seeking a bigger role for a big rocket</h1><p>{prose}</p><p>{prose}</p>"
            "<table><tr><th>Engine</th><th>Thrust</th></tr><tr><td>RS-25</td><td>2,279 kN</td></tr></table>"
            f"<p>{prose}</p></td><td></td></tr></table></body></html>")
    text, _ = html_to_text(page, page=True)
    assert "| Engine | Thrust |" in text and not re.search(r"^\|\s*\|", text, re.M), text
    # (trafilatura writes the cell on one line, its heading with it, as on the page)
    assert excerpt(text).startswith("Seeking a bigger role for a big rocket The rocket's"), excerpt(text)


def test_tables_nested_deep_cost_the_tag_strip_no_more_than_before() -> None:
    """Each row's text is copied into the cell holding it: 50,000 tables nested one in another's
    cell (850 KB, a hostile feed's) took 6.4 s, against 0.44 s before tables were rows.  Past
    ``params.MAX_ROWS_OPEN`` rows open, a table's cells are spaced as before.  Timed against
    the same number of rows in one table, in this process (a fixed limit in seconds failed on a
    loaded machine): 1.2x here, 4.6x without the cap."""
    import time

    from digest.text import params

    def took(fragment: str) -> float:
        best = float("inf")
        for _ in range(2):
            t0 = time.perf_counter()
            text = fragment_to_text(fragment)
            best = min(best, time.perf_counter() - t0)
        assert text.split() == ["x"] * 50_000
        return best

    deep, flat = "<table><tr><td>x " * 50_000, "<table>" + "<tr><td>x " * 50_000
    ratio = took(deep) / took(flat)
    assert ratio < 2.5, ratio
    assert fragment_to_text("<table><tr><td>a</td><td>b<table><tr><td>x</td><td>y</td></tr></table>") == \
        "a b\n\n| x | y |"  # within the cap, a nested table's rows are rows
    assert params.MAX_ROWS_OPEN >= 2
