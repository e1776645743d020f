"""A new version's headline against what the reader read: its words that may tell news.

Observations
------------
* A copy's headline is often its outlet's own ("Quake hits Opunake :: Highcliff Post") or
  opens with a label ("BREAKING:", "EILMELDUNG:"): neither says anything of the news.
* A follow-up's headline usually says what is new ("Harbour to reopen next month"); one that
  repeats the story's ("Correction: Quake hits ...") does not.

How it works
------------
Headlines are compared by their content words (``FUNCTION_WORDS`` aside), each cut to its
first ``STEM_CHARS`` letters: :func:`headline_words` (less the outlet's name and a label),
:func:`headline_repeats` (under ``NEW_WORDS`` of them new), :func:`words_read` (every word of
the earlier versions' headlines and texts).  ``digest.output.news`` reads them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol

from ..text.words import FUNCTION_WORDS

_WORD = re.compile(r"\w+")
#: A new headline repeats the story's when under this share of its words (function words
#: aside, compared by their first ``STEM_CHARS`` letters) are in none of its earlier
#: headlines: "Quake hits Opunake harbour, Taranaki" (1 of 5) repeats, "Boy, 17, shot in
#: Claymont has died" (2 of 5: shot, died) is news.  GVC val through ``digest replay``: see
#: docs/evaluation.md, "What is new in a developing story".
NEW_WORDS = 0.3
#: Words are compared by their first letters: "recalls"/"recall", "injured"/"injury".
STEM_CHARS = 5
#: What parts a site's name from its headline: "Quake hits Opunake :: Highcliff Post", "...:: ...",
#: "... | ...", "... - ...", "... — ...", or brackets after it: "Quake hits Opunake (Highcliff Post)".
_SITE_SEP = re.compile(r"\s*(?:::|\|)\s*|\s+[-–—•·]\s+|\s*\((?=[^()]*\)\W*$)|\)\W*$")
#: A label a site puts before a headline: no word of the news.  English, and the common ones of
#: the languages digest reads elsewhere (``furniture.OTHER_LANGUAGES_READ_ALSO``, the counts of
#: time ago): German "EILMELDUNG:", "Eil:", "Liveticker:"; French "URGENT :", "EN DIRECT :",
#: "ALERTE INFO :" (a space before the colon); Spanish "ÚLTIMA HORA:", "EN VIVO:", "EN DIRECTO:";
#: Italian "ULTIM'ORA:", "IN DIRETTA:"; Portuguese "ÚLTIMA HORA:", "AO VIVO:"; Dutch "LIVE:",
#: "NET BINNEN:" ...  Matched in NFC (a decomposed "Ú" is one letter).
_LABELS = (
    # English
    r"breaking(?:\s+news)?|just\s+in|updated?|live|exclusive|watch|video|photos?|developing|opinion|analysis|reports?"
    # German
    r"|eilmeldung|eil|live-?ticker|live-?blog|exklusiv|aktualisiert|kommentar|analyse|fotos|bilder"
    # French
    r"|urgent|alerte(?:\s+info)?|(?:en\s+)?direct|exclusif|exclusivit\u00e9|vid\u00e9o|mise\s+\u00e0\s+jour|tribune"
    # Spanish
    r"|\u00faltima\s+hora|urgente|en\s+(?:vivo|directo)|directo|exclusiva|v\u00eddeo|an\u00e1lisis|opini\u00f3n|actualizaci\u00f3n"
    # Italian
    r"|ultim['\u2019]\s?ora|ultima\s+ora|(?:in\s+)?diretta|esclusiv[ao]|foto|analisi|opinione|aggiornamento"
    # Portuguese
    r"|ao\s+vivo|exclusivo|an\u00e1lise|opini\u00e3o|atualiza\u00e7\u00e3o|atualizado"
    # Dutch
    r"|net\s+binnen|exclusief|opinie"
)
_LABEL = re.compile(r"\s*(?:" + _LABELS + r")\s*[:|]\s*", re.IGNORECASE)


class Said(Protocol):
    """What a version says: a stored version, or an article just cleaned (``digest.revisions``
    compares an entry updated in place with its earlier versions)."""

    @property
    def title(self) -> str: ...
    @property
    def text(self) -> str: ...


def _words(s: str) -> set[str]:
    """The content words of a headline, each cut to ``STEM_CHARS`` letters."""
    return {w.lower()[:STEM_CHARS] for w in _WORD.findall(s) if w.lower() not in FUNCTION_WORDS}


def headline_words(version: Said) -> set[str]:
    """The content words of ``version``'s headline that may tell news: not its outlet's name
    (``outlet_name``, where the version has one) where it stands apart, a site's suffix or
    prefix ("... :: Highcliff Post", "Highcliff Post | ..."), nor a label before it.  The
    name's words in the headline itself are news: "Independent inquiry into ..." from The
    Independent, "Washington orders ..." from The Washington Post."""
    title = " ".join(version.title.split())
    nfc = unicodedata.normalize("NFC", title)
    label = _LABEL.match(nfc)
    title = nfc[label.end():] if label else title
    name = _words(getattr(version, "outlet_name", "") or "")
    parts = [p for p in _SITE_SEP.split(title) if p.strip()] if name else [title]
    if len(parts) > 1 and _words(parts[-1]) <= name:
        parts.pop()
    if len(parts) > 1 and _words(parts[0]) <= name:
        parts.pop(0)
    return set().union(*(_words(p) for p in parts))


def headline_repeats(title: str, seen: set[str]) -> bool:
    """Whether ``title`` says under ``NEW_WORDS`` of its content words the reader has not
    read (``seen``: :func:`seen_words`)."""
    words = _words(title)
    added = words - seen
    return not added or len(added) < NEW_WORDS * len(words)


def seen_words(earlier: Sequence[Said], heading: str) -> set[str]:
    """The content words of the story's ``heading`` and of the ``earlier`` versions' headlines."""
    return set().union(*(_words(old) for old in [heading, *(v.title for v in earlier)]))


def words_read(earlier: Sequence[Said]) -> set[str]:
    """The content words the reader has read: of the earlier versions' headlines and texts,
    each cut to ``STEM_CHARS`` letters."""
    return seen_words(earlier, "").union(*(_words(v.text) for v in earlier))
