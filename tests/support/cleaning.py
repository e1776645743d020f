"""Count the entries the pipeline cleans (``digest.app.prepare``): a file or entry read before
must not be cleaned again."""

from __future__ import annotations

import pytest


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
