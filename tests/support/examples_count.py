"""How many examples the slower property tests try: the number written under ``--run-slow``
(CI), a third of it (at least 20) in the default run.

The slow ones (``clean_text``, ``html_to_text``, the renderers, the feed parser over random
soup) cost 1-5 s each at the full number, about a tenth of the default run's time between
them (stop 57, "the test run's time").  Each property still runs every time; CI tries the
full number.  ``conftest.pytest_configure`` sets ``FULL`` before any test module is imported.
"""

from __future__ import annotations

#: True under ``--run-slow``: every property test tries the number it names.
FULL = False


def examples(n: int) -> int:
    """``n`` under ``--run-slow``; else a third of ``n``, at least 20 (never more than ``n``)."""
    return n if FULL else min(n, max(20, n // 3))
