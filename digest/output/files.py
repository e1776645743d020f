"""Writing a file whole: readers see the old version or the new one, never a part.

Observations
------------
* Two writers of one file (``digest run`` from cron while the daemon writes
  the day's digest, two ``digest build``) each wrote ``NAME.tmp`` and renamed
  it: one renamed the other's half-written file, or found it gone
  (``FileNotFoundError``).

How it works
------------
:func:`atomic_write` writes to a temporary file of its own (a random name,
created exclusively, hidden: ``.NAME.RANDOM.tmp``) in the target's folder,
flushes it to disk and renames it over the target (``os.replace``, atomic
within a file system).  The last writer wins; nobody fails.

Special cases
-------------
* A new file gets the mode ``open()`` would give it (0o666 less the umask);
  a file that exists keeps its mode.
* On any failure (encoding, disk full) the temporary file is removed and the
  error raised; the target is untouched.
* A writer killed mid-write (``kill -9``, a power cut) leaves its temporary
  file.  The next write of the same target removes those of its name older than
  ``STALE_SECONDS`` (another writer's, seconds old, is left to it), and at once
  those of a writer of this machine that is gone: the name holds the writer's
  machine and process id (``.NAME.HOST-PID-RANDOM.tmp``).  A replay killed and
  run again at once left a temporary file beside the day's digest.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
import stat
import time
from pathlib import Path

__all__ = ["STALE_SECONDS", "atomic_write"]

#: A temporary file of a target older than this was left by a writer that died: a write
#: takes well under a second, and a digest a few seconds on a slow disk.
STALE_SECONDS = 3600


#: This machine, in a temporary file's name (a short hash of its name: a folder shared by
#: machines holds their writers' files, whose process ids mean nothing here).
_HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]


def _create_temp(path: Path) -> tuple[int, Path]:
    while True:
        tmp = path.with_name(f".{path.name}.{_HOST}-{os.getpid()}-{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue


def atomic_write(path: Path, text: str | bytes, *, encoding: str = "utf-8", mode: int | None = None) -> None:
    """Replace ``path`` with ``text`` (or bytes) atomically (see the module docstring), with
    the permissions ``mode`` (by default those of the file replaced)."""
    data = text if isinstance(text, bytes) else text.encode(encoding)
    fd, tmp = _create_temp(path)
    try:
        try:
            if mode is None:
                mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = None
        if mode is not None:
            os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _remove_stale(path)


def _remove_stale(path: Path) -> None:
    """Remove the temporary files of ``path`` that writers killed mid-write left behind."""
    mine = re.compile(rf"\.{re.escape(path.name)}\.(?:([0-9a-f]{{6}})-(\d+)-)?[0-9a-f]{{12}}\.tmp")
    before = time.time() - STALE_SECONDS
    try:
        found = [(n, m) for n in os.listdir(path.parent) if (m := mine.fullmatch(n))]
    except OSError:
        return
    for name, m in found:
        left = path.parent / name
        try:
            if (m.group(1) == _HOST and not _alive(int(m.group(2)))) or left.stat().st_mtime < before:
                left.unlink()
        except OSError:  # gone meanwhile, or not ours to remove: it is only tidying
            continue


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (one of another user's does too)."""
    if pid == os.getpid():
        return True
    if pid <= 0:  # no process's number (os.kill would signal this process's group)
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # none, or a number no process can have
        return False
    except PermissionError:  # another user's
        pass
    return True
