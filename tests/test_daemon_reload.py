"""The daemon reads its configuration again when the file changes, or on SIGHUP.

Real parts: ``python -m digest daemon`` as a process, feeds on a loopback HTTP server, the
SQLite store on disk; the file edited as a user or ``digest import-opml`` does.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest
import yaml

from digest.app import open_app
from digest.service.daemon import Daemon
from tests.support.daemon import loopback_config, rss, spawn_digest
from tests.support.httpd import TestServer, wait_until

ROOT = Path(__file__).resolve().parents[1]


def _stored(tmp: Path, source: str) -> int:
    db = tmp / "data" / "digest.sqlite3"
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
        try:
            return int(con.execute("SELECT count(*) FROM articles WHERE source=?", (source,)).fetchone()[0])
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


def _edit(path: Path, change: object) -> None:
    """Rewrite the YAML file as an editor saving it would (a new file renamed over it)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)  # type: ignore[operator]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    os.replace(tmp, path)


def test_reload_takes_new_sources_and_keeps_the_old_configuration_on_a_mistake(tmp_path: Path) -> None:
    with TestServer() as srv:
        srv.set("/a", rss("alpha", range(2)))
        srv.set("/b", rss("beta", range(3)))
        cfg = loopback_config(tmp_path, srv, {"alpha": "/a"}, schedule={"digest_time": "00:00", "poll_minutes": 30})
        with open_app(cfg) as app:
            d = Daemon(app)
            assert d.poll_due().new_articles == 2
            assert not d.reload_config()  # unchanged: not read
            _edit(cfg, lambda doc: doc["sources"].append({"name": "beta", "url": srv.url("/b")}))
            assert d.reload_config()
            assert [s.name for s in d.cfg.sources] == ["alpha", "beta"]
            assert d.poll_due().new_articles == 3 and srv.hits["/b"] == 1  # due at once; alpha is not
            good = d.cfg
            cfg.write_text("sources: [\n", encoding="utf-8")
            assert not d.reload_config() and d.cfg is good
            assert d.reload_config(asked=True) is False  # the broken file, asked again: still kept
            assert d.cfg is good


