"""An OPML list as a source: a ``path:`` list stands for its feeds; a list anywhere else is
said to be one, in one line (never stored as an article)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config
from digest.errors import ConfigError
from digest.store.base import open_store
from tests.support.httpd import TestServer

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
RSS = {"Content-Type": "application/rss+xml"}


def opml(*outlines: str) -> str:
    return ('<?xml version="1.0"?>\n<!-- exported -->\n<opml version="2.0"><head><title>Blogroll</title></head>'
            f"<body>{''.join(outlines)}</body></opml>\n")


def config(tmp_path: Path, sources: str, port: int = 1) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(f"sources:\n{sources}output_dir: out\ndata_dir: data\ntimezone: UTC\n"
                    f'fetch:\n  allow_hosts: ["127.0.0.1:{port}"]\n', encoding="utf-8")
    return path


def test_a_list_stands_for_its_feeds_with_the_list_sources_settings(tmp_path: Path) -> None:
    (tmp_path / "subs.xml").write_text(opml(  # any extension: the content says it is a list
        '<outline text="News"><outline text="Coast News" xmlUrl="https://coast.example/rss"/>'
        '<outline text="Valley" xmlUrl="https://valley.example/atom"/></outline>',
        '<outline text="Harbour" xmlUrl="HTTPS://Harbour.example/rss"/>',  # configured already
        '<outline text="Bad" xmlUrl="javascript:alert(1)"/>',
    ))
    cfg = load_config(config(tmp_path, (
        "  - {name: Harbour Herald, url: 'https://harbour.example/rss'}\n"
        "  - {name: Valley, path: subs.xml, priority: 2, interval: 90, full_text: true}\n"
        "  - {name: Tail, url: 'https://tail.example/rss'}\n"
    )))
    got = [(s.name, s.url, s.path, s.category, s.priority, s.interval, s.full_text) for s in cfg.sources]
    assert got == [
        ("Harbour Herald", "https://harbour.example/rss", None, None, 0.0, None, False),
        ("Coast News", "https://coast.example/rss", None, "News", 2.0, 90.0, True),
        # the list's own name is taken by the list: the feed's is qualified
        ("Valley (Valley)", "https://valley.example/atom", None, "News", 2.0, 90.0, True),
        ("Tail", "https://tail.example/rss", None, None, 0.0, None, False),
    ]
    assert cfg.list_notes == [
        "Valley: subs.xml: not read: Bad: not an http(s) feed URL: 'javascript:alert(1)'",
        "Valley: subs.xml: not read: Harbour: another source reads HTTPS://Harbour.example/rss",
    ]
    # the list source's category, when set, is every feed's
    cfg = load_config(config(tmp_path, "  - {name: Blogroll, path: subs.xml, category: Tech, enabled: false}\n"))
    assert {(s.category, s.enabled) for s in cfg.sources} == {("Tech", False)} and len(cfg.sources) == 3


@pytest.mark.parametrize(("body", "problem"), [
    (opml('<outline text="Home" htmlUrl="https://home.example/"/>'), "an OPML list that names no feed"),
    ('<?xml version="1.0"?><opml version="2.0"><body><outline text="x"', "not valid OPML"),
])
def test_a_list_without_feeds_is_a_configuration_error_at_its_line(tmp_path: Path, body: str, problem: str) -> None:
    (tmp_path / "subs.opml").write_text(body)
    path = config(tmp_path, "  - {name: A, url: 'https://a.example/rss'}\n  - {name: Blogroll, path: subs.opml}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    line = str(err.value)
    assert line.startswith(f"{path}:3: sources[1].path: {tmp_path / 'subs.opml'}: {problem}"), line
    assert "\n" not in line.strip()


def test_the_feeds_of_a_list_are_read_each_as_a_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestServer() as srv:
        srv.set("/coast.rss", (FEEDS / "coast.rss").read_bytes(), headers=RSS)
        srv.set("/valley.atom", (FEEDS / "valley.atom").read_bytes(), headers={"Content-Type": "application/atom+xml"})
        (tmp_path / "subs.opml").write_text(opml(
            f'<outline text="Coast" xmlUrl="{srv.url("/coast.rss")}"/>',
            f'<outline text="Valley" xmlUrl="{srv.url("/valley.atom")}"/>',
        ))
        path = config(tmp_path, "  - {name: Blogroll, path: subs.opml}\n", srv.port)
        assert main(["run", "--config", str(path), "--once"]) == 0
        assert srv.hits["/coast.rss"] == 1 and srv.hits["/valley.atom"] == 1
    with open_store(f"sqlite:///{tmp_path}/data/digest.sqlite3") as store:
        sources = {a.source for a in store.articles_since(datetime(1970, 1, 1, tzinfo=UTC), with_text=False)}
        titles = {a.title for a in store.articles_since(datetime(1970, 1, 1, tzinfo=UTC), with_text=False)}
    assert sources == {"Coast", "Valley"} and "Blogroll" not in titles
    assert "2 sources" in capsys.readouterr().err
    (tmp_path / "subs.opml").write_text((tmp_path / "subs.opml").read_text().replace(
        "</body>", '<outline text="Home" htmlUrl="https://home.example/"/></body>'))
    assert main(["sources", "--config", str(path)]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[2:] == ["Blogroll: subs.opml: not read: Home: no feed URL (xmlUrl), only a page's: "
                                             "https://home.example/ ('digest add' that page finds the feed it links)"]
    assert out.out.splitlines()[0].startswith("Coast: ok, ") and out.err == ""
    # digest run says it too, at a terminal (it said nothing); not from cron, at every run
    main(["run", "--config", str(path), "--once", "--quiet"])
    assert "not read: Home" not in capsys.readouterr().err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    main(["run", "--config", str(path), "--once", "--quiet"])
    assert any(line.startswith(f"{path}: Blogroll: subs.opml: not read: Home: no feed URL (xmlUrl), only a page's")
               for line in capsys.readouterr().err.splitlines())


def test_a_list_by_url_or_in_a_folder_is_said_to_be_one_and_import_opml_takes_its_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "subs.xml").write_text(opml('<outline text="Coast" xmlUrl="https://coast.example/rss"/>'))
    (folder / "note.md").write_text("# A harbour note\n\nThe harbour reopened on Monday after the storm.\n")
    with TestServer() as srv:
        srv.set("/subs.opml", opml(f'<outline text="Coast" xmlUrl="{srv.url("/coast.rss")}"/>'),
                headers={"Content-Type": "text/x-opml"})
        path = config(tmp_path, (f"  - {{name: Listed, url: '{srv.url('/subs.opml')}'}}\n"
                                 "  - {name: Notes, path: notes}\n"), srv.port)
        assert main(["run", "--config", str(path), "--once"]) == 1
        err = capsys.readouterr().err
        assert (f"error: Listed: {srv.url('/subs.opml')} is an OPML list of feeds, not a feed: "
                f"add its feeds with 'digest import-opml {srv.url('/subs.opml')}'") in err
        assert "error: Notes: subs.xml: an OPML list of feeds, not a feed or article" in err
        with open_store(f"sqlite:///{tmp_path}/data/digest.sqlite3") as store:
            stored = [a.source for a in store.articles_since(datetime(1970, 1, 1, tzinfo=UTC), with_text=False)]
        assert stored == ["Notes"]  # the note; neither list
        assert main(["import-opml", "--config", str(path), srv.url("/subs.opml")]) == 0
        assert main(["import-opml", "--config", str(path), srv.url("/gone.opml")]) == 2
    assert [s.url for s in load_config(path).sources if s.name == "Coast"] == [srv.url("/coast.rss")]
    assert "HTTP 404" in capsys.readouterr().err


def test_a_lists_folders_are_categories_a_digest_may_name_as_sections(tmp_path: Path) -> None:
    (tmp_path / "subs.opml").write_text(opml(
        '<outline text="Sport"><outline text="Terrace" xmlUrl="https://terrace.example/rss"/></outline>'))
    path = config(tmp_path, "  - {name: Blogroll, path: subs.opml}\n")
    path.write_text(path.read_text() + "digests:\n  - {name: morning, sections: [Sport]}\n")
    assert [s.category for s in load_config(path).sources] == ["Sport"]
    path.write_text(path.read_text().replace("[Sport]", "[Sports]"))
    with pytest.raises(ConfigError, match=r"no source has the category 'Sports'; did you mean 'Sport'\?"):
        load_config(path)


def test_import_opml_check_reads_each_feed_first_and_adds_only_those_that_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--check`` reads each feed of the list as ``digest add`` reads its one: a dead URL or a
    page that is no feed is not added, each said in one line naming it and why; a feed that moved
    for good is added at its new address; one configured already is said so and not read."""
    rss = (FEEDS / "coast.rss").read_text(encoding="utf-8")
    with TestServer() as srv:
        srv.set("/coast.rss", rss, headers=RSS)
        srv.set("/valley.rss", rss, headers=RSS)
        srv.redirect("/old-valley", srv.url("/valley.rss"), status=301)
        srv.set("/junk", "<html><body>no feed here</body></html>", headers={"Content-Type": "text/html"})
        (tmp_path / "subs.opml").write_text(opml(
            f'<outline text="Coast" xmlUrl="{srv.url("/coast.rss")}"/>',
            f'<outline text="Valley" xmlUrl="{srv.url("/old-valley")}"/>',
            f'<outline text="Gone" xmlUrl="{srv.url("/gone.rss")}"/>',
            f'<outline text="Junk" xmlUrl="{srv.url("/junk")}"/>',
            f'<outline text="Harbour again" xmlUrl="{srv.url("/harbour.rss")}"/>',
        ))
        path = config(tmp_path, f"  - {{name: Harbour, url: '{srv.url('/harbour.rss')}'}}\n", srv.port)
        assert main(["import-opml", "--config", str(path), "--check", str(tmp_path / "subs.opml")]) == 0
        assert srv.headers_of("/harbour.rss") == []  # configured already: not read
    out = capsys.readouterr().out.splitlines()
    assert {s.name: s.url for s in load_config(path).sources} == {
        "Harbour": srv.url("/harbour.rss"), "Coast": srv.url("/coast.rss"), "Valley": srv.url("/valley.rss")}
    gone = [line for line in out if "Gone" in line]
    assert len(gone) == 1 and "not added: Gone:" in gone[0] and "404" in gone[0], out
    junk = [line for line in out if "Junk" in line]
    assert len(junk) == 1 and "not added: Junk:" in junk[0] and "not a feed" in junk[0], out
    assert any("Harbour again" in line and "already there" in line for line in out), out
    assert f"{path}: added 2 of 5 feeds" in "\n".join(out)
    assert not any("not read yet" in line for line in out)


