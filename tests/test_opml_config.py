"""``digest import-opml`` edits feeds.yaml round-trip; ``digest export-opml`` writes it back."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config

FEEDS = Path(__file__).parent / "fixtures" / "feeds"

OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
<outline text="News"><outline text="Coast News" type="rss" xmlUrl="https://coast.example/feed.xml"/>
<outline text="Local"><outline text="Valley" type="rss" xmlUrl="https://valley.example/atom"/></outline></outline>
<outline text="Harbour" xmlUrl="HTTPS://Harbour.example/rss"/>
<outline text="Bad" xmlUrl="javascript:alert(1)"/>
<outline text="Homepage only" htmlUrl="https://home.example/"/>
<outline text="Coast again" xmlUrl="https://coast.example/feed.xml"/>
</body></opml>"""

CONFIG = """\
# My feeds: the ones I read every morning
title: "My digest"   # shown on top

sources:
    # local wire first
    -   name: Coast News
        path: {coast}
        priority: 1   # preferred
    -   name: Harbour Herald
        url: https://harbour.example/rss  # the morning paper
        # (more to come)

output_dir: out   # where digests go
"""


def write(tmp_path: Path, text: str) -> Path:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(text.format(coast=FEEDS / "coast.rss"))
    return cfg


def test_import_keeps_comments_order_and_layout_and_says_why_a_feed_is_not_added(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write(tmp_path, CONFIG)
    before = cfg.read_text()
    opml = tmp_path / "subs.opml"
    opml.write_bytes(OPML)
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    out = capsys.readouterr().out.splitlines()
    after = cfg.read_text()
    # every line of the old file is there, in order, as it was (comments, quotes, indentation)
    lines = iter(after.splitlines())
    assert all(any(line == new for new in lines) for line in before.splitlines()), after
    assert "    -   name: Coast News (coast.example)\n        url: https://coast.example/feed.xml\n" in after
    # what followed the last source still follows the sources
    assert after.endswith("        category: News / Local\n        # (more to come)\n\noutput_dir: out   # where digests go\n")
    assert Path(str(cfg) + ".bak").read_text() == before
    srcs = {s.name: s for s in load_config(cfg).sources}
    assert srcs["Coast News (coast.example)"].category == "News" and srcs["Valley"].category == "News / Local"
    assert srcs["Harbour Herald"].category is None and "Harbour" not in srcs
    assert f"{opml}: not added: Harbour: already there (as 'Harbour Herald': HTTPS://Harbour.example/rss)" in out
    assert f"{opml}: not added: Bad: not an http(s) feed URL: 'javascript:alert(1)'" in out
    assert f"{opml}: not added: Homepage only: no feed URL (xmlUrl), only a page's: https://home.example/ " \
           "('digest add' that page finds the feed it links)" in out
    assert f"{opml}: not added: Coast again: listed again outside any folder: added once, in the folder 'News' " \
           "(a source has one category)" in out
    assert f"{opml}: 'Coast News' added as 'Coast News (coast.example)' (the name was taken)" in out
    assert out[-3].startswith(f"{cfg}: added 2 of 5 feeds from {opml}")  # Coast again: one feed
    # the folders made sections of a digest that had none: said (stop 46 review)
    assert out[-2] == (f"{cfg}: the list's folders are the new feeds' categories (News, News / Local): the digest "
                       "shows them as sections (a story of no category under 'Other')")
    # unlike digest add, the feeds were not read: a new user imported a list of dead URLs and met
    # an error line for each at every run after, told nothing at the import (stop 45)
    assert out[-1] == (f"{cfg}: not read yet: the next 'digest run' reads them and names each that fails "
                       "('digest remove NAME' drops one; 'digest import-opml --check' reads each first)")
    # again: nothing to add, the file and its backup untouched, nothing said of reading
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    again = capsys.readouterr().out
    assert "added 0 of 5" in again and "not read yet" not in again and cfg.read_text() == after
    assert Path(str(cfg) + ".bak").read_text() == before


def test_export_then_import_on_an_empty_config_gives_the_same_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "a"
    first.mkdir()
    cfg = write(first, CONFIG)
    opml = tmp_path / "subs.opml"
    opml.write_bytes(OPML)
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    exported = tmp_path / "out.opml"
    assert main(["export-opml", "--config", str(cfg), "-o", str(exported)]) == 0
    assert "Coast News: not exported: a local path" in capsys.readouterr().err
    empty = tmp_path / "b" / "feeds.yaml"
    empty.parent.mkdir()
    empty.write_text("# nothing yet\n")
    assert main(["import-opml", "--config", str(empty), str(exported)]) == 0
    assert "added 3 of 3" in capsys.readouterr().out
    assert empty.read_text().startswith("# nothing yet\n")

    def feeds(path: Path) -> list[tuple[str, str | None, str | None]]:
        return [(s.name, s.url, s.category) for s in load_config(path).sources if s.url]

    assert feeds(empty) == feeds(cfg) and len(feeds(cfg)) == 3
    # to standard output by default
    assert main(["export-opml", "--config", str(empty)]) == 0
    assert capsys.readouterr().out.startswith("<?xml")


def test_outlines_with_no_url_at_all_are_one_line_and_not_counted_as_feeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seen before: Tiny Tiny RSS's export (its settings as outlines) printed "(an outline
    without a name): no feed URL (xmlUrl)" once per preference, and "added 2 of 9 feeds"."""
    cfg = write(tmp_path, CONFIG)
    prefs = "".join(f'<outline pref-name="P{i}" value="{i}"/>' for i in range(5))
    opml = tmp_path / "ttrss.opml"
    opml.write_text(f"""<?xml version="1.0" encoding="utf-8"?><opml version="1.0"><head>
    <title>Tiny Tiny RSS Feed Export</title></head><body>
    <outline type="rss" text="Forum" xmlUrl="https://forum.example/latest.rss"/>
    <outline title="Linux" text="Linux"><outline type="rss" text="Phoronix" xmlUrl="https://ph.example/rss"/></outline>
    <outline title="Empty" text="Empty"/>
    <outline text="tt-rss-prefs" schema-version="146">{prefs}</outline>
    <outline text="tt-rss-filters" schema-version="146"><outline filter-type="2"><![CDATA[{{"title":"x"}}]]></outline></outline>
    </body></opml>""")
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"{opml}: 7 outlines with no URL at all passed over (empty folders, or the reader's own "
                      "settings): 'Empty', 'tt-rss-prefs', 'tt-rss-filters'")
    assert out[1].startswith(f"{cfg}: added 2 of 2 feeds from {opml}")
    assert not any("not added" in line for line in out)


