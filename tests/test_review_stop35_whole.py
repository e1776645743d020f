"""Review of the whole stop-35 change: defects found across its parts, each pinned here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def _get(app: Any, path: str) -> str:
    """One GET through the WSGI application: the body, as text."""
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "localhost",
               "SERVER_PORT": "80", "wsgi.url_scheme": "http"}
    return b"".join(app(environ, lambda status, headers: None)).decode("utf-8")


def test_a_page_rendered_while_the_archive_reads_its_file_again_is_not_kept_as_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request that took the old pages' renderer, then the file read again by another
    request (between the two, in the store's change marker), then the page rendered: the old
    title was cached under the new configuration's generation, and every later request got
    it until the store changed."""
    from digest.service import web
    from digest.store.base import open_store
    from tests.support.archive import NOW, fill
    from tests.support.config import make_config

    monkeypatch.setattr(web, "CONFIG_CHECK", 0.0)  # look at every request
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), title="First title", write=True)
    assert cfg.config_path is not None
    path = cfg.config_path
    with open_store(cfg.database_url) as store:
        fill(store)
    app: Any = web.make_app(cfg, lambda: open_store(cfg.database_url), clock=lambda: NOW)
    marker, meanwhile = app.marker, [True]

    def looked() -> object:  # the store's change marker; its first look meets another request
        if meanwhile.pop() if meanwhile else False:
            path.write_text(path.read_text(encoding="utf-8").replace("First title", "Second title"),
                            encoding="utf-8")
            _get(app, "/healthz")  # it reads the changed file
        return marker()

    app.marker = looked
    assert "Second title" not in _get(app, "/")  # the renderer taken before the file changed
    assert "Second title" in _get(app, "/")  # the next request: the new title


def test_a_digest_time_moved_before_now_mails_the_digest_now_as_a_restart_would(tmp_path: Path) -> None:
    """At 07:30 the morning digest's time is moved from 08:00 to 07:00 in ``feeds.yaml``.  A
    restart's catch-up mails Monday's digest at once; the reload made the schedule again with
    the next run tomorrow at 07:00, and Monday's went out a day late."""
    from digest.app import open_app
    from digest.service.daemon import Daemon
    from tests.support.daemon import smtpd
    from tests.test_catch_up_digests import MONDAY, _at, config, ingest

    with smtpd() as (inbox, port):
        cfg_path = config(tmp_path, port, '\n  - name: morning\n    time: "08:00"\n')
        ingest(cfg_path, MONDAY)
        with open_app(cfg_path) as app:
            d = Daemon(app, clock=lambda: _at(10, 7, 30))
            d.catch_up()  # the start: Sunday's digest was the latest due
            assert not [m for m in inbox.messages if "2026-11-09" in str(m["Subject"])]
            cfg_path.write_text(cfg_path.read_text(encoding="utf-8").replace('"08:00"', '"07:00"'),
                                encoding="utf-8")
            assert d.reload_config()
            assert [str(m["Subject"]) for m in inbox.messages if "2026-11-09" in str(m["Subject"])] == [
                "digest for 2026-11-09: 2 stories"]
