"""The project's own fixture feeds as sources, and the moments the tests read them at."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FEEDS = FIXTURES / "feeds"
#: The fixture feeds are dated November 2026; the pipeline tests read them at this moment.
NOW = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
#: The store tests' first moment.
T0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)


def local_sources() -> str:
    """Two good fixture feeds and a garbage file, as ``feeds.yaml`` source items."""
    return "".join(
        f"  - name: {name}\n    path: {FEEDS / file}\n"
        for name, file in (
            ("Coast News", "coast.rss"),
            ("Valley Wire", "valley.atom"),
            ("Garbage", "garbage.xml"),
        )
    )
