"""``digest add URL`` and ``digest remove NAME``: a feed read once and added to ``feeds.yaml``
under its own title, and a source removed, each round-trip (every other line kept)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.app import open_app
from digest.cli import main
from digest.config import load_config
from tests.support.fixtures import NOW
from tests.support.httpd import TestServer

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
RSS = {"Content-Type": "application/rss+xml"}
HEAD = "# my feeds\nsources:\n  # local desk\n  - name: Notes\n    path: notes   # my notes\n"
TAIL = "# the end\ntimezone: UTC\nfetch:\n  allow_hosts: ['127.0.0.1']\n"


def config(tmp_path: Path, sources: str = "") -> Path:
    (tmp_path / "notes").mkdir(exist_ok=True)
    path = tmp_path / "feeds.yaml"
    path.write_text(HEAD + sources + TAIL, encoding="utf-8")
    return path


def add(cfg: Path, *args: str) -> int:
    return main(["add", "--config", str(cfg), *args])


def test_a_sites_page_adds_the_feed_it_links_under_the_feeds_own_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path)
    with TestServer() as srv:
        srv.set("/coast.rss", (FEEDS / "coast.rss").read_bytes(), headers=RSS)
        srv.set("/", '<html><head><link rel="alternate" type="application/rss+xml" href="/coast.rss"></head></html>',
                headers={"Content-Type": "text/html"})
        assert add(cfg, srv.url("/"), "--category", "World") == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "added 'Coast News'" in out and "entries" in out and "the newest 2026-11-17" in out
    assert f"found through the page {srv.url('/')}" in out
    assert cfg.read_text() == HEAD + (f"  - name: Coast News\n    url: {srv.url('/coast.rss')}\n"
                                      "    category: World\n") + TAIL  # the comments where they were
    assert (tmp_path / "feeds.yaml.bak").read_text() == HEAD + TAIL
    assert [(s.name, s.url) for s in load_config(cfg).sources][1] == ("Coast News", srv.url("/coast.rss"))


def test_a_feed_moved_for_good_is_added_where_it_lives_now_and_a_temporary_move_is_not(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    with TestServer() as srv:
        srv.set("/new.atom", (FEEDS / "valley.atom").read_bytes(), headers={"Content-Type": "application/atom+xml"})
        srv.set("/old.atom", b"", status=301, headers={"Location": srv.url("/new.atom")})
        srv.set("/today.atom", b"", status=302, headers={"Location": srv.url("/new.atom")})
        assert add(cfg, srv.url("/old.atom")) == 0
        assert add(cfg, srv.url("/today.atom"), "--name", "Valley (today)") == 0
    sources = [(s.name, s.url) for s in load_config(cfg).sources]
    assert sources[1:] == [("Valley Wire", srv.url("/new.atom")), ("Valley (today)", srv.url("/today.atom"))]


def test_a_json_feed_names_itself_and_one_without_a_title_is_named_by_its_host_and_path(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    item = {"id": "1", "url": "https://h.example/1", "title": "Harbour reopens", "content_text": "It reopened."}
    with TestServer() as srv:
        srv.set("/feed.json", json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "  Harbour\nHerald ",
                                          "items": [item]}), headers={"Content-Type": "application/feed+json"})
        srv.set("/bare.rss", b'<rss version="2.0"><channel><item><title>t</title></item></channel></rss>', headers=RSS)
        assert add(cfg, srv.url("/feed.json")) == 0
        assert add(cfg, srv.url("/bare.rss")) == 0
    assert [s.name for s in load_config(cfg).sources][1:] == ["Harbour Herald", "127.0.0.1/bare"]


@pytest.mark.parametrize(("path", "body", "status", "said"), [
    ("/gone.rss", b"nope", 404, "HTTP 404"),
    ("/page.html", b"<html><head><title>x</title></head><body>no feed</body></html>", 200, "links no feed"),
    ("/junk.rss", b"\x00\x01 not xml at all", 200, "not a feed"),
])
def test_what_cannot_be_read_is_one_line_and_the_file_is_not_touched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str, body: bytes, status: int, said: str
) -> None:
    cfg = config(tmp_path)
    with TestServer() as srv:
        srv.set(path, body, status=status, headers={"Content-Type": "text/html" if "html" in path else "text/xml"})
        assert add(cfg, srv.url(path)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: add: ") and said in err
    assert cfg.read_text() == HEAD + TAIL and not (tmp_path / "feeds.yaml.bak").exists()


def test_a_feed_configured_under_another_spelling_is_not_added_and_no_check_reads_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestServer() as srv:
        srv.set("/coast.rss", (FEEDS / "coast.rss").read_bytes(), headers=RSS)
        cfg = config(tmp_path, f"  - name: Coast\n    url: {srv.url('/coast.rss')}\n")
        before = cfg.read_text()
        assert add(cfg, srv.url("/coast.rss/").replace("127.0.0.1", "localhost")) == 0
        assert "not added" in capsys.readouterr().out and cfg.read_text() == before
        assert add(cfg, "https://offline.example/feed", "--no-check", "--name", "Offline") == 0
        assert add(cfg, "notes/") == 2  # a folder is a path: no URL
        assert srv.hits["/coast.rss"] == 0  # a feed there already and --no-check ask nothing
    assert "not an http(s) URL" in capsys.readouterr().err
    assert [s.name for s in load_config(cfg).sources] == ["Notes", "Coast", "Offline"]


SOURCES = """\
  - name: Coast
    url: https://coast.example/feed   # the wire
    category: World
  # sport, from here on
  - name: Terrace
    url: https://terrace.example/feed
