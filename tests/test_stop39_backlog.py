"""A newly added feed's backlog is listed apart (stop 39).

A reader adds a feed that lists items going back months: its first read makes them all
"new", and they filled the day's digest beside the day's news.  Now a new story made only of
items of a source's first read, published more than ``BACKLOG_DAYS`` before it, is shown on
that day (still new once, on its arrival day), after the day's news under "Earlier news,
first read in this digest", one line each; not in the contents, not in the count of stories.

Real parts: feeds on loopback HTTP whose bodies change between runs, a SQLite store on disk,
``App.run`` at each day's clock (as ``digest run`` with ``clock:``), and one ``digest run``
process with a ``clock:`` line writing its files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import lxml.html

from benchmarks.output_checks import html_findings, markdown_findings, tag_counts
from digest.output.jsonview import render_json
from digest.output.mailsize import email_parts
from digest.output.params import BACKLOG_DAYS
from digest.output.render import make_env, render_html, render_markdown
from digest.records import DigestView
from tests.support.config import MakeApp, config_text
from tests.support.httpd import TestServer
from tests.support.web import site

LOOPBACK = "fetch:\n  allow_hosts: ['127.0.0.1']\n"
DAY1 = datetime(2026, 11, 20, 20, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)
DAY3 = DAY2 + timedelta(days=1)
HEADING = "Earlier news, first read in this digest"

TEXTS = {
    "crane": ("Harbour crane collapses onto container ship at Port Corrin",
              "A gantry crane collapsed onto a container ship at Port Corrin on Wednesday morning, "
              "injuring two dock workers. The harbour master, Ellen Vasquez, said the crane's boom "
              "failed during a routine lift. Inspectors from the maritime safety agency arrived by "
              "noon and the berth was closed. The ship, the Nordic Star, was carrying timber."),
    "tram": ("Valley council approves new tram line to Eastfield",
             "The Valley council voted eleven to four on Tuesday night to build a tram line from the "
             "central station to Eastfield. Mayor Tomas Reyes called the vote historic. Construction "
             "is expected to start next spring and cost 240 million. Opponents said the money should "
             "have gone to buses and to repairing the ring road."),
    "library": ("Northgate library reopens after two-year restoration",
                "The Northgate public library reopened on Saturday after a two-year restoration of its "
                "Victorian reading room. Librarian Amara Okafor said visitors queued from eight in the "
                "morning. The restored dome lets daylight into the hall again, and a new children's "
                "wing adds four thousand books to the collection."),
    "storm": ("Storm Idris cuts power to thousands along the west coast",
              "Storm Idris brought gusts of 130 kilometres an hour to the west coast overnight, cutting "
              "power to about 18,000 homes. The grid operator said crews would work through Sunday. "
              "Ferries between Kelby and the islands were cancelled and two coastal roads were shut "
              "by fallen trees near Marrow Point."),
    "vineyard": ("Frost ruins half the harvest at Castel Brenno vineyards",
                 "A late frost destroyed about half of the grapes at the Castel Brenno vineyards, the "
                 "growers' cooperative said on Monday. Winemaker Lucia Ferrante said the vines on the "
                 "lower slopes were hit hardest. The cooperative will ask the regional government for "
                 "emergency aid before the autumn pressing."),
    "marathon": ("Kenyan runner Wanjiru wins the Halden marathon in record time",
                 "Grace Wanjiru won the Halden marathon on Sunday in two hours nineteen minutes, a course "
                 "record by almost a minute. She broke away from the leading group at the thirtieth "
                 "kilometre along the river. Last year's winner, Saskia Olsen, finished third after a "
                 "fall near the old bridge."),
    "bridge": ("Engineers close the Ostrava rail bridge after finding cracks",
               "Engineers closed the Ostrava rail bridge on Thursday after an inspection found cracks in "
               "two of its steel girders. Freight trains will be diverted through Bohumin for at least "
               "six weeks. The railway company said passenger services would run on buses between the "
               "two stations while repairs are planned."),
    "museum": ("Stolen Vermeer sketch recovered in a Lyon warehouse",
               "French police recovered a sketch attributed to Vermeer in a warehouse on the edge of Lyon, "
               "eleven years after it was stolen from a private collection in Ghent. Two men were "
               "arrested. The curator Jeanne Marchetti said the drawing appeared to be in good condition "
               "despite being kept in a wooden crate."),
}
HOSTILE = "<script>alert('b')</script>Old [link](javascript:alert(1)) about the fish market"


def rss(items: list[tuple[str, str, datetime]], title: str = "Site") -> bytes:
    """An RSS 2.0 feed of (guid, text key, published); a key not in TEXTS is a hostile item."""
    parts = []
    for guid, key, pub in items:
        head, body = TEXTS.get(key, (HOSTILE, "The fish market on the quay reopened with forty stalls after a "
                                              "year of repairs, the port authority said on Friday."))
        parts.append(f'<item><guid isPermaLink="false">{escape(guid)}</guid>'
                     f"<link>https://site.example/{escape(guid)}</link>"
                     f"<title>{escape(head)}</title><description>{escape(body)}</description>"
                     f"<pubDate>{format_datetime(pub)}</pubDate></item>")
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://site.example/</link><description>d</description>{''.join(parts)}"
            f"</channel></rss>").encode()


def serve(srv: TestServer, path: str, items: list[tuple[str, str, datetime]]) -> None:
    srv.set(path, rss(items), headers={"Content-Type": "application/rss+xml"})


#: The newcomer's first read on DAY2: three items months old, one of yesterday, one of today.
BACKLOG = {"crane": datetime(2026, 7, 14, 9, tzinfo=UTC), "tram": datetime(2026, 9, 2, 9, tzinfo=UTC),
           "library": datetime(2026, 11, 10, 9, tzinfo=UTC)}
RECENT = {"storm": DAY2 - timedelta(hours=10), "vineyard": DAY2 - timedelta(days=1, hours=2)}
#: The old source's items: one of DAY1, and on DAY2 a late report published twelve days earlier.
OLD_DAY1 = {"marathon": DAY1 - timedelta(hours=3)}
OLD_LATE = {"bridge": DAY2 - timedelta(days=12)}


def titles(view: DigestView, *, backlog: bool) -> set[str]:
    return {s.lead.title for s in view.stories if s.backlog == backlog}


def setup_days(srv: TestServer) -> tuple[str, str]:
    serve(srv, "/old.xml", [(k, k, p) for k, p in OLD_DAY1.items()])
    serve(srv, "/new.xml", [(k, k, p) for k, p in {**BACKLOG, **RECENT}.items()])
    return srv.url("/old.xml"), srv.url("/new.xml")


def run_two_days(tmp_path: Path, make_app: MakeApp, srv: TestServer, *, third: bool = False,
                 extra_new: dict[str, datetime] | None = None,
                 settings: str = "") -> tuple[DigestView, DigestView | None]:
    old, new = setup_days(srv)
    with make_app(tmp_path, {"Old Wire": old}, LOOPBACK + settings) as app:
        app.run(now=DAY1)
    serve(srv, "/old.xml", [(k, k, p) for k, p in {**OLD_DAY1, **OLD_LATE}.items()])
    with make_app(tmp_path, {"Old Wire": old, "Newcomer": new}, LOOPBACK + settings) as app:
        assert app.run(now=DAY2).new_articles == 6
        view2 = app.build_view(DAY2.date())
        view3 = None
        if third:
            serve(srv, "/new.xml", [(k, k, p) for k, p in {**BACKLOG, **RECENT, **(extra_new or {})}.items()])
            app.run(now=DAY3)
            view3 = app.build_view(DAY3.date())
    return view2, view3


def test_a_new_sources_old_items_are_listed_apart_after_the_days_news(tmp_path: Path, make_app: MakeApp) -> None:
    with TestServer() as srv:
        view, _ = run_two_days(tmp_path, make_app, srv)
    assert titles(view, backlog=True) == {TEXTS[k][0] for k in BACKLOG}
    assert all(s.status == "new" for s in view.stories if s.backlog)
    assert view.story_count == 6 and view.backlog == 3  # still shown (and counted) on their day
    env = make_env()
    md = render_markdown(view, env=env)
    head = md.index(HEADING)
    for k in BACKLOG:  # once, in the section, with its outlet and its publication date
        assert md.count(TEXTS[k][0]) == 1 and md.index(TEXTS[k][0]) > head
    assert "Tue\u00a014\u00a0Jul" in md[head:]
    for k in (*RECENT, *OLD_LATE):  # the day's news: before it
        assert md.index(TEXTS[k][0]) < head
    assert "+\u00a0**3** earlier stories first read in this digest" in md
    assert "**3** stories" in md  # the day's news
    doc = json.loads(render_json(view))
    assert doc["counts"]["backlog"] == 3 and doc["counts"]["stories"] == 6
    assert {s["title"] for s in doc["stories"] if s["backlog"]} == {TEXTS[k][0] for k in BACKLOG}
    assert all(s["status"] == "new" for s in doc["stories"] if s["backlog"])
    html, text = email_parts(view, env=env)
    page = lxml.html.document_fromstring(html)
    assert [h.text_content() for h in page.iter("h2")][-1] == HEADING
    assert text.index("== " + HEADING + " ==") > text.index(TEXTS["storm"][0])
    assert text.count(TEXTS["crane"][0]) == 1 and text.index(TEXTS["crane"][0]) > text.index(HEADING)


def test_the_contents_list_only_the_days_news(tmp_path: Path, make_app: MakeApp) -> None:
    """Four stories or more open with their titles: the day's news, not the backlog."""
    extra = dict(BACKLOG)
    with TestServer() as srv:
        old, new = setup_days(srv)
        serve(srv, "/new.xml", [(k, k, p) for k, p in {**extra, **RECENT, "museum": DAY2 - timedelta(hours=2),
                                                        "marathon": DAY2 - timedelta(hours=1)}.items()])
        with make_app(tmp_path, {"Old Wire": old, "Newcomer": new}, LOOPBACK) as app:
            app.run(now=DAY2)
            view = app.build_view(DAY2.date())
            md = render_markdown(view, env=make_env())
    contents = md[md.index("In this digest:"):md.index(HEADING)].split("\n## ")[0]
    assert all(TEXTS[k][0] in contents for k in ("storm", "vineyard", "museum", "marathon"))
    assert not any(TEXTS[k][0] in contents for k in BACKLOG)


