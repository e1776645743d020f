"""A line's share of symbols (``lines.features``: counters, share bars, pipes) is counted
without a Python step per character; the count is the per-character definition's for any
text: ASCII, other scripts, emoji, currency and maths signs."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.text.lines import _SYMBOL_CHARS, _symbols, features


def _per_character(text: str) -> int:
    return sum(1 for c in text if c in _SYMBOL_CHARS or unicodedata.category(c)[0] == "S")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.text(alphabet="a |#@*_\\~^$+<=>`€£©®™°±×÷→★👁💬", max_size=200))
def test_the_count_is_the_per_character_definition(text: str) -> None:
    assert _symbols(text) == _per_character(text)


def test_a_counter_line_is_mostly_symbols_and_prose_is_not() -> None:
    assert features("👁 222 · 💬 12 | ★★★★☆ | $ + € + £").symbols > 0.4
    prose = features("The council approved the harbour budget on Tuesday after a long debate.")
    assert prose.symbols == 0.0 and prose.prose