"""


def test_remove_cuts_the_sources_lines_alone_and_the_last_leaves_an_empty_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path, SOURCES)
    assert main(["remove", "--config", str(cfg), "Coast"]) == 0
    assert "removed 'Coast'" in capsys.readouterr().out
    assert cfg.read_text() == HEAD + SOURCES.split("  - name: Coast\n")[0] + SOURCES.split("World\n")[1] + TAIL
    assert (tmp_path / "feeds.yaml.bak").read_text() == HEAD + SOURCES + TAIL
    for name in ("Terrace", "Notes"):
        assert main(["remove", "--config", str(cfg), name]) == 0
    assert cfg.read_text() == "# my feeds\nsources: []\n  # local desk\n  # sport, from here on\n" + TAIL
    assert load_config(cfg).sources == []


def test_remove_refuses_what_it_cannot_cut_out_alone_in_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "list.opml").write_text('<?xml version="1.0"?><opml version="2.0"><body><outline text="Herald" '
                                        'type="rss" xmlUrl="https://h.example/feed"/></body></opml>')
    cfg = config(tmp_path, "  - name: Blogroll\n    path: list.opml\n")
    flow = tmp_path / "flow.yaml"
    flow.write_text('sources: [{name: A, url: "https://a.example/f"}, {name: B, url: "https://b.example/f"}]\n')
    for path, name, said in ((cfg, "Herald", "remove it there"), (cfg, "Nope", "no source is named 'Nope'"),
                             (flow, "B", "remove it by hand")):
        before = path.read_text()
        assert main(["remove", "--config", str(path), name]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and said in err and path.read_text() == before
    assert main(["remove", "--config", str(cfg), "Blogroll"]) == 0  # the list itself goes
    assert [s.name for s in load_config(cfg).sources] == ["Notes"]


def test_a_removed_sources_articles_stay_in_the_archive(tmp_path: Path) -> None:
    cfg = config(tmp_path, "  - name: Coast\n    path: coast.rss\n")
    (tmp_path / "coast.rss").write_bytes((FEEDS / "coast.rss").read_bytes())
    with open_app(cfg) as app:
        assert app.run(now=NOW).new_articles > 0
    assert main(["remove", "--config", str(cfg), "Coast"]) == 0
    with open_app(cfg) as app:
        report = app.run(now=NOW)
        assert report.new_articles == 0 and report.errors == []
        assert {s.lead.source for s in app.build_view(NOW.date()).stories} == {"Coast"}


def test_an_opml_lists_titles_lose_their_invisible_characters_as_digest_add_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest add`` named a source without a title's bidi controls and zero-width spaces;
    ``digest import-opml`` (and a list read as a source) kept them: a U+202E turned each line
    naming the source around, and a title of zero-width spaces was an invisible name."""
    cfg = config(tmp_path)
    (tmp_path / "subs.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="&#x202E;Harbour&#8203; Herald" type="rss" '
        'xmlUrl="https://harbour.example/feed"/><outline text="&#8203;&#8203;" type="rss" '
        'xmlUrl="https://blank.example/feed"/></body></opml>', encoding="utf-8")
    assert main(["import-opml", "--config", str(cfg), str(tmp_path / "subs.opml")]) == 0
    assert [s.name for s in load_config(cfg).sources] == ["Notes", "Harbour Herald", "blank.example"]  # its host (stop 63)