def test_a_new_sources_recent_items_are_the_days_news(tmp_path: Path, make_app: MakeApp) -> None:
    """Published today, or yesterday (within ``BACKLOG_DAYS``): news, in the main list."""
    assert BACKLOG_DAYS == 2
    with TestServer() as srv:
        view, _ = run_two_days(tmp_path, make_app, srv)
    assert {TEXTS[k][0] for k in RECENT} <= titles(view, backlog=False)
    head = render_markdown(view, env=make_env()).split(HEADING)[0]
    assert all(TEXTS[k][0] in head for k in RECENT)


def test_an_old_sources_late_item_is_not_backlog(tmp_path: Path, make_app: MakeApp) -> None:
    """A source read before: its late report (published twelve days before it arrived) is news."""
    with TestServer() as srv:
        view, _ = run_two_days(tmp_path, make_app, srv)
    (late,) = [s for s in view.stories if s.lead.title == TEXTS["bridge"][0]]
    assert late.status == "new" and not late.backlog


def test_the_next_day_shows_none_of_them_again(tmp_path: Path, make_app: MakeApp) -> None:
    """The day after, nothing of the first read is shown; the newcomer's old item read on its
    second read is news (only the first read of a source is its backlog)."""
    later = {"museum": DAY3 - timedelta(days=30)}
    with TestServer() as srv:
        _, view = run_two_days(tmp_path, make_app, srv, third=True, extra_new=later)
    assert view is not None
    assert [(s.lead.title, s.status, s.backlog) for s in view.stories] == [(TEXTS["museum"][0], "new", False)]
    assert HEADING not in render_markdown(view, env=make_env())


