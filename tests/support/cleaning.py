"""Helpers of the cleaning tests: count the entries the pipeline cleans (``digest.app.prepare``:
a file or entry read before must not be cleaned again), and a story's body with a line put
between its paragraphs (what the cleaner keeps of it)."""

from __future__ import annotations

import pytest

from digest.text.clean import clean_text

#: A story's three paragraphs, prose the cleaner keeps whole.
BODY = [
    "The Riverside Bridge reopened to traffic on Tuesday morning after two years of repairs, "
    "city officials said at a ceremony on the east bank.",
    "Engineers replaced the corroded steel deck and strengthened the piers, which had been "
    "damaged by the floods of the winter before last.",
    "The closure hit small businesses on the east bank especially hard, and several of them "
    "asked the council for help with their rents.",
]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def kept(line: str, at: int = 1) -> list[str]:
    """The paragraphs the cleaner keeps of :data:`BODY` with ``line`` put before paragraph ``at``."""
    return paragraphs(clean_text("\n\n".join([*BODY[:at], line, *BODY[at:]])).text)


def count_cleaned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the title of each entry ``digest.app`` cleans is appended to the list returned."""
    import digest.app

    cleaned: list[str] = []
    real = digest.app.prepare

    def counting(entry, **kw):  # type: ignore[no-untyped-def]
        cleaned.append(entry.title)
        return real(entry, **kw)

    monkeypatch.setattr(digest.app, "prepare", counting)
    return cleaned
