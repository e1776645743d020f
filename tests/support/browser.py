"""Headless Chromium for the browser tests: the flags and how it is found."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

#: Without the background-networking flags Chromium tries the closed network at start.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium_path() -> str:
    """Chromium's path; skip (fail when DIGEST_REQUIRE_BROWSER is set) without it."""
    path = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if path is None:
        reason = "Chromium not installed (apt-get install chromium)"
        if os.environ.get("DIGEST_REQUIRE_BROWSER"):
            pytest.fail(reason + " but DIGEST_REQUIRE_BROWSER is set")
        pytest.skip(reason)
    return path