def test_an_old_item_joining_an_older_story_is_not_backlog(tmp_path: Path, make_app: MakeApp) -> None:
    """The newcomer's first read brings a version of a story read before (published a week
    ago): the story develops (or is also reported), never backlog."""
    with TestServer() as srv:
        old, new = setup_days(srv)
        with make_app(tmp_path, {"Old Wire": old}, LOOPBACK) as app:
            app.run(now=DAY1)
        serve(srv, "/new.xml", [("m2", "marathon", DAY1 - timedelta(days=6))])
        with make_app(tmp_path, {"Old Wire": old, "Newcomer": new}, LOOPBACK) as app:
            app.run(now=DAY2)
            view = app.build_view(DAY2.date())
    assert [(s.status != "new", s.backlog) for s in view.stories] == [(True, False)]


def test_hostile_titles_are_escaped_in_the_backlog_section(tmp_path: Path, make_app: MakeApp) -> None:
    with TestServer() as srv:
        _, new = setup_days(srv)
        serve(srv, "/new.xml", [("h1", "hostile", DAY2 - timedelta(days=40)), ("s", "storm", DAY2)])
        with make_app(tmp_path, {"Newcomer": new}, LOOPBACK) as app:
            app.run(now=DAY2)
            view = app.build_view(DAY2.date())
    assert [s.backlog for s in view.stories] == [False, True]
    env = make_env()
    empty = DigestView(view.date, [], 0, 0)
    html = render_html(view, env=env)
    assert html_findings(html, tag_counts(render_html(empty, env=env))) == []
    email_html, text = email_parts(view, env=env)
    assert html_findings(email_html, tag_counts(email_parts(empty, env=env)[0])) == []
    md = render_markdown(view, env=env)
    assert markdown_findings(md) == []
    section = lxml.html.document_fromstring(html).xpath(f'//h2[normalize-space()="{HEADING}"]/following::ul[1]')[0]
    assert "<script>alert('b')</script>Old [link](javascript:alert(1))" in section.text_content()
    assert "<script" not in html.split(HEADING)[1] and "javascript:" not in "".join(section.xpath(".//a/@href"))
    assert HOSTILE in " ".join(text.split())  # the text part is not markup (wrapped at 72)


