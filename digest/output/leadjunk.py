"""Site furniture in the sentences that open a text, before its lede: where a page's or a
feed's paragraph holds both.  Display only: the store and dedup read the text as it is.

Observations
------------
* The cleaner (``digest.text.clean``) drops furniture by the line: a line, a paragraph, that
  is all furniture.  A feed's ``<description>``, or a page read as one paragraph, puts the
  furniture and the lede on one line: "Having trouble viewing the video ? Try disabling any ad
  blocking extensions currently running on your browser . SALT LAKE CITY — A man who ...",
  "Please enable Javascript to watch this video HENRY COUNTY , Ind. ( Aug. 28 , 2015 ) –
  Officials ...", "Sign up for one of our email newsletters . An 18-year-old ...", "Buy Photo
  Wayne County Prosecutor ... ( Photo : Todd McInturf / The Detroit News)Buy Photo Wayne County
  ...".  The excerpt and a developing story's "what is new" line began with it (stop 65).
* Read a sentence at a time, the cleaner's own line signals (``clean.classify_lines``, each
  sentence alone: a call to action, boilerplate, a photo's caption ...) find most of it.  The
  rest is a sentence with nothing of the story in it before one of those: "Having trouble
  viewing the video ?" shares no word with the text after it (``_alone``); such a sentence is
  left out only with the furniture it stands before (alone, a word-sharing test took real
  ledes: "Gaming used to be so simple.", "Who? asked people").
* The cleaner's ad-blocker note needs the reader addressed ("your browser"); the page's
  machinery named in a sentence with nothing of the story in it (``_MACHINERY``, a short phrase
  list, the second line) is the site's too: "Try disabling any ad blocking extensions."
* Furniture run into the lede without a stop ends where the lede's dateline or a photo's credit
  bracket begins (``_cut_points``): the words before it are taken as furniture only where the
  cleaner's signals take them so.
* A messaging app's call run into the lede with no stop, after the page's headline ("... Weapons
  Deal WhatsApp Group Join Now North Korean leader Kim Jong Un is ...", the seeds) ends at the
  last of its words (``_calls_run_in``): a run of a call's words only, the cleaner's call to
  action, a capital and a full lede after it.  It changed no opening of GVC val, ECB+ dev or
  scrapinghub.

Measured on GVC val, ECB+ dev and the scrapinghub ground truth, each text on one line: see
docs/evaluation.md, "Stop 65: furniture in the opening".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain

from ..text.clean import classify_lines
from ..text.furniture import CTA_CHANNELS, CTA_VERBS, NUDGE, REPORTED
from ..text.sentences import sentence_ends
from ..text.words import STOPWORDS
from .params import (
    FURNITURE_CALL_WORDS,
    FURNITURE_LEDE_WORDS,
    FURNITURE_REST_CHARS,
    FURNITURE_SENTENCES,
)

#: The cleaner's reasons that say a line is the site's, not the story's (its "title",
#: "repeated" and "before body" need the text around the line, which a sentence alone lacks).
_SITE_REASONS = frozenset({
    "boilerplate", "related link", "caption", "contact or link", "credit line", "player controls",
    "call to action", "newsletter prompt", "copyright", "publisher note", "source note",
})
#: "say", which ``furniture.REPORTED`` leaves out ("Follow the money, investigators say.").
_SAY = re.compile(r"\bsay\b", re.I)
#: A word of the story: letters, three at least.
_WORD = re.compile(r"[^\W\d_]{3,}")
#: A photo's credit bracket ending words over the lede on its line ("... ( Photo : The
#: Enquirer/ Liz Dufour)Buy Photo A man shooting ...").
_BRACKET_END = re.compile(r"\)\s*(?:Buy Photo\b)?\s*(?=[\"“‘(]?[A-Z0-9])", re.I)


#: The second line, a short phrase list: the page's own machinery, named to the reader about
#: the page ("Having trouble viewing the video ?", "Try disabling any ad blocking extensions.",
#: "Please enable JavaScript", "Your browser does not support the video tag."), taken only in a
#: sentence that shares no word with the text after it (``_alone``): a story about ad blockers or
#: a browser names them again.
_MACHINERY = re.compile(
    r"\b(?:ad[- ]?block\w*|java ?script|(?:web )?browser|cookies|trouble (?:viewing|watching|playing|loading)"
    r"|(?:video|media) player|autoplay|(?:this|the) video (?:is|was) (?:unavailable|not available))\b",
    re.I,
)


#: A word as the text holds it, and its letters without the punctuation around it.
_TOKEN = re.compile(r"\W*(\w[\w']*)\W*")
#: A word of a call to action: a verb, a channel, a nudge ("WhatsApp", "Group", "Join", "Now").
_CALL_WORD = re.compile(f"(?:{CTA_VERBS.pattern}|{CTA_CHANNELS.pattern}|{NUDGE.pattern})", re.I)


def _site(s: str) -> bool:
    """Whether the sentence ``s`` (or the words before a lede), read alone, is the site's by the
    cleaner's line signals (``_SITE_REASONS``); never a sentence that says who said it (``furniture.REPORTED``)."""
    line = " ".join(s.split())
    if not line or REPORTED.search(line) or _SAY.search(line):  # speech reported is the story's ("Follow the money, police say.")
        return False
    units = classify_lines(line)
    return bool(units) and all(reason in _SITE_REASONS for _, reason in units)


