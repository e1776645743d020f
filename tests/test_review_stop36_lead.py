"""The lead's own checks of stop 36: what the text and CLI changes rest on."""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

from digest.cli import main
from digest.text.scripts import MARK_PLANES, MARKS

MARK_CATEGORIES = ("Mn", "Mc", "Me")


def test_every_combining_mark_of_this_python_lies_in_the_planes_scanned() -> None:
    """``MARKS`` scans only ``MARK_PLANES`` at import: a mark elsewhere (a new Unicode
    version) would be missed by the tokeniser, and this says so."""
    every = [c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in MARK_CATEGORIES]
    assert every and all(any(c in span for span in MARK_PLANES) for c in every)
    marks = re.compile(f"[{MARKS}]")
    assert all(marks.fullmatch(chr(c)) for c in every)
    known = set(every)
    assert not marks.search("".join(chr(c) for c in range(0x20000) if c not in known and not 0xD800 <= c < 0xE000))


def test_a_day_with_only_copies_of_what_was_read_is_written_not_mailed(tmp_path: Path) -> None:
    """A day whose only news is another outlet's late copy (listed "also reported since",
    nothing new to read) went out as a mail headed "0 stories"; a day with no stories is
    written and not mailed, and so is this one.  A later day with news is mailed."""
    from tests.support.daemon import smtpd
    from tests.test_review_stop36_developing import replayed, stream

    with smtpd() as (inbox, port):
        cfg = replayed(tmp_path, stream()[:3])  # day 0: quake, council; day 1: the quake's copy
        cfg.write_text(cfg.read_text() + f"email:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n"
                       "  from: d@news.example.org\n  to: [r@example.org]\n")
        assert (tmp_path / "out" / "digest-2026-11-11.html").exists()  # written
        assert main(["send", "--config", str(cfg), "--date", "2026-11-11"]) == 0
        assert inbox.messages == []
        assert main(["send", "--config", str(cfg), "--date", "2026-11-10"]) == 0
        assert [m["Subject"] for m in inbox.messages] == ["digest for 2026-11-10: 2 stories"]


def test_a_writer_killed_mid_write_leaves_a_temporary_file_the_next_write_removes(tmp_path: Path) -> None:
    """A process killed (SIGKILL) between creating its temporary file and renaming it left a
    hidden ``.NAME.RANDOM.tmp`` in the output folder for ever.  The next write of that target
    removes those older than ``STALE_SECONDS``, and those of a writer of this machine that is
    gone (stop 44: a replay killed and run again at once left one); a writer at work keeps its
    own, and so does another machine's writer sharing the folder."""
    import os
    import signal
    import subprocess
    import time

    from digest.output.files import STALE_SECONDS, atomic_write

    target = tmp_path / "digest-2026-11-20.html"
    die = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from digest.output.files import _create_temp\n"
        "fd, tmp = _create_temp(Path(sys.argv[1]))\n"
        "os.write(fd, b'<html>half')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", die, str(target)], check=False)
        assert done.returncode == -signal.SIGKILL
    old, fresh = sorted(tmp_path.glob(".digest-2026-11-20.html.*.tmp"))
    then = time.time() - STALE_SECONDS - 60
    os.utime(old, (then, then))
    other = tmp_path / ".digest-2026-11-21.html.0123456789ab.tmp"  # another target's: not this write's
    other.write_text("x")
    os.utime(other, (then, then))
    elsewhere = tmp_path / ".digest-2026-11-20.html.000000-1-0123456789ab.tmp"  # another machine's writer
    elsewhere.write_text("x")
    from digest.output.files import _HOST, _create_temp

    impossible = tmp_path / f".digest-2026-11-20.html.{_HOST}-{10**30}-0123456789ab.tmp"  # no process has it
    impossible.write_text("x")
    group = tmp_path / f".digest-2026-11-20.html.{_HOST}-0-0123456789ab.tmp"  # nor this one (a group's)
    group.write_text("x")
    working, busy = _create_temp(target)  # a writer at work: this process
    atomic_write(target, "<html>whole</html>")
    assert target.read_text() == "<html>whole</html>"
    assert not old.exists() and not fresh.exists() and not impossible.exists() and not group.exists()  # their writers are gone
    assert other.exists() and elsewhere.exists() and busy.exists()
    os.close(working)
