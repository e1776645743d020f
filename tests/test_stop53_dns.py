"""A host that does not exist is one clear line (stop 53's papercuts).

``digest add https://example.invalid/feed`` said ``error: add: cannot resolve host
example.invalid: [Errno -2] Name or service not known``, the system's words as they came.
Now: ``cannot find the host example.invalid (DNS: no such name)``, in ``add``, in a run's
line of a failing source, and on the async path the daemon's rounds take.

``.invalid`` never resolves (RFC 2606): the system's resolver answers at once, from the
machine's name server, that there is no such name; no connection leaves for the internet.
Other failures keep their words (a port nobody listens on: "cannot connect to ...").
"""

from __future__ import annotations

import asyncio
import re
import socket
from pathlib import Path

import pytest

from digest.cli import main
from digest.config import FetchConfig
from digest.errors import FetchError
from digest.sources.fetch import fetch, fetch_many
from digest.sources.fetchsteps import FetchRequest
from tests.support.config import config_text
from tests.support.daemon import free_port

HOST = "example.invalid"
#: The line, whatever the resolver's answer: a few words, no "[Errno -2]".
LINE = re.compile(r"cannot find the host example\.invalid \(DNS: ([a-z][a-z ,:]+)\)")


def _resolver_says_no_such_name() -> bool:
    """Whether this machine's resolver answers "no such name" for the host (not: no answer)."""
    try:
        socket.getaddrinfo(HOST, 443)
    except socket.gaierror as exc:
        return exc.errno == socket.EAI_NONAME
    raise AssertionError(f"{HOST} resolved: RFC 2606 says it never does")


def _check(line: str) -> None:
    said = LINE.fullmatch(line)
    assert said is not None, line
    assert "Errno" not in line
    if _resolver_says_no_such_name():
        assert said.group(1) == "no such name"


def test_add_of_an_unknown_host_says_so_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(config_text(), encoding="utf-8")
    assert main(["add", f"https://{HOST}/feed", "--config", str(cfg), "--name", "X"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("error: X: "), err
    _check(err[0].removeprefix("error: X: "))
    assert "example.invalid" not in cfg.read_text(encoding="utf-8")  # nothing added


def test_a_run_names_the_failing_source_in_the_same_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(config_text({"Nowhere": f"https://{HOST}/feed"}), encoding="utf-8")
    main(["run", "--config", str(cfg), "--quiet"])
    err = [line for line in capsys.readouterr().err.splitlines() if "Nowhere" in line]
    assert len(err) == 1 and err[0].startswith("error: Nowhere: "), err
    _check(err[0].removeprefix("error: Nowhere: "))


def test_both_fetch_paths_say_it_and_a_refused_port_keeps_its_words() -> None:
    config = FetchConfig()
    with pytest.raises(FetchError) as caught:
        fetch(f"https://{HOST}/feed", config=config)
    assert caught.value.kind == "dns"
    _check(caught.value.problem)
    (result,) = asyncio.run(fetch_many([FetchRequest(f"https://{HOST}/feed")], config=config))
    assert isinstance(result, FetchError) and result.kind == "dns"
    _check(result.problem)
    port = free_port()  # nobody listens: not a DNS failure, said as before
    allowed = FetchConfig(allow_hosts=[f"127.0.0.1:{port}"])
    with pytest.raises(FetchError) as refused:
        fetch(f"http://127.0.0.1:{port}/feed", config=allowed)
    assert refused.value.kind == "connect"
    assert refused.value.problem.startswith(f"cannot connect to 127.0.0.1:{port}: ")
    assert refused.value.problem.endswith("Connection refused")
