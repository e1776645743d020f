"""Stop 46's review: a feed moved for good (301) was followed without a word; only ``digest
sources`` named where it was read, so an operator never learned to update feeds.yaml.  Now
the first read there says so in one line, and no later one does; the daemon's rounds too.
Real parts: a loopback server, ``digest run`` through the CLI, SQLite on disk."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from digest.cli import main
from tests.support.httpd import TestServer

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
RSS = {"Content-Type": "application/rss+xml"}


def _config(tmp_path: Path, srv: TestServer, path: str) -> Path:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"sources:\n  - name: Foxtrot\n    url: '{srv.url(path)}'\noutput_dir: out\ndata_dir: data\n"
                   f'fetch:\n  allow_hosts: ["127.0.0.1:{srv.port}"]\n', encoding="utf-8")
    return cfg


def _said(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("digest.sources")]


def test_a_feed_moved_for_good_is_said_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with TestServer() as srv, caplog.at_level(logging.INFO, logger="digest"):
        srv.set("/new.rss", (FEEDS / "coast.rss").read_text(encoding="utf-8"), headers=RSS)
        srv.redirect("/old.rss", srv.url("/new.rss"), status=301)
        cfg = _config(tmp_path, srv, "/old.rss")
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        moved = [m for m in _said(caplog) if "moved for good" in m]
        assert moved == [f"Foxtrot: {srv.url('/old.rss')} moved for good to {srv.url('/new.rss')}: read there "
                         "from now on (its url: in the configuration may say so)"]
        caplog.clear()
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        assert not [m for m in _said(caplog) if "moved" in m]
        assert srv.hits["/old.rss"] == 1


def test_a_feed_moved_for_a_while_is_not_said(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with TestServer() as srv, caplog.at_level(logging.INFO, logger="digest"):
        srv.set("/new.rss", (FEEDS / "coast.rss").read_text(encoding="utf-8"), headers=RSS)
        srv.redirect("/old.rss", srv.url("/new.rss"), status=302)
        assert main(["run", "--config", str(_config(tmp_path, srv, "/old.rss")), "--quiet"]) == 0
        assert not [m for m in _said(caplog) if "moved" in m]


def test_the_daemons_round_says_a_move_too(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import random

    from digest.app import open_app
    from digest.service.daemon import Daemon
    from tests.support.daemon import Clock, loopback_config, rss

    with TestServer() as srv, caplog.at_level(logging.INFO, logger="digest"):
        srv.set("/new", rss("alpha", range(2)))
        srv.redirect("/old", srv.url("/new"), status=301)
        with open_app(loopback_config(tmp_path, srv, {"alpha": "/old"})) as app:
            Daemon(app, day_offset=0, rng=random.Random(1), clock=Clock()).poll_due()
    assert [m for m in _said(caplog) if "moved for good" in m] == [
        f"alpha: {srv.url('/old')} moved for good to {srv.url('/new')}: read there from now on (its url: in the "
        "configuration may say so)"]


def test_an_empty_answer_names_the_address(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """"India Monitor: empty document" named no address, where every other failed read names
    it (stop 46 review)."""
    with TestServer() as srv:
        srv.set("/empty.rss", "", headers=RSS)
        assert main(["run", "--config", str(_config(tmp_path, srv, "/empty.rss")), "--quiet"]) == 1
    assert f"error: Foxtrot: empty document from {srv.url('/empty.rss')}" in capsys.readouterr().err
