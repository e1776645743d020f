"""``App.run`` fetches its URL sources side by side, and reads them in order as before."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

import digest.app
from tests.support.config import MakeApp
from tests.support.httpd import Reply, TestServer, delayed

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
NOW = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
DELAY = 0.6
#: The loopback test server is allowed, with room for every feed at once.
LOOPBACK = "fetch:\n  allow_hosts: ['127.0.0.1']\n  per_host: 8\n"


@pytest.mark.slow
def test_slow_feeds_are_waited_for_side_by_side_with_the_same_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_app: MakeApp
) -> None:
    feeds = ["coast.rss", "valley.atom"] * 3
    with TestServer() as srv:
        for i, name in enumerate(feeds):
            reply = Reply((FEEDS / name).read_bytes(), 200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'})
            srv.handle(f"/f{i}", delayed(reply, DELAY))
        srv.set("/missing", b"nope", status=404)
        sources = "".join(f"  - name: F{i}\n    url: {srv.url(f'/f{i}')}\n" for i in range(len(feeds)))
        sources += f"  - name: Gone\n    url: {srv.url('/missing')}\n"
        with make_app(tmp_path / "pre", sources, LOOPBACK) as app:
            t0 = time.monotonic()
            report = app.run(now=NOW)
            took = time.monotonic() - t0
            stories = sorted(len(app.engine.members(s)) for s in app.engine.stories())
            states = {s.name: s for s in app.store.list_source_states()}
        # one after the other this takes 6 x 0.6 s
        assert took < len(feeds) * DELAY * 0.6, took
        assert [e.source for e in report.errors] == ["Gone"]
        assert states["Gone"].failures == 1 and states["Gone"].error_kind == "http-404"
        assert states["F0"].etag == '"v1"' and states["F0"].failures == 0
        assert srv.hits["/f0"] == 1 and srv.hits["/missing"] == 1
        # fetched one at a time (each in its turn, as before) they give the same stories
        monkeypatch.setattr(digest.app, "prefetch", lambda store, cfg, sources, now=None: {})
        with make_app(tmp_path / "seq", sources, LOOPBACK) as one:
            again = one.run(now=NOW)
            assert sorted(len(one.engine.members(s)) for s in one.engine.stories()) == stories
        assert again.new_articles == report.new_articles and [e.source for e in again.errors] == ["Gone"]


def test_a_paused_source_is_not_asked_and_validators_are_sent(tmp_path: Path, make_app: MakeApp) -> None:
    with TestServer() as srv:
        for path, name in (("/a", "coast.rss"), ("/b", "valley.atom"), ("/c", "coast.rss")):
            srv.set(path, (FEEDS / name).read_bytes(), headers={"Content-Type": "application/rss+xml"},
                    etag=f'"{path}"')
        sources = "".join(f"  - name: {p[1:].upper()}\n    url: {srv.url(p)}\n" for p in ("/a", "/b", "/c"))
        with make_app(tmp_path, sources, LOOPBACK) as app:
            app.run(now=NOW)
            state = app.store.get_source_state("C")
            assert state is not None
            state.paused, state.paused_reason = True, "test"
            app.store.save_source_state(state)
            second = app.run(now=NOW)
        assert second.not_modified == 2 and second.new_articles == 0
        assert [e.kind for e in second.errors] == ["paused"]
        assert srv.hits["/c"] == 1
        assert srv.headers_of("/a")[-1].get("If-None-Match") == '"/a"'
