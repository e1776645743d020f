"""Real disks that fail for tests: a small file system that fills up, a folder made read-only.

A full disk is a tmpfs of a few megabytes mounted on the folder (``mount`` needs root: the test
is skipped without it); a read-only folder is a read-only bind mount of it as root (root writes
through permission bits), else the folder's write bits taken away.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@contextmanager
def small_disk(folder: Path, size: str = "2m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` (made if missing) for the block; skips the test
    where mounting is not permitted."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield folder
    finally:
        _umount(folder)


def grow(folder: Path, size: str) -> None:
    """Give the ``small_disk`` on ``folder`` the size ``size`` (room freed)."""
    assert _mount("-o", f"remount,size={size}", str(folder))


def fill(folder: Path) -> Path:
    """Fill the file system holding ``folder`` to the last byte with a file there; its path
    (unlink it to free the space)."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        block = b"\0" * 4096
        with suppress(OSError):  # ENOSPC: full
            while True:
                os.write(fd, block)
        with suppress(OSError):
            while True:
                os.write(fd, b"\0")
    finally:
        os.close(fd)
    return filler


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """``folder`` read-only for the block: a read-only bind mount of itself as root, its write
    bits taken away otherwise."""
    if os.geteuid() == 0:
        if not _mount("--bind", str(folder), str(folder)):
            pytest.skip("cannot bind-mount a folder read-only here")
        try:
            if not _mount("-o", "remount,ro,bind", str(folder)):
                pytest.skip("cannot bind-mount a folder read-only here")
            yield folder
        finally:
            _umount(folder)
        return
    mode = folder.stat().st_mode
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(mode)