def test_a_feed_in_two_folders_is_one_feed_of_the_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Feedly and Inoreader write a feed once per folder it is in: three feeds in two folders
    each are three feeds added of three.  Seen before: "added 3 of 6 feeds", the half not added
    read as failures."""
    cfg = write(tmp_path, CONFIG)
    opml = tmp_path / "feedly.opml"
    feeds = "".join(f'<outline type="rss" text="F{i}" xmlUrl="https://f{i}.example/rss"/>' for i in range(3))
    opml.write_text(f'<opml version="1.0"><body><outline text="Tech">{feeds}</outline>'
                    f'<outline text="Must Read">{feeds}</outline></body></opml>')
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert sum("listed again in the folder 'Must Read'" in line for line in out) == 3
    assert any(line.startswith(f"{cfg}: added 3 of 3 feeds from {opml}") for line in out), out


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("", "no feed to add: the list is empty"),
        ('<outline text="Empty folder"/>', "no feed to add: no outline has an http(s) feed URL (xmlUrl)"),
        ("".join(f'<outline type="link" text="Story {i}" url="https://news.example/{i}"/>' for i in range(30)),
         "no feed to add: its 30 outlines link pages (htmlUrl or url), none a feed (xmlUrl): saved articles or "
         "bookmarks, not subscriptions?"),
    ],
)
def test_a_list_without_feeds_is_one_error_line_and_exit_1_with_the_file_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, said: str
) -> None:
    """Seen before: an empty export said "added 0 of 0 feeds" and exited 0; an export of
    Feedly's saved articles said "no feed URL (xmlUrl)" once per article, and exited 0."""
    cfg = write(tmp_path, CONFIG)
    before = cfg.read_text()
    opml = tmp_path / "saved.opml"
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><head><title>Saved For Later</title></head>'
                    f"<body>{body}</body></opml>")
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 1
    out, err = capsys.readouterr()
    assert err.startswith(f"error: {opml}: {said}") and len(err.splitlines()) == 1 and "Story 1:" not in out
    assert out == ("" if "Empty" not in body else f"{opml}: 1 outline with no URL at all passed over (empty "
                   "folders, or the reader's own settings): 'Empty folder'\n")
    assert cfg.read_text() == before and not Path(str(cfg) + ".bak").exists()