def test_an_edit_after_a_setting_that_needs_a_restart_is_still_taken(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Stop 55: ``data_dir`` (or ``clock``) edited under a running daemon stays edited in the
    file, and the whole file was refused for it: a feed added days later was never polled,
    each save one more ERROR line.  Now the rest of the edit is taken, the store is the one
    it runs on, and a warning says what waits for a restart."""
    with TestServer() as srv:
        srv.set("/a", rss("alpha", range(2)))
        srv.set("/b", rss("beta", range(3)))
        cfg = loopback_config(tmp_path, srv, {"alpha": "/a"}, schedule={"digest_time": "00:00", "poll_minutes": 30})
        with open_app(cfg) as app:
            d = Daemon(app)
            assert d.poll_due().new_articles == 2
            store_url = d.cfg.database_url
            _edit(cfg, lambda doc: doc.__setitem__("data_dir", str(tmp_path / "elsewhere")))
            with caplog.at_level("WARNING", logger="digest.service.reload"):
                assert not d.reload_config()  # nothing else changed: nothing taken
            assert "the store (data_dir, database) changed: restart digest" in caplog.text
            assert "nothing else changed" in caplog.text
            caplog.clear()

            # a week later a feed is added, the data_dir edit still in the file
            _edit(cfg, lambda doc: doc["sources"].append({"name": "beta", "url": srv.url("/b")}))
            _edit(cfg, lambda doc: doc.__setitem__("title", "Morning news"))
            with caplog.at_level("WARNING", logger="digest.service.reload"):
                assert d.reload_config()
            assert [s.name for s in d.cfg.sources] == ["alpha", "beta"] and d.cfg.title == "Morning news"
            assert d.cfg.database_url == store_url  # still the store it holds open
            assert "takes the rest: 1 source added (beta); settings: title" in caplog.text
            assert not [r for r in caplog.records if r.levelname == "ERROR"]
            assert d.poll_due().new_articles == 3 and srv.hits["/b"] == 1
            assert not (tmp_path / "elsewhere").exists()

            # a clock added while it runs: kept out too, the rest taken
            _edit(cfg, lambda doc: (doc.__setitem__("clock", "2026-01-01T00:00:00Z"), doc.__setitem__("title", "Evening")))
            assert d.reload_config()
            assert d.cfg.clock is None and d.cfg.title == "Evening"


@pytest.mark.slow
def test_a_source_added_to_the_file_is_read_without_a_restart(tmp_path: Path) -> None:
    with TestServer() as srv:
        srv.set("/a", rss("alpha", range(2)))
        srv.set("/b", rss("beta", range(3)))
        cfg = loopback_config(tmp_path, srv, {"alpha": "/a"}, schedule={"digest_time": "00:00", "poll_minutes": 30})
        log = tmp_path / "daemon.log"
        proc = spawn_digest("daemon", "--config", str(cfg), log=log)
        try:
            assert wait_until(lambda: _stored(tmp_path, "alpha") == 2, timeout=60), log.read_text()
            assert srv.hits["/b"] == 0

            # a feed added: read within seconds, though alpha's next poll is 30 minutes away
            _edit(cfg, lambda d: d["sources"].append({"name": "beta", "url": srv.url("/b")}))
            assert wait_until(lambda: _stored(tmp_path, "beta") == 3, timeout=30), log.read_text()
            assert "read again: 1 source added (beta)" in log.read_text()

            # a file saved with a mistake: one line, and the daemon runs on as it was
            cfg_text = cfg.read_text(encoding="utf-8")
            cfg.write_text(cfg_text + "\nschedule: {poll_minutes: -1}\n", encoding="utf-8")
            assert wait_until(lambda: "runs on with the configuration it had" in log.read_text(), timeout=30)
            errors = [ln for ln in log.read_text().splitlines() if "runs on with the configuration" in ln]
            time.sleep(5)  # the same bad file is not said again at every look
            again = [ln for ln in log.read_text().splitlines() if "runs on with the configuration" in ln]
            assert len(again) == len(errors) == 1
            assert proc.poll() is None

            # a setting it cannot take while running: said, not taken
            cfg.write_text(cfg_text, encoding="utf-8")
            _edit(cfg, lambda d: d.__setitem__("data_dir", str(tmp_path / "elsewhere")))
            assert wait_until(lambda: "the store (data_dir, database) changed: restart" in log.read_text(), timeout=30)
            assert not (tmp_path / "elsewhere").exists()

            # the good file back, and SIGHUP reads it even with no change of time or size
            cfg.write_text(cfg_text, encoding="utf-8")
            assert wait_until(lambda: log.read_text().count("read again") >= 2, timeout=30), log.read_text()
            proc.send_signal(signal.SIGHUP)
            assert wait_until(lambda: log.read_text().count("read again") >= 3, timeout=30), log.read_text()
            assert "nothing that matters changed" in log.read_text()

            # a source removed is no longer polled
            _edit(cfg, lambda d: d.__setitem__("sources", [s for s in d["sources"] if s["name"] != "beta"]))
            assert wait_until(lambda: "1 source removed (beta)" in log.read_text(), timeout=30)
            hits = srv.hits["/b"]
            srv.set("/b", rss("beta", range(6)))
            time.sleep(3)
            assert srv.hits["/b"] == hits and _stored(tmp_path, "beta") == 3
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0, log.read_text()
        assert "Traceback" not in log.read_text()


def test_the_archive_takes_a_changed_configuration_without_a_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from digest.service import web
    from digest.store.base import open_store
    from tests.support.archive import NOW, fill
    from tests.support.config import make_config
    from tests.support.web import site

    monkeypatch.setattr(web, "CONFIG_CHECK", 0.0)  # look at every request
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), title="First title", write=True)
    assert cfg.config_path is not None
    with open_store(cfg.database_url) as store:
        fill(store)
    with site(cfg, clock=lambda: NOW) as s:
        day = "/day/2026-03-14"
        assert "First title" in s.get("/").text and "Quake shakes Opunake" in s.get(day).text
        text = cfg.config_path.read_text(encoding="utf-8")
        # a mute rule and a new title: the next page shows both (the cached pages are old)
        cfg.config_path.write_text(text.replace("First title", "Second title")
                                   + "\nfilters:\n  - mute: quake\n", encoding="utf-8")
        assert "Second title" in s.get("/").text
        assert "Quake shakes Opunake" not in s.get(day).text
        # a file that does not read: the archive goes on as it was
        cfg.config_path.write_text("filters: [\n", encoding="utf-8")
        page = s.get(day)
        assert page.status_code == 200 and "Second title" in page.text
        # the store's place cannot change under it: said, and the rest of the edit taken
        # (stop 55: the whole edit was refused, and every one after it)
        moved = text.replace("First title", "Third title").replace(str(tmp_path / "digest.sqlite3"), str(tmp_path / "other.sqlite3"))
        assert moved != text
        cfg.config_path.write_text(moved, encoding="utf-8")
        assert "Third title" in s.get("/").text
        assert "Quake shakes Opunake" in s.get(day).text  # the mute gone, from the store it holds
        assert not (tmp_path / "other.sqlite3").exists()
