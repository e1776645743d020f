from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.app import App
from digest.store.base import StoredArticle
from digest.text.identity import article_key, canonical_url, legacy_key
from tests.support.config import MakeApp
from tests.support.httpd import TestServer


def test_tracking_parameters_fragment_and_case_do_not_change_identity() -> None:
    a = canonical_url("HTTPS://News.Example.com:443/a/b?id=7&utm_source=x&fbclid=1#top")
    assert a == "https://news.example.com/a/b?id=7"
    assert article_key("s", None, "https://news.example.com/a/b?utm_medium=rss&id=7", "", "") == article_key(
        "s", None, "https://news.example.com/a/b?id=7", "other", "text"
    )


def test_canonical_url_details() -> None:
    assert canonical_url("http://x.example:80") == "http://x.example/"
    assert canonical_url("http://x.example:8080/p") == "http://x.example:8080/p"
    assert canonical_url("https://x.example/p?b=2&a=1&gclid=z&mc_cid=1&mc_eid=2&ref=tw") == "https://x.example/p?a=1&b=2"
    assert canonical_url("https://user:pw@x.example/p") == "https://x.example/p"
    assert canonical_url("http://[::1]:8080/p") == "http://[::1]:8080/p"
    # parameters that select content stay
    assert canonical_url("https://x.example/?p=12&feed=rss2") == "https://x.example/?feed=rss2&p=12"
    # path case matters
    assert canonical_url("https://x.example/A") != canonical_url("https://x.example/a")
    # unparseable ports are returned as they are, not raised
    assert canonical_url("http://x.example:99999999/") == "http://x.example:99999999/"


def test_entry_id_wins_and_is_scoped_by_source() -> None:
    assert article_key("a", "42", "https://x.example/1", "t", "x") == article_key("a", "42", None, "u", "y")
    assert article_key("a", "42", None, "t", "x") != article_key("b", "42", None, "t", "x")


def test_link_key_is_scoped_by_source_and_ignores_non_http() -> None:
    # a source may write any URL in its items: it cannot take another source's article by it
    assert article_key("a", None, "https://x.example/1", "t", "x") != article_key("b", None, "https://x.example/1", "t", "x")
    assert article_key("a", None, "https://x.example/1?utm_source=z", "t", "x") == article_key(
        "a", None, "https://X.example/1", "u", "y"
    )
    # a file:// URL is no identity: content hash instead
    assert article_key("a", None, "file:///tmp/a.txt", "t", "x") == article_key("a", None, None, "t", "x")


def test_content_hash_ignores_whitespace_and_case() -> None:
    k1 = article_key("s", None, None, "Title", "Some  body\ntext")
    assert k1 == article_key("s", None, None, "title", "some body text")
    assert k1 != article_key("s", None, None, "title", "other body")
    assert k1.startswith("c") and len(k1) == 21


_PART = st.text(alphabet="abcXYZ019-._~%&=?/#:@+ ", max_size=30)


@given(st.text(max_size=200))
def test_canonical_url_never_raises(url: str) -> None:
    assert isinstance(canonical_url(url), str)


@given(st.sampled_from(["http", "HTTPS"]), st.sampled_from(["x.example", "Y.Example:443", "z.example:8080"]), _PART)
def test_canonical_url_is_idempotent(scheme: str, host: str, rest: str) -> None:
    once = canonical_url(f"{scheme}://{host}/{rest}")
    assert canonical_url(once) == once
    assert "#" not in once and "utm_" not in once


def test_without_tracking_keeps_the_link_as_given_less_its_tracking() -> None:
    from digest.text.identity import without_tracking

    assert (
        without_tracking("https://Gazette.example/a?utm_source=rss&id=7&fbclid=x&b=%20c#frag")
        == "https://Gazette.example/a?id=7&b=%20c#frag"
    )
    assert (
        without_tracking("https://gazette.example/a?utm_source=rss") == "https://gazette.example/a"
    )
    plain = "https://gazette.example/a?z=1&a=2"
    assert without_tracking(plain) == plain  # order and case kept: a link to show, not a key
    assert (
        without_tracking("http://[::1/a?utm_source=x") == "http://[::1/a?utm_source=x"
    )  # unparseable: as given