def test_a_second_import_of_the_same_list_is_one_line_and_leaves_the_file_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seen before: importing a 5,000-feed export again printed 5,000 "already there" lines
    (and read the file round-trip for nothing: 6.0 s, now 4.1 s)."""
    cfg = write(tmp_path, CONFIG)
    opml = tmp_path / "big.opml"
    outlines = "".join(f'<outline text="Feed {i // 2}" xmlUrl="https://f{i}.example/rss"/>' for i in range(40))
    opml.write_text(f'<opml version="2.0"><body>{outlines}'
                    '<outline text="Harbour" xmlUrl="https://harbour.example/rss"/></body></opml>')
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    capsys.readouterr()
    after = cfg.read_text()
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    out = capsys.readouterr().out.splitlines()
    # a feed there under another name is still said: the name in the list is not the one shown;
    # one the first import named "Feed 3 (2)" (its name was taken) is not; the count is every
    # feed there (it said 40 of 41, the one said on its own line left out: stop 61)
    assert out == [f"{opml}: not added: Harbour: already there (as 'Harbour Herald': https://harbour.example/rss)",
                   f"{cfg}: added 0 of 41 feeds from {opml} (41 were there already)"]
    assert cfg.read_text() == after


def test_import_names_every_folder_its_feeds_went_in_and_which_were_categories_already(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A list of two folders, World and Tech, where a configured source was in Tech already: the
    import said "the list's folders are the new feeds' categories (World)", as if Tech's feeds
    had none (stop 50's walkthrough).  Each folder is named, and which existed; a list of many
    folders names a few and counts the rest, on one line."""
    cfg = write(tmp_path, CONFIG.replace("        priority: 1   # preferred\n",
                                         "        priority: 1   # preferred\n        category: Tech\n"))
    opml = tmp_path / "subs.opml"
    opml.write_bytes(b"""<?xml version="1.0"?><opml version="2.0"><body>
<outline text="World"><outline text="Globe" xmlUrl="https://globe.example/rss"/></outline>
<outline text="Tech"><outline text="Bits" xmlUrl="https://bits.example/rss"/></outline>
</body></opml>""")
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2] == (f"{cfg}: the list's folders are the new feeds' categories (Tech, World; Tech was a category "
                       "already): the digest shows them as sections (a story of no category under 'Other')")
    # many folders: a few named, the rest counted
    folders = "".join(f'<outline text="F{i:02d}"><outline text="Feed {i}" xmlUrl="https://f{i}.example/rss"/>'
                      "</outline>" for i in range(40))
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{folders}'
                    '<outline text="Tech"><outline text="Bytes" xmlUrl="https://bytes.example/rss"/></outline>'
                    "</body></opml>")
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2] == (f"{cfg}: the list's folders are the new feeds' categories (F00, F01, F02 and 38 more; Tech "
                       "was a category already): the digest shows them as sections (a story of no category "
                       "under 'Other')")


def test_the_own_network_hint_names_only_hosts_of_feeds_added(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A list holding a feed on this machine configured already (not added again) and a public
    one: the hint that feeds on your own network are refused named the one not added, as if the
    import had brought it (stop 61).  Only the hosts of feeds added are named."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - {name: Bridge, url: 'http://127.0.0.1:8080/feed'}\n", encoding="utf-8")
    opml = tmp_path / "subs.opml"
    opml.write_text('<opml version="2.0"><body><outline text="Bridge" xmlUrl="http://127.0.0.1:8080/feed"/>'
                    '<outline text="Coast" xmlUrl="https://coast.example/feed.xml"/></body></opml>')
    capsys.readouterr()
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    out = capsys.readouterr().out
    assert "added 1 of 2 feeds" in out and "own network" not in out, out
    opml.write_text('<opml version="2.0"><body><outline text="Box" xmlUrl="http://127.0.0.1:8081/feed"/></body></opml>')
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    assert "feeds on your own network (127.0.0.1)" in capsys.readouterr().out


