"""A week with every change (review, stop 39): the steps of ``benchmarks/week_scenario.py``
that showed a bug, each compact.  Real parts: a loopback HTTP server serving the feed,
``digest run`` and ``digest build`` through the CLI with the configuration's clock, SQLite
on disk."""

from __future__ import annotations

from datetime import timedelta

from tests.test_review_stop37_inplace import DAY1, Q_TEXT, Q_TITLE, Reader, feed, quake_of, reader

__all__ = ["reader"]

ADDED = ("Late on Wednesday the harbourmaster said the Opunake wharf would stay closed to boats "
         "until engineers had inspected its piles.")


def test_a_paragraph_added_after_a_short_last_sentence_is_what_is_new(reader: Reader) -> None:
    """Day 5 of the week: a site added a paragraph to an item in place, after its short last
    sentence ("This could get interesting.").  A passage runs a sentence under six words on
    into the next, so "what's new" began with that sentence, read the day before: "This could
    get interesting. Late on Thursday the police said ...".  It starts with the first
    sentence not read."""
    first = Q_TEXT + "\nIt was quite a night."
    reader.run(DAY1, feed((Q_TITLE, first)))
    second = reader.run(DAY1 + timedelta(hours=14), feed((Q_TITLE, first + "\n" + ADDED)))
    quake = quake_of(second)
    assert quake["status"] == "developing"
    assert quake["whats_new"].startswith("Late on Wednesday the harbourmaster"), quake["whats_new"]
