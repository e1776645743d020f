"""``digest sources --resume NAME`` unpauses a paused source and leaves any other as it was
(feeds on a loopback HTTP server, the store on disk, the real command line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.app import open_app
from digest.cli import main
from digest.store.base import SourceState
from tests.support.daemon import loopback_config, rss
from tests.support.httpd import TestServer


def _states(cfg: str) -> dict[str, SourceState]:
    with open_app(cfg) as app:
        return {s.name: s for s in app.store.list_source_states()}


def test_resume_unpauses_a_paused_source_and_leaves_the_others_as_they_were(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestServer() as srv:
        srv.set("/ok", rss("ok", range(2)))
        srv.set("/down", b"down", status=500)
        srv.set("/gone", b"gone", status=410)
        cfg = str(loopback_config(tmp_path, srv, {"ok": "/ok", "down": "/down", "gone": "/gone"}))
        assert main(["run", "-q", "--config", cfg]) == 1
        assert main(["run", "-q", "--config", cfg]) == 1
    before = _states(cfg)
    assert before["down"].failures == 2 and before["gone"].paused and before["ok"].last_ok_at is not None
    capsys.readouterr()

    args = ["sources", "--config", cfg, "--resume", "down", "--resume", "ok", "--resume", "gone"]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    said = [line for line in out if line.startswith(("down: not paused", "ok: not paused", "gone: resumed"))]
    assert said == [
        "down: not paused (failing, 2 failures): nothing to resume",
        "ok: not paused (ok): nothing to resume",
        "gone: resumed; polled at the next round",
    ]
    after = _states(cfg)
    assert after["down"] == before["down"] and after["ok"] == before["ok"]
    assert not after["gone"].paused and after["gone"].failures == 0 and after["gone"].paused_reason is None
    # the listing that follows still shows the failing source failing
    assert any(line.startswith("down: failing, last ok never, 2 failures") for line in out)


def test_sources_before_any_run_lists_the_configured_ones_and_makes_no_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest sources`` before any run made the store (a database file and its folder) to say
    "not fetched yet": a look that wrote (stop 61).  Now each configured source is listed so, a
    line on standard error says there is no store yet, and nothing is made; ``--resume`` then is
    an error (nothing was read, nothing is paused), still making nothing.  After a run, as before."""
    with TestServer() as srv:
        srv.set("/ok", rss("ok", range(2)))
        cfg = str(loopback_config(tmp_path, srv, {"ok": "/ok", "other": "/other"}))
        before = sorted(p.name for p in tmp_path.rglob("*"))
        capsys.readouterr()
        assert main(["sources", "--config", cfg]) == 0
        said = capsys.readouterr()
        assert said.out.splitlines() == ["ok: not fetched yet", "other: not fetched yet"]
        assert said.err.startswith(f"no store yet at {tmp_path / 'data' / 'digest.sqlite3'}: "), said.err
        assert main(["sources", "--config", cfg, "--resume", "ok"]) == 2
        assert "no store yet" in capsys.readouterr().err
        assert sorted(p.name for p in tmp_path.rglob("*")) == before
        main(["run", "-q", "--config", cfg])
        capsys.readouterr()
        assert main(["sources", "--config", cfg]) == 0
        said = capsys.readouterr()
    assert said.out.splitlines()[0].startswith("ok: ok, last ok ") and said.err == "", said
