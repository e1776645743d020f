"""Stop 65: a review of the day's changes (docs/evaluation.md, "Stop 65: review of today's
changes"): each test fails without its fix."""

from __future__ import annotations

import sys

from digest.text.notices import takedown
from digest.text.params import MAX_TEXT_CHARS


def test_a_long_articles_text_is_not_kept_by_the_takedown_cache() -> None:
    """``takedown`` was cached on (title, text) for its last 1,024 asks, its long texts too,
    though it answers None for them at once: ``digest serve`` held up to 1,024 article texts of
    up to 200,000 characters each (~200 MB, four times that in a non-Latin script) after the
    views that read them were gone."""
    text = "".join(["The council voted on the bridge. " * (MAX_TEXT_CHARS // 40)])
    before = sys.getrefcount(text)
    assert takedown("Bridge vote", text) is None
    assert sys.getrefcount(text) == before  # no cache key holds it
    assert takedown("Quake", "This story is no longer available.") == "removed"  # a notice: as before
