"""The ``digest`` command as a daily user and a packager meet it, through real processes
on a scratch copy of the bundled ``feeds.yaml`` and ``examples/``: ``--version``; an
unknown command and an argument a command does not take; a reader that goes away
(``digest ... | head -1``); Ctrl-C during ``digest run``; ``--config`` a folder;
durations that cannot be waited; ``digest search`` with several words."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.support.daemon import loopback_config, rss
from tests.support.httpd import Reply, Request, TestServer

ROOT = Path(__file__).resolve().parent.parent


def ctrl_c_heard() -> None:
    """In the child before it starts: Ctrl-C as a terminal gives it.  A process started in
    the background by a shell without job control (``pytest ... &``, a CI script run so)
    inherits SIGINT ignored, and Python then leaves it ignored: the interrupt these tests
    send would never arrive."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def digest(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "digest", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled configuration and examples, run once (its store holds 2026-11-20).  Run in
    this process: the commands under test are each a process of their own; a run of the
    examples as a process is test_examples' (a process here cost 3 s more, most of it the
    imports and word lists a fresh interpreter loads)."""
    from digest.cli import main

    where = tmp_path_factory.mktemp("examples")
    shutil.copy(ROOT / "feeds.yaml", where / "feeds.yaml")
    shutil.copytree(ROOT / "examples", where / "examples")
    assert main(["run", "--quiet", "--config", str(where / "feeds.yaml")]) == 0
    assert (where / "data" / "digest.sqlite3").is_file()
    return where


def test_version_is_the_installed_package_version_on_one_line(tmp_path: Path) -> None:
    done = digest("--version", cwd=tmp_path)  # was: "unrecognized arguments: --version", exit 2
    assert (done.returncode, done.stdout, done.stderr) == (0, f"digest {version('digest')}\n", "")


@pytest.mark.parametrize(
    ("word", "closest"), [("rn", "run"), ("serv", "serve"), ("imp", "import-opml")]
)
def test_an_unknown_command_is_one_line_naming_the_closest(
    word: str, closest: str, tmp_path: Path
) -> None:
    done = digest(word, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines()[-1].startswith(
        f"digest: error: unknown command '{word}'; did you mean '{closest}'? (commands: init, run, "
    )


def test_an_argument_the_command_does_not_take_shows_that_commands_usage(tmp_path: Path) -> None:
    done = digest(
        "sources", "--bogus", cwd=tmp_path
    )  # was the top level's usage: "digest [-h] ..."
    assert done.returncode == 2
    assert done.stderr.startswith("usage: digest sources ")
    assert done.stderr.splitlines()[-1] == "digest sources: error: unrecognized arguments: --bogus"


def test_search_takes_its_words_unquoted(examples: Path) -> None:
    done = digest(
        "search", "storm", "corrin", "--json", cwd=examples
    )  # was: unrecognized arguments
    assert done.returncode == 0, done.stderr
    assert [r["title"] for r in json.loads(done.stdout)] == [
        "Gale warning as Storm Corrin heads for the coast"
    ]
    leave_out = digest("search", "--json", "--", "storm", "-gale", cwd=examples)
    assert leave_out.returncode == 1 and json.loads(leave_out.stdout) == []  # none matches: 1, as grep


@pytest.mark.parametrize(
    "command",
    [
        ["sources"],
        ["build", "--format", "md", "-o", "-"],
        ["export-opml"],
        ["search", "storm", "--json"],
        ["dedupe", "big.jsonl"],
    ],
)
def test_a_reader_gone_is_no_traceback(command: list[str], examples: Path) -> None:
    """``digest ... | head -1``: the reader closes the pipe before digest writes."""
    lines = [
        json.dumps({"id": f"a{i}", "title": f"Title {i}", "text": f"Body text {i}."})
        for i in range(200)  # any write fails once the reader is gone: no need of more
    ]
    (examples / "big.jsonl").write_text("\n".join(lines) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", *command],
        cwd=examples,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # long before the interpreter has started
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, err  # 128 + SIGPIPE, as a shell reports `yes | head -1`
    assert "Traceback" not in err and "BrokenPipe" not in err and "Broken pipe" not in err, err


@pytest.mark.slow  # seconds by design (a `digest run` process interrupted mid-run): CI runs it (--run-slow), the README's run not
def test_ctrl_c_during_run_is_no_traceback_and_leaves_the_store_whole(tmp_path: Path) -> None:
    asked = threading.Event()

    def hang(request: Request) -> Reply | None:  # the run waits on this feed when Ctrl-C comes
        asked.set()
        request.stopping.wait(30)
        return Reply(rss("slow", range(2)))

    with TestServer() as srv:
        srv.set("/a", rss("alpha", range(3)))
        srv.handle("/slow", hang)
        cfg = loopback_config(tmp_path, srv, {"alpha": "/a", "slow": "/slow"})
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "digest", "run", "--quiet", "--config", str(cfg)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=ctrl_c_heard,
        )
        assert asked.wait(60)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
        assert err.splitlines()[-1:] == ["interrupted"], err  # a run ended without a word looked finished
        db = next(tmp_path.rglob("*.sqlite3"))
        with sqlite3.connect(db) as con:
            assert con.execute("pragma integrity_check").fetchall() == [("ok",)]
        srv.handle("/slow", lambda request: Reply(rss("slow", range(2))))
        again = digest("run", "--quiet", "--config", str(cfg), cwd=tmp_path)  # the lock was let go
        assert again.returncode == 0, again.stderr


def test_config_a_folder_is_one_clear_line(tmp_path: Path) -> None:
    done = digest("sources", "--config", ".", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert (
        done.stderr == "error: .: a folder, not a configuration file (name the YAML file in it)\n"
    )


def test_config_not_utf8_is_one_line_naming_the_byte(tmp_path: Path) -> None:
    (tmp_path / "feeds.yaml").write_bytes(b"title: caf\xe9\n")
    done = digest("sources", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        2,
        "error: feeds.yaml: not UTF-8 (byte 0xe9 at offset 10); save the file as UTF-8\n",
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["run", "--wait", "nan"], "argument --wait: not a number of seconds (0 or more): 'nan'"),
        (["run", "--wait", "-3"], "argument --wait: not a number of seconds (0 or more): '-3'"),
        (
            ["worker", "--index", "0", "--of", "1", "--every", "0"],
            "argument --every: not a number of minutes above 0: '0'",
        ),
        (
            ["worker", "--index", "0", "--of", "1", "--stall", "inf"],
            "argument --stall: not a number of seconds (0 or more): 'inf'",
        ),
    ],
)
def test_a_duration_that_cannot_be_waited_is_a_usage_error(
    args: list[str], said: str, tmp_path: Path
) -> None:
    done = digest(
        *args, cwd=tmp_path
    )  # --wait nan waited for ever; --every 0 polled without a pause
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == f"digest {args[0]}: error: {said}"


def test_export_opml_to_a_file_it_cannot_write_is_one_line(examples: Path) -> None:
    done = digest("export-opml", "-o", "no/such/folder/feeds.opml", cwd=examples)  # was a traceback
    assert done.returncode == 2
    assert (
        done.stderr.splitlines()[-1]
        == "error: no/such/folder/feeds.opml: cannot write: No such file or directory"
    )


def test_send_help_says_it_sends_every_digest_without_digest(tmp_path: Path) -> None:
    """The help said "the single daily digest, or every daily one" (build's default): send
    without --digest mails every one of 'digests:', the weekly ones too."""
    text = " ".join(digest("send", "--help", cwd=tmp_path).stdout.split())
    assert (
        "--digest NAME one of the configuration's 'digests:' (default: every one of 'digests:'"
        in text
    )
    assert "--date YYYY-MM-DD" in text


def _waiting_on_a_pipe(pid: int) -> bool:
    return Path(f"/proc/{pid}/wchan").read_text() in ("anon_pipe_read", "pipe_read", "pipe_wait")


@pytest.mark.slow  # seconds by design (a process interrupted while it waits): CI runs it (--run-slow), the README's run not
@pytest.mark.skipif(not Path("/proc/self/wchan").exists(), reason="needs Linux /proc")
def test_ctrl_c_while_dedupe_waits_on_standard_input_stops_it(tmp_path: Path) -> None:
    """On CPython 3.11 the interrupt was cleared by a garbage collection it started ("Exception
    ignored in ... WeakSet ... _remove: KeyboardInterrupt"), and dedupe read on: exit 0 at EOF."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "dedupe"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ctrl_c_heard,
    )
    deadline = time.monotonic() + 60
    while not _waiting_on_a_pipe(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)  # closes stdin: a lost interrupt ends at EOF, 0
    assert proc.returncode == 130, err
    assert "Exception ignored" not in err and "Traceback" not in err, err
