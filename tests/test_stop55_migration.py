"""Stop 55: an operator moving from another feed reader (Miniflux, FreshRSS) to digest.

Each test runs the CLI on a configuration on disk, as the operator did in the review
(docs/evaluation.md, "Stop 55: an operator's migration (review)").
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from digest.cli import main
from digest.config import load_config

START = """\
sources:
  - name: Local notes
    path: notes
timezone: UTC
output_dir: out
data_dir: data
"""


def config(tmp_path: Path, text: str = START) -> Path:
    (tmp_path / "notes").mkdir(exist_ok=True)
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(text, encoding="utf-8")
    return cfg


def test_an_opml_title_its_reader_escaped_twice_is_added_as_the_text_it_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reader's export wrote ``text="AT&amp;amp;T Tech Blog"`` (escaped once too often, as
    publishers do in feed titles): the source was named "AT&amp;T Tech Blog", shown so in the
    digest ("AT&amp;amp;T" in its Markdown), and `digest remove 'AT&T Tech Blog'` found no
    such source.  Its folder's name the same."""
    cfg = config(tmp_path)
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><body>'
        '<outline text="Tech &amp;amp; Science">'
        '<outline text="AT&amp;amp;T Tech Blog" type="rss" xmlUrl="https://att.example/feed"/>'
        '<outline text="Q&amp;#38;A &amp;#8211; weekly" type="rss" xmlUrl="https://qa.example/rss"/>'
        '<outline text="Fish &amp; Chips" type="rss" xmlUrl="https://fish.example/rss"/>'
        "</outline></body></opml>", encoding="utf-8")
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    capsys.readouterr()
    srcs = {s.name: s for s in load_config(cfg).sources}
    assert set(srcs) == {"Local notes", "AT&T Tech Blog", "Q&A – weekly", "Fish & Chips"}
    assert srcs["AT&T Tech Blog"].category == "Tech & Science"
    assert main(["remove", "--config", str(cfg), "AT&T Tech Blog"]) == 0


def imported(tmp_path: Path, n: int) -> Path:
    """A configuration after an import of ``n`` feeds titled as a reader exports them."""
    cfg = config(tmp_path)
    outlines = "".join(f'<outline text="Feed {i:03d} Weekly" type="rss" xmlUrl="https://f{i}.example/rss"/>'
                       for i in range(n))
    opml = tmp_path / "subs.opml"
    opml.write_text('<opml version="2.0"><body><outline text="Dead or moved">'
                    '<outline text="Old Gazette" type="rss" xmlUrl="http://www.gazette.example/feed/"/>'
                    f"</outline>{outlines}</body></opml>", encoding="utf-8")
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    return cfg


def test_remove_finds_a_source_in_other_capitals_or_by_its_feed_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After an import the names are the old reader's titles: `digest remove "old gazette"` (or
    the feed's URL, as the old reader and `digest sources` show it) was "no source is named"."""
    cfg = imported(tmp_path, 3)
    capsys.readouterr()
    assert main(["remove", "--config", str(cfg), "old  gazette"]) == 0
    assert capsys.readouterr().out.startswith(f"{cfg}: removed 'Old Gazette': ")
    assert main(["remove", "--config", str(cfg), "https://f1.example/rss/"]) == 0  # another spelling of its URL
    assert "removed 'Feed 001 Weekly'" in capsys.readouterr().out
    assert [s.name for s in load_config(cfg).sources] == ["Local notes", "Feed 000 Weekly", "Feed 002 Weekly"]


def test_remove_of_a_name_not_there_names_the_closest_not_every_imported_feed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After importing 200 feeds, a typo printed one line of all 201 names (9 KB); it names the
    closest now, and where to see them all."""
    cfg = imported(tmp_path, 200)
    before = cfg.read_text()
    capsys.readouterr()
    assert main(["remove", "--config", str(cfg), "Old Gazete"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 300, err
    assert "no source is named 'Old Gazete'; did you mean 'Old Gazette'?" in err and "digest sources" in err
    assert cfg.read_text() == before


def undated_rss(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 0.91 feed as small sites write it: items (guid, title, text) with no dates."""
    body = "".join(f"<item><guid>https://zine.example/{g}</guid><link>https://zine.example/{g}</link>"
                   f"<title>{t}</title><description>{d}</description></item>" for g, t, d in items)
    return (f'<?xml version="1.0"?><rss version="0.91"><channel><title>Zine</title>'
            f"<link>https://zine.example/</link><description>d</description>{body}</channel></rss>").encode()


