"""Stop 48's review: feed servers as they really behave, against a real server on loopback
(``tests.support.httpd``), through ``digest run`` and the daemon's poll round."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from tests.support.daemon import rss
from tests.support.httpd import TestServer


def _config(tmp_path: Path, srv: TestServer, paths: dict[str, str], fetch: str = "") -> Path:
    cfg = tmp_path / "feeds.yaml"
    sources = "".join(f"  - name: {name}\n    url: '{srv.url(path)}'\n" for name, path in paths.items())
    cfg.write_text(f"sources:\n{sources}output_dir: out\ndata_dir: data\ntimezone: UTC\n"
                   f'fetch:\n  allow_hosts: ["127.0.0.1:{srv.port}"]\n{fetch}', encoding="utf-8")
    return cfg


@pytest.mark.parametrize("agent", ['"digest für Max (+mailto:max@example.org)"', '"digest\\r\\nX-Extra: 1"'])
def test_a_user_agent_http_cannot_send_is_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], agent: str
) -> None:
    """A ``fetch.user_agent`` holding a character beyond printable ASCII (an umlaut, a typed dash)
    failed every source with "internal error: UnicodeEncodeError" (a line break: httpx's
    "Illegal header value"), each source blamed for it; now the file is refused at its line."""
    with TestServer() as srv:
        srv.set("/a", rss("alpha", range(2)))
        srv.set("/b", rss("beta", range(2)))
        cfg = _config(tmp_path, srv, {"A": "/a", "B": "/b"}, f"  user_agent: {agent}\n")
        assert main(["run", "--config", str(cfg), "--quiet"]) == 2
        assert not srv.requests
    err = capsys.readouterr().err
    assert f"error: {cfg}:" in err and "fetch.user_agent: must be printable ASCII" in err
    assert "internal error" not in err and "A:" not in err