def test_digest_run_writes_the_section_and_the_archive_shows_it(tmp_path: Path) -> None:
    """``digest run`` as a process with a ``clock:`` line: the HTML file has the section last;
    the archive's day page too, its permalinks under the day's news; ``digest build`` JSON.
    The first day's run, the store the second one finds, is the same command in this process."""
    from digest.cli import main

    with TestServer() as srv:
        old, new = setup_days(srv)
        cfg = tmp_path / "feeds.yaml"
        cfg.write_text(config_text({"Old Wire": old}, LOOPBACK, clock=DAY1.isoformat()))
        cmd = [sys.executable, "-m", "digest", "run", "--config", str(cfg), "--quiet"]
        assert main(cmd[3:]) == 0
        serve(srv, "/old.xml", [(k, k, p) for k, p in {**OLD_DAY1, **OLD_LATE}.items()])
        cfg.write_text(config_text({"Old Wire": old, "Newcomer": new}, LOOPBACK, clock=DAY2.isoformat()))
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        built = subprocess.run([sys.executable, "-m", "digest", "build", "--config", str(cfg), "--format", "json",
                                "-o", "-"], check=True, capture_output=True, text=True, timeout=120)
    page = (tmp_path / "out" / f"digest-{DAY2.date()}.html").read_text()
    doc = lxml.html.document_fromstring(page)
    assert [h.text_content() for h in doc.iter("h2", "h3") if "section" in (h.get("class") or "")][-1] == HEADING
    assert page.index(TEXTS["bridge"][0]) < page.index(HEADING) < page.index(TEXTS["crane"][0])
    assert json.loads(built.stdout)["counts"]["backlog"] == 3
    from digest.config import load_config

    with site(load_config(cfg)) as web:
        day = web.get(f"/day/{DAY2.date()}")
    assert day.status_code == 200
    shown = lxml.html.document_fromstring(day.text)
    assert HEADING in shown.text_content()
    # each story of the day's news has its permalink under its heading, none is listed apart
    assert not shown.xpath('//section[@class="permalinks"]')