def _stems(s: str) -> set[str]:
    """The words of ``s`` that say something (no function word), by their first five letters."""
    return {w[:5] for t in _WORD.findall(s) if (w := t.lower()) not in STOPWORDS}


def _alone(s: str, rest: str) -> bool:
    """Whether the sentence ``s`` shares no word that says something with the text after it
    (``rest``: its first ``FURNITURE_REST_CHARS``)."""
    return not (_stems(s) & _stems(rest))


#: Where a dateline may begin inside a sentence: a word after a space opening with a capital, a
#: bracket or a dash (``openings.DATELINE``'s first characters), not each word.
_WORD_START = re.compile(r"(?<=\s)[A-Z\u00c0-\u024f(\-–—]")


def _cut_points(text: str, start: int, end: int, dateline: re.Pattern[str]) -> Iterator[int]:
    """Where, inside the sentence ``text[start:end]``, a lede may begin after words run into it:
    at a dateline (``dateline``: ``openings.DATELINE``, read on past the sentence's end, as its
    "Ind. (" ends none), and after a photo's credit bracket."""
    for m in _WORD_START.finditer(text[start:end]):
        at = start + m.start()
        if dateline.match(text, at):
            yield at
    for m in _BRACKET_END.finditer(text, start, end):
        if m.end() < end:
            yield m.end()


def _after_headline(before: list[re.Match[str]], run: list[re.Match[str]]) -> bool:
    """Whether a call's words ``run`` open the sentence, or follow a headline (each word before
    them a capital's, a figure's or a function word's) as a headline's words themselves ("Gunman
    Opens Fire at Mall WhatsApp Group Join Now"): a call's words in the story's own sentence ("More
    than 4,000 parents have joined our WhatsApp group Mothers Against Knives ...") are no call
    (stop 65's review: the words before them were dropped from the excerpt)."""
    if not before:
        return True
    heads = all(w[1][0].isupper() or w[1][0].isdigit() or w[1].lower() in STOPWORDS for w in before)
    return heads and all(w[1][0].isupper() for w in run)


def _calls_run_in(text: str, start: int, end: int) -> Iterator[int]:
    """Where, inside the sentence ``text[start:end]``, a lede may begin after a call to action
    run into it with no stop ("... Weapons Deal WhatsApp Group Join Now North Korean leader Kim
    Jong Un is ...", "Share this North Korean leader ..."): after a run of two to
    ``FURNITURE_CALL_WORDS`` words each a call's word (a verb, a channel, a nudge: the cleaner's
    ``CTA_VERBS``, ``CTA_CHANNELS``, ``NUDGE``), a verb among them, that the cleaner takes as a
    call to action, opening the sentence or after a headline (:func:`_after_headline`); before a capital, and a lede of ``FURNITURE_LEDE_WORDS`` words at least to
    the sentence's end (a story's own short sentence, "Click Here Media said on Monday it would
    close its Riverton office.", is kept)."""
    words = list(_TOKEN.finditer(text, start, end))
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and _CALL_WORD.fullmatch(words[j].group(1)):
            j += 1
        if (j - i >= 2 and j - i <= FURNITURE_CALL_WORDS and j < len(words) and words[j].group(0)[0].isupper()
                and _after_headline(words[:i], words[i:j])):
            run = text[words[i].start() : words[j - 1].end()]
            if (CTA_VERBS.search(run) and len(words) - j >= FURNITURE_LEDE_WORDS
                    and [r for _, r in classify_lines(run)] == ["call to action"]):
                yield words[j].start()
                return
        i = j + 1 if j > i else i + 1


def furniture_end(text: str, dateline: re.Pattern[str], *, past_alone: bool = True) -> int:
    """Where ``text``'s lede begins after the site's furniture in its first
    ``FURNITURE_SENTENCES`` sentences, 0 where none opens it: the sentences the cleaner's
    signals take as the site's (:func:`_site`), each with the sentences before it that share no
    word with the text after them (:func:`_alone`); and the words run into the lede before its
    dateline or a photo's credit (:func:`_cut_points`), when the signals take them.  Without
    ``past_alone``, a sentence sharing no word with the text after it that is neither the site's
    nor machinery ends the search (the copy test's: "Two shoppers died." over the site's note is
    news, never dropped with it, stop 65's review)."""
    start = cut = 0
    ends = chain(sentence_ends(text), [len(text)])
    for _, end in zip(range(FURNITURE_SENTENCES), ends, strict=False):
        inside = [at for at in _cut_points(text, start, end, dateline) if _site(text[start:at])]
        inside += _calls_run_in(text, start, end)
        if inside:
            return max(inside)
        sentence, rest = text[start:end], text[end : end + FURNITURE_REST_CHARS]
        if _site(sentence):
            start = cut = end
            continue
        alone = end < len(text) and _alone(sentence, rest)
        if alone and _MACHINERY.search(sentence):
            start = cut = end
        elif alone and past_alone:
            start = end
        else:
            break
    return cut
