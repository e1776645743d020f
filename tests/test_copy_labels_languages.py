"""A label before a copy's headline says nothing of the news in the languages digest reads
elsewhere too (German, French, Spanish, Italian, Portuguese, Dutch): "EILMELDUNG: ...",
"URGENT : ..." (French puts a space before the colon), "ÚLTIMA HORA: ...".  A label before a new
fact is still news."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest

from digest.output.headlines import headline_words
from digest.output.news import adds_nothing, copies_of
from digest.store.base import StoredArticle

AT = datetime(2026, 11, 10, 8, tzinfo=UTC)
TITLE = "Magnitude 6.1 earthquake shakes Taranaki coast"
TEXT = ("A magnitude 6.1 earthquake struck off the Taranaki coast early on Tuesday, damaging the harbour wall "
        "at Opunake and cutting power to about 4,000 homes, GeoNet said.\nEngineers inspected the harbour "
        "wall, where a 20-metre section collapsed into the sea.")


def version(key: str, title: str) -> StoredArticle:
    return StoredArticle(key=key, source="Highcliff Post", url=None, title=title, text=TEXT, published=AT,
                         fetched=AT, author=None, truncated=False, priority=0.0, junk=[], fingerprint=b"",
                         story_id="s", score=None, score_detail=None)


ORIGINAL = version("a", TITLE)
LABELS = [
    "EILMELDUNG:", "Eil:", "Liveticker:",  # German
    "URGENT :", "EN DIRECT :", "Alerte info :", "DIRECT |", "URGENT\u00a0:",  # French, a no-break space too
    "ÚLTIMA HORA:", "EN VIVO:", "En directo:", "Vídeo:",  # Spanish
    "ULTIM'ORA:", "Ultim’ora:", "IN DIRETTA:", "Esclusiva:",  # Italian
    "AO VIVO:", "Exclusivo:", "Atualização:",  # Portuguese (and "ÚLTIMA HORA:" above)
    "NET BINNEN:", "Exclusief:",  # Dutch ("LIVE:", "BREAKING:" are English's)
]


@pytest.mark.parametrize("label", LABELS)
def test_a_copy_under_a_label_in_another_language_adds_nothing(label: str) -> None:
    copy = version("b", f"{label} {TITLE}")
    assert adds_nothing(copy, [ORIGINAL])
    assert copies_of([copy], [ORIGINAL]) == {"b"}


def test_a_decomposed_accent_is_the_same_label() -> None:
    copy = version("b", unicodedata.normalize("NFD", f"ÚLTIMA HORA: {TITLE}"))
    assert adds_nothing(copy, [ORIGINAL])


@pytest.mark.parametrize("title", [
    "EILMELDUNG: Taranaki quake death toll rises",  # a label, then news
    "URGENT : Taranaki quake death toll rises",
    "ÚLTIMA HORA: Taranaki quake death toll rises",
    "AO VIVO: Taranaki quake death toll rises",
    f"Eilig: {TITLE}",  # a word that is no label
    f"Directors: {TITLE}",
])
def test_other_words_after_a_label_are_still_news(title: str) -> None:
    assert not adds_nothing(version("b", title), [ORIGINAL])


def test_a_label_word_after_the_headline_is_a_word_of_it() -> None:
    assert "direc" in headline_words(version("b", "Opunake harbour: en direct: repairs begin"))
