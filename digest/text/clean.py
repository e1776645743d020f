"""Remove site junk from article text, so that only the story counts when comparing.

Observations
------------
* Extracted or feed-supplied text carries site furniture around the story:
  share and app prompts ("Join our group now"), comment-form boilerplate,
  view counters, author boxes and first-person writer bios, image credits,
  the headline repeated above the body, section labels and dates at the top,
  and lists of related headlines at the bottom.
* Story prose looks different from that furniture: its lines are long, end
  like sentences, and are a third or more stopwords.  Furniture lines are
  short, rarely end with a full stop, are Title Cased or full of digits and
  symbols, and cluster at the top and bottom of the text.
* A line that recurs across several articles of the same source is that
  site's template, whatever it says (``recurring_lines``).

How it works
------------
The text is split into units (``digest.text.lines.split_units``: one per line; a line that starts in lower case
continues the line before it, and a paragraph hard-wrapped at a fixed width,
as mail and ``.txt`` files are, is one unit).  Each unit gets simple features (``lines.features``): word count,
whether it ends like a sentence, stopword ratio, Title-Case ratio of its
content words, digit/symbol ratio, first-person ratio, call-to-action and
boilerplate hits.  Then, in order:

1. Units with a positive junk signal go wherever they are: boilerplate
   (comment forms, copyright, cookies, view counters, "Posted in", credits,
   "The post ... appeared first on"), call-to-action lines (short lines with
   share/join/subscribe/download/... plus a nudge: a social/app channel word,
   "now"/"here"/"our", or the verb first; or, up to ``CTA_WORDS`` words, the
   verb first, a named channel and the site speaking of itself: "Follow us on
   Google News for the latest updates."), a newsletter prompt (an inbox or newsletter, a verb
   of getting it and the reader addressed: "Get the day's top headlines delivered to your
   inbox ..."; or "If you enjoyed this article, ..."; or the writer's support asked for:
   "To receive new posts and support my work, consider becoming a free or paid subscriber."),
   an aggregator's counters and poster ("Points: 112", "submitted by /u/x"), links to other stories (a label
   opening the line and then a separator or nothing: "Also Read: ...",
   "Also read | ...", "READ ALSO", "Read more: ...", "SEE MORE: ...", "Most read in
   world news", a bare "More:"), a photo's caption ("Buy Photo ...",
   or a credit in brackets at its end: "(Photo: ...)", "(AP Photo/...)"), a label and a
   link alone ("Read or Share this story: http://...", "Article URL: http://..."), a reporter's contact line or a
   telephone number alone, how to reach the writer with the address ("Follow him on Twitter
   @...", "... may be reached at x@y.com"), the reporters' credit ("... contributed to this
   report.", "(Reporting by ...; Editing by ...)"), where the story is read in full or ran first
   ("Read the full story at ...", "This article originally appeared on ...", "Follow AP's full
   coverage of ... at http://..."), the site's app offered ("Download the ... app for iPhone and
   Android"), a comment form's note, a copyright sign in a short line, a publisher's
   registration ("... Media Ltd. Registered in England."), a video player's controls ("Skip Ad Ad Loading ... x Embed x
   Share", split from the lede they are glued to), the title, a paragraph repeated
   word for word, a headline repeated at the very top, and lines recurring in
   the source's other articles (``source_lines``).  The vocabulary is in
   ``digest.text.furniture``.
2. Site boxes: body paragraphs are prose units of ``BODY_WORDS`` or more.
   Between two of them, or after the last, a run of other units that holds
   junk goes from its first junk unit to its last, with up to ``BOX_HEAD``
   short units either side (the box's heading and blurb: "Our free
   newsletter", "The essential news, every day."), except long running text
   (a paragraph that lost its full stop); after the last body paragraph it
   goes to the end (a comment form, a writer's third-person bio, a trending
   list that mixes headlines with sentences).  Sites stack such boxes, and
   their lines look like prose one by one; together they do not.  The outlet's
   correction or editor's note ("Correction: An earlier version ...",
   ``CORRECTION_NOTE``) is a body paragraph however short: a share bar above it
   does not take it.
3. Leading units before the first prose unit are trimmed while they look like
   furniture (labels of at most five words, digit/symbol lines such as dates,
   counters and ``| v9.4 |``, Title-Case headlines).  At the end, a non-prose
   run that is mostly undated Title-Case lines is a related-stories list and
   goes whole; otherwise furniture is trimmed from the end up to the first
   other line, so a list that ends the article (tour dates, a recipe) stays.
   A trailing first-person paragraph that talks about writing (writer, editor,
   articles, passion...) in an otherwise third-person article is a writer's
   bio and goes too.
4. Inside the body, a short undated Title-Case line without final punctuation
   that is followed by prose is a subheading and is dropped (it carries little
   for comparison); other short lines (list items, table rows) stay.

Only whole units are ever removed (plus a trailing "Read more" marker), so
cleaning never makes a text longer.  ``classify_lines`` shows the reason for
every line (for ``digest explain``).

Measured (``benchmarks/extraction.py``): on the scrapinghub benchmark cleaning
raises precision and F1 (trafilatura 0.964, cleaned 0.966: precision
0.958 -> 0.971; the story links and "follow us" lines added 0.001 of precision,
the 12 lines they take there are all furniture; stop 33's newsletter prompts, credits,
contact lines and link labels 0.005, 25 lines; stop 41's source notes and copyright lines
0.0004, 2 lines, see docs/evaluation.md); on the five seed articles every body paragraph stays and every
junk line goes; on the syndicated benchmark the lead is the junk-free version
in 99-100% of stories.

Special cases
-------------
* When no unit looks like prose (a list, a one-line summary), positional
  trimming and site boxes are skipped: only units with explicit junk signals
  go; a tail run that is the whole text is never "after the body".
* ``source_lines`` is ignored for prose if it would remove most of the prose
  (two versions of one article from one source share all their lines).
* ``truncated`` is judged on the text before cleaning, because the cut-off
  marker ("Read more", "[…]") is itself removed as junk, and on its last kept
  unit, because a feed's footer after the cut ("The post ... appeared first
  on ...", "Source: ...") is removed too and hid the cut; a text under
  ``SHORT_WORDS`` words after cleaning also counts as truncated.
* Words are counted two CJK characters to a word (no spaces in those scripts);
  CJK sentence punctuation ends sentences.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field

from . import params as p
from .furniture import (
    APP_PROMPT,
    BIO_LINE,
    BIO_WORDS,
    BOILERPLATE,
    CAPTION,
    COMMENT_NOTE,
    CONTACT,
    COPYRIGHT,
    CORRECTION_NOTE,
    CREDIT,
    CTA_CHANNELS,
    CTA_OPENERS,
    CTA_VERBS,
    HANDLE,
    LINK_LINE,
    NUDGE,
    PLAYER_CONTROLS,
    PROMO_OPENER,
    PROMO_PRODUCT,
    PROMO_READER,
    PROMO_SUPPORT,
    PROMO_VERB,
    PUBLISHER_NOTE,
    REACH_WRITER,
    RELATED_LINK,
    REPORTED,
    SELF,
    SHARE_WORDS,
    SOURCE_NOTE,
    ends_cut,
    without_tail_marker,
)
from .lines import ALPHA, WORD, Unit, count_words, features, line_key, split_units, table_row


@dataclass(frozen=True, slots=True)
class CleanResult:
    """The clean body and what was taken out."""

    text: str
    junk: list[str] = field(default_factory=list)
    #: The text looks like a cut-short feed summary, not the full article.
    truncated: bool = False
    paragraphs: int = 0
    words: int = 0


#: Channel words that are also everyday words: they do not make a sentence a call to action.
_PLAIN_CHANNELS = frozenset(["group", "page", "link", "channel", "app", "notification", "notifications"])


def _cta(u: Unit) -> bool:
    if u.sentence and u.words > max(p.CTA_WORDS, p.CTA_SHORT_WORDS):  # each rule below needs a short line or no sentence
        return False
    verbs = CTA_VERBS.findall(u.text) + SHARE_WORDS.findall(u.text)
    opener = CTA_OPENERS.match(u.text)
    if opener:
        verbs.append(opener.group(1))
    if not verbs:
        return False
    channels = [c.lower() for c in CTA_CHANNELS.findall(u.text)]
    hits = len(verbs) + len(channels)
    verb_first = bool(opener or CTA_VERBS.match(u.text))
    imperative = verb_first or "!" in u.text
    named = any(c not in _PLAIN_CHANNELS for c in channels)
    if named and u.words <= p.CTA_WORDS and SELF.match(u.text):
        # The site asks the reader to come to it on a named channel: "Follow us on Google News
        # for the latest updates.", "Sign up for our newsletter ...".  ("Join us at the hall to
        # help our group plan the fair." names none.)
        return True
    if u.words <= p.CTA_SHORT_WORDS:
        # "Share this", "Join our Telegram group", "Subscribe now!" but not "Apple Watch".
        nudge = hits > len(verbs) or bool(NUDGE.search(u.text))
        return (imperative or nudge) and (not u.sentence or imperative)
    if len(verbs) >= p.SHARE_BAR_VERBS and len(verbs) * p.SHARE_BAR_WORDS_PER_VERB >= u.words and not u.sentence:
        return True  # a share bar: "Click to share on X (Opens in new window) Click to share on ..."
    return u.words <= p.CTA_WORDS and hits >= p.CTA_HITS and (not u.sentence or imperative)


def _note_words() -> int:
    """The longest line a site's note may be (the largest of its kinds' caps), read from
    ``params`` when ``clean`` runs, as every number of it is (a test or a tuning run patches
    ``digest.text.params``)."""
    return max(p.BOILERPLATE_WORDS, p.CTA_WORDS, p.COPYRIGHT_WORDS, p.SOURCE_NOTE_WORDS)


def _site_note(u: Unit) -> str | None:
    """The reason a site's note gives a line (stop 41: a comment form's, the site's app offered,
    a copyright sign, a publisher's registration, where the story ran first), or None; never for
    a line that reports speech (``REPORTED``: "..., officials urged residents").  They go alone,
    no signal of a site box: a photo's "photos © ..." took an exhibition's address under it as
    one (scrapinghub, all in the ground truth), a publisher's registration the story's last line
    ("I'm excited.")."""
    if u.words > _note_words() or REPORTED.search(u.text):
        return None
    if COMMENT_NOTE.search(u.text) and u.words <= p.BOILERPLATE_WORDS:
        return "boilerplate"
    if APP_PROMPT.match(u.text) and u.words <= p.CTA_WORDS:
        return "call to action"
    if COPYRIGHT.search(u.text) and u.words <= p.COPYRIGHT_WORDS:
        return "copyright"
    if PUBLISHER_NOTE.search(u.text) and u.words <= p.BOILERPLATE_WORDS:
        return "publisher note"
    if SOURCE_NOTE.match(u.text) and u.words <= p.SOURCE_NOTE_WORDS:
        return "source note"
    return None


def _promo(u: Unit) -> bool:
    """The site selling its newsletter or membership to the reader (``furniture.PROMO_*``)."""
    if u.words > p.PROMO_WORDS:
        return False
    if PROMO_OPENER.match(u.text):
        return True
    if PROMO_SUPPORT.search(u.text) and PROMO_VERB.search(u.text):
        return True
    return bool(PROMO_PRODUCT.search(u.text) and PROMO_VERB.search(u.text) and PROMO_READER.search(u.text))


def _counter_like(u: Unit) -> bool:
    """Counters, version strings, pipes and plus signs: "Views: 1021 2", "| v9.4 |"."""
    alpha_words = len([t for t in WORD.findall(u.text) if ALPHA.match(t)])
    if (u.sentence and u.words >= p.COUNTER_SENTENCE_WORDS) or table_row(u.text):
        return False
    return u.symbols >= p.COUNTER_SYMBOLS or (u.digits >= p.COUNTER_DIGITS and alpha_words <= p.COUNTER_ALPHA_WORDS)


def _similar_to_title(u: Unit, title_key: str) -> bool:
    if not title_key or not u.key:
        return False
    if u.key == title_key:
        return True
    a, b = set(u.key.split()), set(title_key.split())
    return len(a) <= p.TITLE_LENGTH * len(b) and len(a & b) / len(a | b) >= p.TITLE_OVERLAP


def _is_truncated(units: list[str], kept: list[str], words: int) -> bool:
    """Too short, or cut: the last unit, or the last one kept, ends with a cut mark.  (A feed
    adds its footer after an excerpt's "[…]": "The post ... appeared first on ...".)"""
    if words < p.SHORT_WORDS:
        return True
    return any(ends_cut(last[-1]) for last in (units, kept) if last)


def classify_lines(
    text: str, *, title: str | None = None, source_lines: Counter[str] | None = None
) -> list[tuple[str, str | None]]:
    """Each unit (line) of ``text`` with the reason it is junk, or ``None`` if it is kept."""
    return [(u.text, u.reason) for u in _classify(text, title, source_lines)]


#: Why a line over the lede that says the lede again goes (its caption, its standfirst).
_LEDE_REPEATED = "caption repeating the lede"


def _classify(text: str, title: str | None, source_lines: Counter[str] | None) -> list[Unit]:
    title_key = line_key(title) if title else ""
    units = [features(t) for t in split_units(text or "", title_key)]

    # 1. Explicit junk signals, anywhere.
    seen: set[str] = set()
    for i, u in enumerate(units):
        if not u.key:
            u.reason = "empty"
        elif u.words <= p.BOILERPLATE_WORDS and BOILERPLATE.search(u.text):
            u.reason = "boilerplate"
        elif u.words <= p.BOILERPLATE_WORDS and RELATED_LINK.match(u.text):
            u.reason = "related link"
        elif u.words <= p.CAPTION_WORDS and CAPTION.search(u.text):
            u.reason = "caption"
        elif u.words <= p.BOILERPLATE_WORDS and (LINK_LINE.match(u.text) or CONTACT.match(u.text)):
            u.reason = "contact or link"
        elif u.words <= p.CREDIT_WORDS and CREDIT.search(u.text):
            u.reason = "credit line"
        elif u.words <= p.REACH_WORDS and REACH_WRITER.search(u.text) and HANDLE.search(u.text):
            u.reason = "contact or link"
        elif (note := _site_note(u)) is not None:
            u.reason = note
        elif PLAYER_CONTROLS.fullmatch(u.text):
            u.reason = "player controls"
        elif _cta(u):
            u.reason = "call to action"
        elif _promo(u):
            u.reason = "newsletter prompt"
        elif _similar_to_title(u, title_key):
            u.reason = "title"
        elif i and units[i - 1].reason == "repeated headline" and units[i - 1].key == u.key:
            u.reason = "repeated headline"
        elif u.key in seen and u.prose and u.words >= p.REPEATED_WORDS and u.stop_ratio >= p.REPEATED_STOPWORDS:
            u.reason = "repeated"
        elif (
            i + 1 < len(units)
            and units[i + 1].key == u.key
            and not any(v.prose and v.reason is None for v in units[:i])
        ):
            # a headline twice goes, both times (a question or a sentence of a headline's
            # length too); a paragraph longer than a headline twice is a photo's caption (or a
            # standfirst) over the lede it repeats: it goes, the lede stays (stop 54: both went,
            # and the text, the excerpt, began at the second paragraph)
            lede = units[i + 1].prose and units[i + 1].words > p.HEADLINE_WORDS
            u.reason = _LEDE_REPEATED if lede else "repeated headline"
        if u.reason != _LEDE_REPEATED:  # the lede after it is not "repeated"
            seen.add(u.key)
    if source_lines:
        recurring = [u for u in units if u.reason is None and source_lines.get(u.key, 0) > 0]
        prose_words = sum(u.words for u in units if u.reason is None and u.prose)
        recurring_prose = sum(u.words for u in recurring if u.prose)
        for u in recurring:
            if not u.prose or recurring_prose < p.RECURRING_PROSE * prose_words:
                u.reason = "recurs in source"

    _junk_runs(units)
    live = [u for u in units if u.reason is None]
    if any(u.prose for u in live):
        # 2. Leading and trailing runs of non-prose.
        for u in live:
            if u.prose or not (_furniture(u) or u.headline):
                break
            u.reason = "before body"
        _trim_tail(live)
        # 3. Subheadings inside the body.
        live = [u for u in units if u.reason is None]
        for u, nxt in itertools.pairwise(live):
            if u.headline and not u.sentence and u.words <= p.SUBHEADING_WORDS and not u.digits and nxt.prose:
                u.reason = "subheading"
    return units


def clean_text(
    text: str, *, title: str | None = None, source_lines: Counter[str] | None = None
) -> CleanResult:
    """Remove site junk from ``text``; see the module docstring for the rules."""
    units = _classify(text, title, source_lines)
    kept = [u.text for u in units if u.reason is None]
    last_kept = kept[-1:]  # as written: its "Read more" marks a cut
    if kept:
        # "... [Read more]" glued to the last paragraph: drop the marker, keep the prose.
        kept[-1] = without_tail_marker(kept[-1]) or kept[-1]
    clean = "\n\n".join(kept)
    words = count_words(WORD.findall(clean))
    return CleanResult(
        text=clean,
        junk=[u.text for u in units if u.reason is not None],
        truncated=_is_truncated([u.text for u in units], last_kept, words),
        paragraphs=len(kept),
        words=words,
    )


_SIGNALS = frozenset(["boilerplate", "call to action", "related link", "recurs in source"])


def _junk_runs(units: list[Unit]) -> None:
    """Site boxes between or after body paragraphs go whole (see the module docstring)."""
    body = [u.reason is None and ((u.prose and u.words >= p.BODY_WORDS and not BIO_LINE.match(u.text)) or _note(u))
            for u in units]
    if not any(body):
        return
    i, n = 0, len(units)
    while i < n:
        if body[i]:
            i += 1
            continue
        j = i
        while j < n and not body[j]:
            j += 1
        run, tail = units[i:j], j == n
        signals = [k for k, u in enumerate(run) if u.reason in _SIGNALS]
        if signals or tail:
            # a writer's bio: at the end, or in a box with other junk
            signals = sorted(signals + [k for k, u in enumerate(run)
                                        if u.reason is None and u.words <= p.BIO_LINE_WORDS and BIO_LINE.match(u.text)])
        if signals:
            first, last, junk = signals[0], signals[-1], set(signals)
            # between two boxes, or after the last at the end: what is not a long
            # line of running text (a paragraph that lost its full stop)
            stop = len(run) if tail else last + 1
            drop = {k for k in range(first, stop) if k in junk or not _running(run[k])}
            k = first - 1
            while k >= max(0, first - p.BOX_HEAD) and _fragment(run[k]):
                drop.add(k)
                k -= 1
            k = last + 1
            while not tail and k < len(run) and k <= last + p.BOX_HEAD and _fragment(run[k]):
                drop.add(k)
                k += 1
            for k in drop:
                if run[k].reason is None:
                    run[k].reason = "site box"
        i = j


def _note(u: Unit) -> bool:
    """The outlet's correction or editor's note: content, a body paragraph however short."""
    return bool(CORRECTION_NOTE.match(u.text))


def _running(u: Unit) -> bool:
    """Running text that lost its full stop (a dateline glued on, a cut): long, a quarter stopwords."""
    return u.words >= p.BODY_WORDS and u.stop_ratio >= p.RUNNING_STOPWORDS


def _fragment(u: Unit) -> bool:
    """A box's heading or blurb: a label, or a sentence of a few words."""
    return u.words < p.BODY_WORDS and (not u.sentence or u.words < p.FRAGMENT_WORDS)


def _label(u: Unit) -> bool:
    """A short label: "Live Stream", "Leave a Reply", "Spread the love", "Share"."""
    return u.words <= p.LABEL_WORDS and not u.sentence and u.digits == 0


def _furniture(u: Unit) -> bool:
    """Labels, counters and symbol lines: what sits around a body, not in it."""
    return _label(u) or _counter_like(u)


def _trim_tail(live: list[Unit]) -> None:
    """Trim the non-prose run after the last prose paragraph (and a writer bio).

    A run that is mostly headline-like lines is a related-stories list and goes
    whole; otherwise only labels go, from the end, up to the first other line
    (a list that ends the article stays).
    """
    run: list[Unit] = []
    for u in reversed(live):
        if (u.prose and not u.headline and not _bio(u, live)) or _note(u):
            break
        run.append(u)
    if len(run) == len(live):
        return  # no body before it: a name-heavy one-sentence summary is not "after" anything
    lines = [u for u in run if u.words >= p.LIST_LINE_WORDS and not (u.prose and not u.headline)]
    # Dated or numbered lines (tour dates, rankings, product lists) are content.
    # Unpunctuated lines count as headlines too: sentence-case headline lists
    # ("Related: Ferry firm adds winter timetable") are as common as Title Case.
    headlines = sum(1 for u in lines if (u.headline or not u.sentence) and u.digits == 0)
    if len(lines) >= p.LIST_LINES and headlines >= p.LIST_HEADLINES * len(lines):
        for u in run:
            u.reason = "writer bio" if u.prose and not u.headline else "after body"
        return
    for u in run:
        if u.prose and not u.headline:
            u.reason = "writer bio"
        elif _furniture(u) or (u.headline and u.digits == 0 and _fragment(u)):
            u.reason = "after body"
        else:
            break


def _bio(u: Unit, live: list[Unit]) -> bool:
    """A first-person paragraph in an article whose other prose is (nearly) third-person."""
    if u.first_person < p.BIO_FIRST_PERSON or len(BIO_WORDS.findall(u.text)) < p.BIO_WORD_HITS:
        return False
    rest = [v for v in live if v.prose and v is not u and v.reason is None]
    total = sum(v.words for v in rest)
    if total < p.BIO_BODY_WORDS:
        return False
    body = sum(v.first_person * v.words for v in rest) / total
    return body < p.BIO_CONTRAST * u.first_person