UNDATED = [
    ("crane", "Harbour crane collapses onto container ship at Port Corrin",
     "A gantry crane collapsed onto a container ship at Port Corrin, injuring two dock workers. The "
     "harbour master, Ellen Vasquez, said the boom failed during a routine lift."),
    ("tram", "Valley council approves new tram line to Eastfield",
     "The Valley council voted eleven to four to build a tram line from the central station to "
     "Eastfield. Mayor Tomas Reyes called the vote historic."),
    ("library", "Northgate library reopens after two-year restoration",
     "The Northgate public library reopened after a two-year restoration of its Victorian reading "
     "room. Librarian Amara Okafor said visitors queued from eight in the morning."),
]
LATER = ("storm", "Storm Idris cuts power to thousands along the west coast",
         "Storm Idris brought gusts of 130 kilometres an hour to the west coast overnight, cutting power "
         "to about 18,000 homes. Ferries between Kelby and the islands were cancelled.")


def test_an_undated_feeds_items_of_its_first_read_are_earlier_news_not_the_days(tmp_path: Path) -> None:
    """A migrating operator's undated feeds (RSS 0.9x, scraped ones) put every item they held
    at the top of the first digest as the day's news ("Bugzilla Reorganized · Tue 1 Dec,
    09:00", 1999's news): their age is unknown, but they were in the feed when it was first
    read.  They are listed under "Earlier news" now, after the dated ones and with no date (the
    time of the read is no publication); the feed's next item is the day's news."""
    import datetime as dt

    from digest.app import open_app
    from digest.output.render import make_env, render_markdown
    from tests.support.httpd import TestServer

    first = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
    old_dated = first - dt.timedelta(days=20)
    with TestServer() as srv:
        srv.set("/zine.rss", undated_rss(UNDATED), headers={"Content-Type": "application/rss+xml"})
        srv.set("/dated.rss", (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Dated</title><link>https://d.example/</link>'
            "<description>d</description><item><guid>https://d.example/1</guid><link>https://d.example/1</link>"
            "<title>Frost ruins half the harvest at Castel Brenno vineyards</title><description>A late frost "
            "destroyed about half of the grapes at the Castel Brenno vineyards, the growers said. Winemaker "
            f"Lucia Ferrante said the lower slopes were hit hardest.</description><pubDate>"
            f"{old_dated.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item></channel></rss>").encode(),
            headers={"Content-Type": "application/rss+xml"})
        feeds = (f"sources:\n  - name: Zine\n    url: {srv.url('/zine.rss')}\n"
                 f"  - name: Dated\n    url: {srv.url('/dated.rss')}\n")
        path = config(tmp_path, START.replace("sources:\n", feeds) + "fetch:\n  allow_hosts: ['127.0.0.1']\n")
        with open_app(path) as app:
            assert app.run(now=first).new_articles == 4
            view = app.build_view(first.date())
            assert {s.lead.title: s.backlog for s in view.stories} == {
                **{t: True for _, t, _ in UNDATED}, "Frost ruins half the harvest at Castel Brenno vineyards": True}
            md = render_markdown(view, env=make_env())
            earlier = md[md.index("## Earlier news"):]
            lines = [line for line in earlier.splitlines() if line.startswith("- ")]
            assert lines[0].startswith("- [Frost ruins")  # the dated one first, with its date
            assert "Wed\u00a011\u00a0Nov" in lines[0]
            assert len(lines) == 4 and all(line.endswith("\u00a0Zine") for line in lines[1:]), lines  # no date
            srv.set("/zine.rss", undated_rss([LATER, *UNDATED]), headers={"Content-Type": "application/rss+xml"})
            later = first + dt.timedelta(hours=12)
            assert app.run(now=later).new_articles == 1
            news = [s for s in app.build_view(later.date()).stories if s.lead.title == LATER[1]]
            assert len(news) == 1 and not news[0].backlog