def test_import_opml_says_plainly_what_it_did_with_a_feed_listed_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A list holding one feed twice: by the same address (in two folders), and by an old address
    moved for good to it, which ``--check`` reads to the same feed.  That one was said "already
    there (as 'Coast')", though it was not before this import, and the count, "added 2 of 4",
    left the reader to work out why (stop 61).  Now each says it is the same feed as another in
    the list, added once, and the count is of the list's feeds and says how many were twice;
    imported again, every feed is counted there already (one there under another name said too)."""
    rss = (FEEDS / "coast.rss").read_text(encoding="utf-8")
    with TestServer() as srv:
        srv.set("/coast.rss", rss, headers=RSS)
        srv.set("/valley.rss", rss, headers=RSS)
        srv.redirect("/old-coast", srv.url("/coast.rss"), status=301)
        (tmp_path / "subs.opml").write_text(opml(
            f'<outline text="News"><outline text="Coast" xmlUrl="{srv.url("/coast.rss")}"/>'
            f'<outline text="Valley" xmlUrl="{srv.url("/valley.rss")}"/></outline>',
            f'<outline text="Local"><outline text="Coast" xmlUrl="{srv.url("/coast.rss")}"/></outline>',
            f'<outline text="Coast old" xmlUrl="{srv.url("/old-coast")}"/>',
            f'<outline text="Harbour" xmlUrl="{srv.url("/valley.rss")}x"/>',
        ))
        srv.set("/valley.rssx", rss, headers=RSS)
        path = config(tmp_path, f"  - {{name: Harbour Herald, url: '{srv.url('/valley.rssx')}'}}\n", srv.port)
        args = ["import-opml", "--config", str(path), "--check", str(tmp_path / "subs.opml")]
        assert main(args) == 0
        out = capsys.readouterr().out.splitlines()
        assert [s.name for s in load_config(path).sources] == ["Harbour Herald", "Coast", "Valley"]
        old = [line for line in out if "Coast old" in line]
        assert old == [f"{tmp_path / 'subs.opml'}: not added: Coast old: the same feed as 'Coast' in the list "
                       f"(both read at {srv.url('/coast.rss')}): added once"], out
        summary = [line for line in out if line.startswith(f"{path}: added ")]
        assert summary == [f"{path}: added 2 of 3 feeds from {tmp_path / 'subs.opml'} (2 were the same feed as "
                           f"another in the list; 1 was there already; the old file is {path}.bak)"], out
        assert main(args) == 0
        out = capsys.readouterr().out.splitlines()
    summary = [line for line in out if line.startswith(f"{path}: added ")]
    assert summary == [f"{path}: added 0 of 3 feeds from {tmp_path / 'subs.opml'} (2 were the same feed as "
                       "another in the list; 3 were there already)"], out
    # stop 62: the two said "added once" again, though nothing was added this time
    assert [line for line in out if "Coast" in line] == [
        f"{tmp_path / 'subs.opml'}: not added: Coast: listed again in the folder 'Local': there already (as 'Coast')",
        f"{tmp_path / 'subs.opml'}: not added: Coast old: the same feed as 'Coast' in the list "
        f"(both read at {srv.url('/coast.rss')}): there already (as 'Coast')"], out
