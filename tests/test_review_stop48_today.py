"""Review of the stop 48 day's changes: what their own tests did not try."""

from __future__ import annotations

import subprocess
import sys


def _runs_within(code: str, seconds: float) -> bool:
    """Whether ``code`` ends within ``seconds`` in a fresh interpreter."""
    try:
        subprocess.run([sys.executable, "-c", code], check=True, timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


def test_headline_of_a_run_of_colons_is_quick():
    # a feed's title "Breaking ::::::…:: x" (300 characters at most) rendered every digest
    code = ("from digest.output.context import headline\n"
            "assert headline('Breaking ' + ':' * 60 + 'x') == 'Breaking ' + ':' * 60 + 'x'\n"
            "assert headline('Teen shoots self ::') == 'Teen shoots self'\n")
    assert _runs_within(code, 20)