def test_a_feed_added_without_a_title_is_named_by_its_host_and_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest add --no-check URL`` (or a feed with no title) named the source by its host only:
    a site's second feed was ``example.com (example.com)`` (stop 61).  Now the host and the last
    part of the path that is no feed word (``rss.xml``, ``feed``): ``example.com/world``; a URL
    with none is the host, and a name taken is numbered, not the host again in brackets."""
    cfg = config(tmp_path)
    urls = ["https://www.example.com/world/rss.xml", "https://www.example.com/sport/rss.xml",
            "https://www.example.com/feed", "https://example.com/rss", "https://example.com/world/atom.xml"]
    for url in urls:
        assert add(cfg, url, "--no-check") == 0
    with TestServer() as srv:  # read, and untitled
        srv.set("/desk/local/feed/", b'<?xml version="1.0"?><rss version="2.0"><channel><title></title>'
                b"<item><title>A</title><link>https://a.example/1</link></item></channel></rss>", headers=RSS)
        assert add(cfg, srv.url("/desk/local/feed/")) == 0
    names = [s.name for s in load_config(cfg).sources]
    assert names == ["Notes", "example.com/world", "example.com/sport", "example.com", "example.com (2)",
                     "example.com/world (2)", "127.0.0.1/desk/local"], capsys.readouterr().out


def test_common_feed_addresses_added_without_a_check_are_named_by_what_their_path_says(tmp_path: Path) -> None:
    """Review of stop 61's naming, with feed addresses of common software: Pelican's
    ``/feeds/all.atom.xml`` was named ``example.com/all.atom`` (only the last extension was
    dropped), its category feed ``python.atom``, Blogger's main ``/feeds/posts/default``
    ``blogspot.com/posts`` and a dated or versioned path a bare number (``example.org/11``)."""
    cfg = config(tmp_path)
    urls = ["https://blog.example/feeds/all.atom.xml", "https://blog.example/feeds/python.atom.xml",
            "https://me.blogspot.com/feeds/posts/default", "https://me.blogspot.com/feeds/posts/default/-/travel",
            "http://example.org/2003/11/index.atom", "https://api.example.net/2.0/feed"]
    for url in urls:
        assert add(cfg, url, "--no-check") == 0
    assert [s.name for s in load_config(cfg).sources][1:] == [
        "blog.example", "blog.example/python", "me.blogspot.com", "me.blogspot.com/travel", "example.org",
        "api.example.net"]


def test_feeds_of_one_host_told_apart_by_their_paths_first_parts_are_named_by_them(tmp_path: Path) -> None:
    """Stop 62: the path's last part alone named every GitHub repository's releases feed
    ``github.com/releases`` (the later ones ``github.com/releases (2)``...), and every YouTube
    channel ``youtube.com/videos``.  Now every part of the path that is no feed word nor number,
    and a query's values that are no feed word nor number: the owner and repository, a subreddit, a
    channel; a long slug cut at a word's end (it was cut mid-word at 40 characters).  An untitled feed read on loopback at a releases path is named the same way."""
    cfg = config(tmp_path)
    urls = ["https://github.com/python/cpython/releases.atom", "https://github.com/psf/requests/releases.atom",
            "https://github.com/psf/requests/tags.atom", "https://github.com/psf/requests/commits/main.atom",
            "https://gitlab.com/gitlab-org/gitlab/-/tags?format=atom", "https://www.reddit.com/r/python/.rss",
            "https://www.youtube.com/feeds/videos.xml?channel_id=UCxyz", "https://mastodon.social/@Gargron.rss",
            "https://bsky.app/profile/me.bsky.social/rss", "https://example.org/news/rss?limit=50&page=2",
            "https://example.com/2024/05/a-storm-closes-the-coast-road-and-the-ferries-stay-in-port-till-monday/feed/"]
    for url in urls:
        assert add(cfg, url, "--no-check") == 0
    with TestServer() as srv:  # read, and untitled
        srv.set("/owner/repo/releases.atom", b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
                b"<title></title><entry><title>v1</title><id>t:1</id><link href='https://a.example/1'/>"
                b"<updated>2026-03-14T08:00:00Z</updated></entry></feed>", headers={"Content-Type": "application/atom+xml"})
        assert add(cfg, srv.url("/owner/repo/releases.atom")) == 0
    assert [s.name for s in load_config(cfg).sources][1:] == [
        "github.com/python/cpython/releases", "github.com/psf/requests/releases", "github.com/psf/requests/tags",
        "github.com/psf/requests/commits/main", "gitlab.com/gitlab-org/gitlab/tags", "reddit.com/r/python",
        "youtube.com/videos?channel_id=UCxyz", "mastodon.social/@Gargron", "bsky.app/profile/me.bsky.social",
        "example.org/news", "example.com/a-storm-closes-the-coast-road-and-the-ferries-stay-in-port…", "127.0.0.1/owner/repo/releases"]