def test_a_title_another_feed_has_is_told_apart_by_the_feeds_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Readers' exports name many feeds alike ("News", "Blog"): the second "News" was added as
    "News (2)", the outlet every digest then named, saying nothing of which site it was.  It is
    "News (coast.example)" now; a third of that host is numbered; a second import adds none."""
    cfg = config(tmp_path, START.replace("  - name: Local notes\n", "  - name: News\n"))
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        '<outline text="News" type="rss" xmlUrl="https://www.coast.example/rss"/>'
        '<outline text="News" type="rss" xmlUrl="https://coast.example/comments/rss"/>'
        '<outline text="Blog" type="rss" xmlUrl="https://valley.example/blog.xml"/>'
        "</body></opml>", encoding="utf-8")
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    out = capsys.readouterr().out
    names = [s.name for s in load_config(cfg).sources]
    assert names == ["News", "News (coast.example)", "News (2)", "Blog"]
    assert f"{opml}: 'News' added as 'News (coast.example)' (the name was taken)" in out
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    assert "added 0 of 3 feeds" in capsys.readouterr().out


def test_one_folder_is_said_as_one_category(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A Liferea export in ISO-8859-1 with one folder said "the list's folder is the new feeds'
    categories (Actualités)"."""
    cfg = config(tmp_path)
    opml = tmp_path / "latin.opml"
    opml.write_bytes('<?xml version="1.0" encoding="ISO-8859-1"?><opml version="1.0"><body>'
                     '<outline text="Actualités"><outline text="Le Débat" type="rss" '
                     'xmlUrl="https://debat.example/rss"/></outline></body></opml>'.encode("latin-1"))
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    assert f"{cfg}: the list's folder is the new feeds' category (Actualités): the digest" in capsys.readouterr().out
    assert [(s.name, s.category) for s in load_config(cfg).sources][1:] == [("Le Débat", "Actualités")]


def test_an_exports_site_links_come_back_out_of_export_opml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An import and an export lost every outline's ``htmlUrl`` (14 of 14 in the review's
    FreshRSS export): each is the source's ``site:`` now, and the export writes it back.  A
    ``javascript:`` one is not kept."""
    from lxml import etree

    cfg = config(tmp_path)
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>FreshRSS</title></head><body>'
        '<outline text="News"><outline text="Coast" type="rss" xmlUrl="https://coast.example/rss" '
        'htmlUrl="https://coast.example/" description="d"/>'
        '<outline text="Bad" type="rss" xmlUrl="https://bad.example/rss" htmlUrl="javascript:alert(1)"/></outline>'
        '<outline text="Plain" type="rss" xmlUrl="https://plain.example/rss"/></body></opml>', encoding="utf-8")
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    assert {s.name: s.site for s in load_config(cfg).sources} == {
        "Local notes": None, "Coast": "https://coast.example/", "Bad": None, "Plain": None}
    capsys.readouterr()
    assert main(["export-opml", "--config", str(cfg)]) == 0
    doc = etree.fromstring(capsys.readouterr().out.encode())
    sites = {o.get("text"): o.get("htmlUrl") for o in doc.iter("outline") if o.get("xmlUrl")}
    assert sites == {"Coast": "https://coast.example/", "Bad": None, "Plain": None}
    bad = tmp_path / "bad.yaml"
    bad.write_text(START.replace("    path: notes\n", "    path: notes\n    site: ftp://x.example/\n"))
    assert main(["sources", "--config", str(bad)]) == 2
    assert "site: must start with http:// or https://" in capsys.readouterr().err


def test_export_opml_gives_a_feed_moved_for_good_at_its_new_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a 301, ``digest sources`` named the new address and every poll read it there, but
    ``export-opml`` wrote the old one: the reader it went to fetched through the redirect for
    ever.  It writes the address the feed is read at, and says so; a 302 is not followed there."""
    from lxml import etree

    from tests.support.daemon import loopback_config, rss
    from tests.support.httpd import TestServer

    with TestServer() as srv:
        srv.set("/new.rss", rss("moved", range(2)))
        srv.redirect("/old.rss", srv.url("/new.rss"), status=301)
        srv.set("/elsewhere.rss", rss("away", range(2)))
        srv.redirect("/for-now.rss", srv.url("/elsewhere.rss"), status=302)
        cfg = loopback_config(tmp_path, srv, {"Moved": "/old.rss", "Away": "/for-now.rss"})
        capsys.readouterr()
        assert main(["export-opml", "--config", str(cfg)]) == 0  # no store yet: none is made for it
        assert not (tmp_path / "data" / "digest.sqlite3").exists()
        capsys.readouterr()
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        capsys.readouterr()
        assert main(["export-opml", "--config", str(cfg)]) == 0
        out = capsys.readouterr()
    urls = {o.get("text"): o.get("xmlUrl") for o in etree.fromstring(out.out.encode()).iter("outline")}
    assert urls == {"Moved": srv.url("/new.rss"), "Away": srv.url("/for-now.rss")}
    assert f"Moved: exported at {srv.url('/new.rss')}, where it is read" in out.err
    assert "Away" not in out.err