def test_legacy_key_is_the_link_key_before_issue_21() -> None:
    """The key a link-keyed article was stored under until link keys were scoped (same for every
    source); None where the key never changed (entry id, content)."""
    import hashlib

    old = "u" + hashlib.sha1(b"https://x.example/1").hexdigest()[:20]
    assert legacy_key(None, "https://x.example/1?utm_source=z#c") == old
    assert article_key("a", None, "https://x.example/1", "t", "x") != old
    assert legacy_key("42", "https://x.example/1") is None
    assert legacy_key(None, None) is None and legacy_key(None, "file:///tmp/a.txt") is None


_BODIES = [
    "The harbour wall at Opunake collapsed into the sea after the quake on Tuesday, the council said. "
    "Engineers will inspect the rest of the wall this week.",
    "Power was cut to about four thousand homes across the Taranaki region after the earthquake early "
    "on Tuesday morning. Crews restored most supply by noon.",
    "Schools in the district will stay closed on Wednesday while buildings are checked for damage, the "
    "ministry said in a statement on Tuesday evening.",
]


def _bare_feed(which: list[int]) -> bytes:
    """Items with neither a guid nor a link, each ending with the site's one-line footer."""
    foot = "<p>Follow Coast News on social media for the latest updates.</p>"
    items = "".join(f"<item><title>Story {i}</title><description>{escape(f'<p>{_BODIES[i]}</p>{foot}')}"
                    "</description></item>" for i in which)
    return f'<rss version="2.0"><channel><title>Coast</title>{items}</channel></rss>'.encode()


def _serve(srv: TestServer, which: list[int]) -> None:
    srv.set("/feed.xml", _bare_feed(which), headers={"Content-Type": "application/rss+xml"})


def _coast(tmp_path: Path, make_app: MakeApp, srv: TestServer) -> App:
    """An App over the one bare feed ``srv`` serves."""
    return make_app(tmp_path, {"Coast": srv.url("/feed.xml")}, fetch={"allow_hosts": ["127.0.0.1"]})


def _stored(app: App) -> list[StoredArticle]:
    return list(app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC)))


@pytest.mark.parametrize("later", [[0], [0, 1], [2, 1, 0]])
def test_an_entry_without_id_or_link_is_stored_once_whatever_else_the_feed_lists(
    tmp_path: Path, make_app: MakeApp, later: list[int]
) -> None:
    # Its key was the hash of its text cleaned of the lines recurring in the poll's batch: the
    # footer went while three items carried it, and stayed when the feed listed one or two
    # (or other items): the same entry got another key and was stored again as new
    with TestServer() as srv:
        _serve(srv, [0, 1, 2])
        with _coast(tmp_path, make_app, srv) as app:
            assert app.run().new_articles == 3
            _serve(srv, later)
            assert app.run().new_articles == 0
            assert len(_stored(app)) == 3


def test_a_store_written_before_keys_ignored_the_batch_knows_those_entries_by_their_old_key(
    tmp_path: Path, make_app: MakeApp
) -> None:
    # A store of the stop before this fix holds such entries under the key of their text
    # cleaned of the batch's recurring lines too: after the upgrade they are not stored again
    import sqlite3

    with TestServer() as srv:
        _serve(srv, [0, 1, 2])
        with _coast(tmp_path, make_app, srv) as app:
            assert app.run().new_articles == 3
            rows = _stored(app)
        db = sqlite3.connect(tmp_path / "data" / "digest.sqlite3")
        with db:  # the keys as the older digest wrote them
            for a in rows:
                old = article_key(a.source, None, None, a.title, a.text)
                assert old != a.key  # the footer was cut from the stored text, not from the key's
                db.execute("UPDATE articles SET key = ? WHERE key = ?", (old, a.key))
                db.execute("UPDATE stories SET lead_key = ? WHERE lead_key = ?", (old, a.key))
        db.close()
        with _coast(tmp_path, make_app, srv) as app:
            assert app.run().new_articles == 0  # the same three items
            _serve(srv, [2, 0, 1])
            assert app.run().new_articles == 0
            assert len(_stored(app)) == 3