def test_a_private_feeds_credential_in_its_query_names_no_source(tmp_path: Path) -> None:
    """Stop 62's review: the query's values named a source added untitled, and a private feed's
    ``?token=`` was among them: ``example.com/?token=...`` in the digest, the email and the
    archive's pages (its URL stays in feeds.yaml only).  A credential's key names nothing; the
    other values still do (a YouTube channel, a search's words)."""
    cfg = config(tmp_path)
    secrets = ["s3cr3tT0ken", "AbCdEf123456", "deadbeefcafe", "fedcba654321", "X1y2Z3w4", "Pq9Rs8Tu7"]
    urls = [f"https://example.com/feed?token={secrets[0]}", f"https://www.patreon.com/rss/creator?auth={secrets[1]}",
            f"https://news.example/rss?apikey={secrets[2]}&q=storm", f"https://a.example/feed.atom?access_token={secrets[3]}",
            f"https://b.example/rss?sig={secrets[4]}&channel_id=UC1", f"https://c.example/rss?key={secrets[5]}&keywords=flood",
            "https://d.example/rss?author=alice&country_code=NZ"]
    for url in urls:
        assert add(cfg, url, "--no-check") == 0
    names = [s.name for s in load_config(cfg).sources][1:]
    assert names == ["example.com", "patreon.com/creator", "news.example/?q=storm", "a.example",
                     "b.example/?channel_id=UC1", "c.example/?keywords=flood", "d.example/?author=alice&country_code=NZ"]
    assert not [s for s in secrets if any(s in n for n in names)]


def test_a_private_feeds_password_or_token_in_its_path_names_no_source(tmp_path: Path) -> None:
    """Stop 63: a private feed's token in its path named a source added untitled
    (``news.example/3f9a8c7b...``), as the query's did before stop 62.  A part of the path that
    looks like a secret (hex, letters and digits mixed, a UUID) names nothing; a slug, a year, an
    owner and a repository still do.  The userinfo (``ann:hunter2@``) never names one."""
    cfg = config(tmp_path)
    secrets = ["3f9a8c7b2e1d4f6a9b8c7d6e5f4a3b2c", "aB3xK9mQ2pL7vN4wR8tY", "5a1b2c3d-1111-2222-3333-444455556666",
               "Zx9-Qw8_Er7Ty6Ui5Op4As", "hunter2", "ann"]
    urls = [f"https://news.example/feed/{secrets[0]}/rss", f"https://a.example/private/{secrets[1]}/feed.xml",
            f"https://b.example/u/{secrets[2]}/atom", f"https://c.example/{secrets[3]}.rss",
            f"https://{secrets[5]}:{secrets[4]}@d.example/world/rss", "https://e.example/2024/storm-2024-coast-road/feed",
            "https://github.com/octo-org/repo2024/releases.atom"]
    for url in urls:
        assert add(cfg, url, "--no-check") == 0
    names = [s.name for s in load_config(cfg).sources][1:]
    assert names == ["news.example", "a.example/private", "b.example/u", "c.example", "d.example/world",
                     "e.example/storm-2024-coast-road", "github.com/octo-org/repo2024/releases"]
    assert not [s for s in secrets if any(s in n for n in names)]


def test_a_paths_last_part_keeps_a_dot_that_is_no_extension(tmp_path: Path) -> None:
    """Stop 62's review: every extension of the path's last part was dropped, and arXiv's
    category feeds ``/rss/cs.CL`` and ``/rss/cs.AI`` were named ``arxiv.org/cs`` and
    ``arxiv.org/cs (2)``.  A feed's or a page's extension is still dropped (``.xml``, ``.php``)."""
    cfg = config(tmp_path)
    for url in ("https://arxiv.org/rss/cs.CL", "https://arxiv.org/rss/cs.AI", "https://example.com/news/world.xml",
                "https://example.com/sport/rss.php", "https://example.com/blog/feed.json"):
        assert add(cfg, url, "--no-check") == 0
    assert [s.name for s in load_config(cfg).sources][1:] == [
        "arxiv.org/cs.CL", "arxiv.org/cs.AI", "example.com/news/world", "example.com/sport", "example.com/blog"]