def test_import_opml_says_which_feeds_on_the_users_own_network_need_allow_hosts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reader's export holds feeds at home (a NAS, an RSS bridge on the router): imported
    without a word, each then failed at every run ("refused: a private address ...").  The
    import names their hosts and the line to add, once; a public feed, and a host that
    ``allow_hosts`` lists, are not named."""
    cfg = config(tmp_path)
    opml = tmp_path / "home.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        '<outline text="NAS" type="rss" xmlUrl="http://192.168.1.20:8080/rss"/>'
        '<outline text="Bridge" type="rss" xmlUrl="http://rss-bridge.local/?action=display"/>'
        '<outline text="Loop" type="rss" xmlUrl="http://[::1]:9000/feed"/>'
        '<outline text="Router" type="rss" xmlUrl="http://router.home.arpa/feed"/>'
        '<outline text="Public" type="rss" xmlUrl="https://news.example/rss"/>'
        '<outline text="Cloud" type="rss" xmlUrl="https://8.8.8.8/rss"/></body></opml>', encoding="utf-8")
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "your own network" in ln]
    assert len(lines) == 1, lines
    assert "(192.168.1.20, rss-bridge.local, ::1, router.home.arpa)" in lines[0]
    said = lines[0][lines[0].index("fetch: {"):]
    assert yaml.safe_load(said) == {"fetch": {"allow_hosts": ["192.168.1.20", "rss-bridge.local", "::1",
                                                              "router.home.arpa"]}}  # YAML as it is
    assert "news.example" not in lines[0] and "8.8.8.8" not in lines[0]

    # listed in allow_hosts: not named again on the next import
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text + "fetch:\n  allow_hosts: ['192.168.1.20', 'rss-bridge.local', '::1', 'router.home.arpa']\n",
                   encoding="utf-8")
    more = tmp_path / "more.opml"
    more.write_text(opml.read_text(encoding="utf-8").replace("8080/rss", "8080/other"), encoding="utf-8")
    assert main(["import-opml", "--config", str(cfg), str(more)]) == 0
    assert "your own network" not in capsys.readouterr().out


def test_a_folder_of_files_dated_1970_is_the_days_news_not_an_undated_feeds_backlog(tmp_path: Path) -> None:
    """Files whose times are all 1970 (``touch -d @0``, a reproducible archive unpacked) have a
    time that is not believed, as an undated feed's items have none: the undated first read
    (above) made the whole folder earlier news, and the digest said "No news of the day" (the
    review of stop 55).  A file's time not believed is its reading, as before: the day's news."""
    import datetime as dt
    import os

    from digest.app import open_app

    cfg = config(tmp_path)
    for name, (title, text) in {"crane": UNDATED[0][1:], "tram": UNDATED[1][1:]}.items():
        f = tmp_path / "notes" / f"{name}.md"
        f.write_text(f"# {title}\n\n{text}\n", encoding="utf-8")
        os.utime(f, (0, 0))
    now = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
    with open_app(cfg) as app:
        assert app.run(now=now).new_articles == 2
        view = app.build_view(now.date())
    assert sorted((s.lead.title, s.backlog) for s in view.stories) == [
        (UNDATED[0][1], False), (UNDATED[1][1], False)]