def test_a_feed_there_already_listed_in_two_folders_is_not_said_added_and_a_namesake_adds_no_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stop 62: a feed configured already and listed in two folders was said "listed again in the
    folder 'Tech': added once, in the folder 'News'" though nothing was added; and a feed of the
    list named as one there already (``NAS``), added renamed, made the own-network hint name the
    host of the one there already (``given`` mapped a name, not a feed), and its folder a new
    feed's category.  A local path in the list, and a folder given for the list, say what to do."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - {name: NAS, url: 'http://192.168.1.5/rss', category: Home}\n"
                   "  - {name: Coast, url: 'https://coast.example/rss'}\n", encoding="utf-8")
    opml = tmp_path / "subs.opml"
    opml.write_text('<opml version="2.0"><body><outline text="News">'
                    '<outline text="Coast" xmlUrl="https://coast.example/rss"/>'
                    '<outline text="Harbor" xmlUrl="https://harbor.example/rss"/></outline>'
                    '<outline text="Lab"><outline text="NAS" xmlUrl="http://192.168.1.5/rss"/></outline>'
                    '<outline text="Tech"><outline text="Coast" xmlUrl="https://coast.example/rss"/>'
                    '<outline text="Harbor" xmlUrl="https://harbor.example/rss"/></outline>'
                    '<outline text="Home"><outline text="NAS" xmlUrl="https://public.example/rss"/>'
                    '<outline text="Mine" xmlUrl="/home/me/mine.xml"/></outline></body></opml>')
    capsys.readouterr()
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:5] == [
        f"{opml}: not added: Coast: listed again in the folder 'Tech': there already (as 'Coast')",
        f"{opml}: not added: Harbor: listed again in the folder 'Tech': added once, in the folder 'News' "
        "(a source has one category)",
        f"{opml}: not added: Mine: not an http(s) feed URL: '/home/me/mine.xml' (a local file or folder is a "
        "source's 'path:')",
        f"{opml}: 'NAS' added as 'NAS (public.example)' (the name was taken)",
        f"{cfg}: added 2 of 5 feeds from {opml} (2 were the same feed as another in the list; 2 were there "
        f"already; the old file is {cfg}.bak)"], out
    assert not [line for line in out if "own network" in line], out
    assert [line for line in out if "folders" in line] == [
        f"{cfg}: the list's folders are the new feeds' categories (Home, News; Home was a category already): "
        "the digest shows them as sections (a story of no category under 'Other')"], out
    assert [s.name for s in load_config(cfg).sources] == ["NAS", "Coast", "Harbor", "NAS (public.example)"]
    assert main(["import-opml", "--config", str(cfg), str(tmp_path)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: {tmp_path}: a folder, not an OPML file (give the file your feed reader exported; a folder of "
        "feeds or articles is a source's 'path:')"]


def test_a_feed_in_two_folders_that_the_check_cannot_read_is_not_said_added_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stop 62's review: under ``--check`` a feed listed in two folders that cannot be read was
    said "listed again in the folder 'B': added once, in the folder 'A'" beside its own "HTTP 404"
    line, though it was added nowhere.  Its second line says it was not added either."""
    from tests.support.httpd import TestServer

    with TestServer() as srv:
        srv.set("/good", b'<?xml version="1.0"?><rss version="2.0"><channel><title>Good</title><item><title>a</title>'
                b"<link>https://a.example/1</link></item></channel></rss>", headers={"Content-Type": "application/rss+xml"})
        gone, good = srv.url("/gone"), srv.url("/good")
        opml = tmp_path / "subs.opml"
        opml.write_text(f'<opml version="2.0"><body><outline text="A"><outline text="Gone" xmlUrl="{gone}"/>'
                        f'<outline text="Good" xmlUrl="{good}"/></outline>'
                        f'<outline text="B"><outline text="Gone" xmlUrl="{gone}"/></outline></body></opml>')
        cfg = tmp_path / "feeds.yaml"
        cfg.write_text("fetch: {allow_hosts: [127.0.0.1]}\nsources:\n  - {name: Coast, url: 'https://coast.example/rss'}\n",
                       encoding="utf-8")
        capsys.readouterr()
        assert main(["import-opml", "--config", str(cfg), "--check", str(opml)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [f"{opml}: not added: Gone: listed again in the folder 'B': not added either (it could not be read)",
                       f"{opml}: not added: Gone: HTTP 404 Not Found from {gone}"], out
    assert [s.name for s in load_config(cfg).sources] == ["Coast", "Good"]