def test_a_section_of_backlog_alone_has_no_heading_of_its_own(tmp_path: Path, make_app: MakeApp) -> None:
    """The newcomer's category holds only its backlog: no empty "World" heading in the body."""
    with TestServer() as srv:
        old, new = setup_days(srv)
        serve(srv, "/new.xml", [(k, k, p) for k, p in BACKLOG.items()])
        sources = (f"  - name: Old Wire\n    url: {old}\n    category: Local\n"
                   f"  - name: Newcomer\n    url: {new}\n    category: World\n")
        with make_app(tmp_path, sources, LOOPBACK) as app:
            app.run(now=DAY1)
            view = app.build_view(DAY1.date())
    md = render_markdown(view, env=make_env())
    assert "## Local" in md and "World" not in md and md.index(HEADING) > md.index(TEXTS["marathon"][0])


def test_the_run_says_how_many_new_stories_are_earlier_news(tmp_path: Path, make_app: MakeApp) -> None:
    with TestServer() as srv:
        old, new = setup_days(srv)
        with make_app(tmp_path, {"Old Wire": old, "Newcomer": new}, LOOPBACK) as app:
            report = app.run(now=DAY2)
            report.count_digest(app.build_view(DAY2.date()))
    assert "(6 new, 3 of them a new source's earlier news, 0 developing)" in report.summary()


def test_a_users_own_template_that_does_not_know_the_backlog_still_shows_it(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """A ``templates:`` folder's digest.md.j2 written before lists each section's stories: the
    backlog stays there (nothing left out), as it was."""
    mine = tmp_path / "tpl"
    mine.mkdir()
    (mine / "digest.md.j2").write_text(
        "{% for sec in sections %}{% for s in sec.shown %}- {{ s.title|md }}\n{% endfor %}{% endfor %}")
    with TestServer() as srv:
        view, _ = run_two_days(tmp_path, make_app, srv)
    md = render_markdown(view, env=make_env(mine))
    assert all(TEXTS[k][0] in md for k in (*BACKLOG, *RECENT))


def test_backlog_days_sets_how_old_an_item_is_to_be_earlier_news_and_0_turns_it_off(
    tmp_path: Path, make_app: MakeApp
) -> None:
    with TestServer() as srv:
        view, _ = run_two_days(tmp_path / "off", make_app, srv, settings="backlog_days: 0\n")
    assert view.backlog == 0 and titles(view, backlog=True) == set()  # every item the day's news
    assert titles(view, backlog=False) >= {TEXTS[k][0] for k in (*BACKLOG, *RECENT)}
    with TestServer() as srv:  # 15 days: the library item of 10 November (10 days old) is news too
        view, _ = run_two_days(tmp_path / "wide", make_app, srv, settings="backlog_days: 15\n")
    assert titles(view, backlog=True) == {TEXTS["crane"][0], TEXTS["tram"][0]}
    assert TEXTS["library"][0] in titles(view, backlog=False)
