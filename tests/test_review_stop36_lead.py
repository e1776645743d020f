"""The lead's own checks of stop 36: what the text and CLI changes rest on."""

from __future__ import annotations

import re
import sys
import unicodedata

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
