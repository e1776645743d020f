"""``digest worker`` and a server's Retry-After: a worker passes over a source whose server asked
to wait, as ``digest run`` does, and says so in the same one line.  Before, ``digest run``
printed "Busy: not fetched: its server asked to wait until ..." and a worker nothing at all: the
source was neither read nor failed, with no word why.  PostgreSQL and Redis on loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.cli import main
from digest.store.base import SourceState, open_store
from tests.support.daemon import rss
from tests.support.httpd import TestServer
from tests.test_scale import pg, rd

pytestmark = pytest.mark.scale
__all__ = ["pg", "rd"]  # the fixtures, used below


def test_a_worker_says_which_source_its_server_asked_to_wait_for(
    tmp_path: Path, pg: str, rd: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestServer() as srv:
        srv.set("/busy", rss("busy", range(2)), headers={"Content-Type": "application/rss+xml"})
        srv.set("/calm", rss("calm", range(2)), headers={"Content-Type": "application/rss+xml"})
        cfg = tmp_path / "feeds.yaml"
        cfg.write_text(f"sources:\n  - name: Busy\n    url: '{srv.url('/busy')}'\n"
                       f"  - name: Calm\n    url: '{srv.url('/calm')}'\n"
                       f"database: '{pg}'\nindex: '{rd}'\noutput_dir: out\ndata_dir: data\ntimezone: UTC\n"
                       f'fetch:\n  allow_hosts: ["127.0.0.1:{srv.port}"]\n', encoding="utf-8")
        with open_store(pg) as store:
            store.save_source_state(SourceState("Busy", srv.url("/busy"),
                                                retry_after_until=datetime.now(UTC) + timedelta(hours=1)))
        assert main(["worker", "-c", str(cfg), "--index", "0", "--of", "1", "--run", "w1"]) == 0
        assert srv.hits["/busy"] == 0 and srv.hits["/calm"] == 1
    err = capsys.readouterr().err
    assert "Busy: not fetched: its server asked to wait until " in err and "(Retry-After)" in err
