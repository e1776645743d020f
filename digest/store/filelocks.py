"""Cross-process locks for a store on disk: one ``flock``-ed file per lock name.

Observations
------------
SQLite has no named locks that outlive a transaction, yet the daemon (one per
database), a delivery (one sender at a time) and a run (one clustering at a
time) each need one.  An ``flock`` on a file beside the database is released
by the kernel when its holder dies, ``kill -9`` included: no stale lock to
clean up.

How it works
------------
``FileLocks`` is a mixin for a store with a ``path`` (the database file) and a
``_locks`` dict (name -> open descriptor).  The lock file is
``<database>.<name>.lock``; its holder writes its pid there, so a refused
caller can say who holds it.

Special cases
-------------
* A lock file that cannot be opened (the store's folder read-only) is
  :class:`~digest.errors.StoreUnwritable`, as a write SQLite refuses so.
* A forked child (the process pool that extracts whole pages) shares its
  parent's flock through the descriptor it inherits: killed mid-extraction, the
  parent left workers that waited for work for ever and held its ``run`` (or
  ``daemon``) lock, so every later run waited and gave up, naming a dead pid.
  A forked child closes the lock descriptors it inherited at once
  (``os.register_at_fork``): the lock is the parent's alone.
"""

from __future__ import annotations

import fcntl
import os
import re
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ..errors import StoreError, StoreUnwritable

_LOCK_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

#: The stores of this process that took a lock (a forked child forgets their locks).
_HOLDERS: weakref.WeakSet[FileLocks] = weakref.WeakSet()


def _forget_inherited() -> None:
    """In a forked child: close the lock descriptors inherited from the parent (the flock
    stays the parent's) and forget them."""
    for holder in list(_HOLDERS):
        for fd in holder._locks.values():
            with suppress(OSError):  # closed already
                os.close(fd)
        holder._locks.clear()
    _HOLDERS.clear()


os.register_at_fork(after_in_child=_forget_inherited)


def flock_holder(path: Path) -> str | None:
    """The pid holding an ``flock`` on ``path`` (None: nobody), read from ``/proc/locks``; else
    tried without waiting and let go ("unknown" when taken).  A file not there: None."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    try:
        text = Path("/proc/locks").read_text()
    except OSError:
        return _tried(path)
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 6 or fields[1] != "FLOCK":  # "->": a waiter, not the holder
            continue
        major, minor, inode = fields[5].split(":")
        if (int(major, 16), int(minor, 16), int(inode)) == (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino):
            return fields[4]
    return None


def _tried(path: Path) -> str | None:
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return "unknown"
    finally:
        os.close(fd)  # closing drops the shared lock taken
    return None


class FileLocks:
    """``acquire_lock``/``release_lock``/``exclusive`` over lock files beside ``path``."""

    path: Path
    _locks: dict[str, int]

    def _lock_path(self, name: str) -> Path:
        if not _LOCK_NAME.match(name):
            raise ValueError(f"lock name must be letters, digits, - or _ (got {name!r})")
        return self.path.with_name(f"{self.path.name}.{name}.lock")

    def acquire_lock(self, name: str) -> bool:
        """Take the OS lock ``name`` (flock); False if another process holds it.  A lock file
        that cannot be opened for writing (its folder read-only) raises StoreUnwritable: no
        source is to blame."""
        if name in self._locks:
            return True
        path = self._lock_path(name)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:  # a read-only folder (remounted so), another user's
            raise StoreUnwritable(f"{path}: cannot take the store's {name} lock ({exc.strerror or exc}): "
                                  f"the store's folder {path.parent} cannot be written") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._locks[name] = fd
        _HOLDERS.add(self)
        return True

    def release_lock(self, name: str) -> None:
        fd = self._locks.pop(name, None)
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the flock

    def lock_held(self, name: str) -> bool:
        """Whether lock ``name`` is held now, by this store or another process, seen without
        taking it (:func:`flock_holder`): a daemon's starting at that instant is not refused."""
        return name in self._locks or flock_holder(self._lock_path(name)) is not None

    def lock_holder(self, name: str) -> str:
        """The pid written by the holder of lock ``name`` ("unknown" if none)."""
        try:
            text = self._lock_path(name).read_text(errors="replace").strip()
        except OSError:
            text = ""
        return text if text.isdigit() else "unknown"

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Hold lock ``name`` for the block, or fail naming the other holder."""
        held = name in self._locks
        if not held and not self.acquire_lock(name):
            raise StoreError(
                f"{self.path}: another digest {name} is already running "
                f"(pid {self.lock_holder(name)})"
            )
        try:
            yield
        finally:
            if not held:
                self.release_lock(name)
