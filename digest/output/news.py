"""What a story's new versions add to what the reader read: the "what's new" line, and copies.

Observations
------------
* A developing story is shown again because something arrived; the reader wants to know
  what, in one line.  A follow-up's headline usually says it ("Harbour to reopen next
  month"); a headline that repeats the story's ("Correction: Quake hits ...", the same wire
  headline) does not, and neither does the new version's first sentence when it is the
  story's own, word for word or with one figure changed: a correction's news is the line
  that corrects, further down.
* Another outlet's copy of a report the reader read (a wire story arriving a day late, a
  feed's summary of it) adds nothing to read: only the outlet is new.  Shown as a
  developing story, its "what's new" line was the story's own first sentence, under a
  heading and an excerpt the reader read the day before.

How it works
------------
* What the reader read, passage by passage, and which passages of a new version are new
  (by their words, or by a figure changed): ``digest.output.reading``.
* :func:`adds_nothing`: a new version is a copy when its headline says no word the reader
  has not read (in the earlier headlines and texts) and none of its passages is new.  Its
  outlet's name apart from its headline (a site's suffix or prefix, "Quake hits Opunake ::
  Highcliff Post", "... (Highcliff Post)") and a label before it ("BREAKING:", "LIVE:",
  "Exclusive:", and in German, French, Spanish, Italian, Portuguese and Dutch: "EILMELDUNG:",
  "URGENT :", "ÚLTIMA HORA:", "ULTIM'ORA:", "AO VIVO:") say nothing of the news; the name's words in the headline itself do
  ("Independent inquiry ..." from The Independent).
* :func:`whats_new`: the latest new version that is no copy speaks: its headline, unless
  it repeats what the reader read (the story's heading and the earlier headlines: under
  ``headlines.NEW_WORDS`` of its content words new), else its first passage not read (one of words not
  read before one new only by a figure: a correction's line, not the lede it corrects), from
  its first sentence not read (a short one read, run on into it, left off), less what the
  excerpt leaves out before it (a caption over the lede, its dateline: ``openings``), cut
  at ``WHATS_NEW_CHARS``.

Special cases
-------------
* A new version whose only passages not read are the site's furniture run into its lede
  ("Having trouble viewing the video ? Try disabling any ad blocking ...", by ``leadjunk``'s
  checks: ``openings.without_furniture``) is a copy in the view (:func:`copies_of`): the story
  is "also reported", not developing with the lede read as its news (stop 65).  An entry's
  revision is still judged on its whole text (``digest.revisions``: unmeasured there).
* An outlet's notice that it removed or retracted its report (``digest.text.notices``) is
  news, never a copy: "what's new" is :func:`taken_back`'s line, "Coast News retracted its
  report" (the notice's words are its text, shown where it leads); so is its report put back
  after it, "Coast News restored its report" (``digest.output.entries.restored``).
* Every new version a copy: the last to arrive speaks (the line is then not shown: see
  ``digest.output.view``, "also reported").
* A passage longer than ``WHATS_NEW_CHARS`` is cut at a space in its second half (a
  script without spaces where it must, a letter kept with its marks) and gets " …".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Sequence

from ..store.base import StoredArticle
from ..text.notices import takedown
from ..text.scripts import safe_cut
from ..text.sentences import sentence_ends
from .figures import extent, stated
from .headlines import Said, headline_repeats, headline_words, seen_words, words_read
from .openings import left_out, line_after_opening, line_before_table, without_furniture
from .reading import (
    Read,
    entry_of,
    folded,
    grams_of,
    grams_read,
    new_passages,
    passage_read,
    passage_spans,
    passages,
    read_of,
)

#: The passage shown for a repeated headline is cut here (characters).
WHATS_NEW_CHARS = 240
#: A line new by figures alone runs on into each next passage a figure changed in while it
#: stays within this (characters): a correction of a toll and of the injured in two sentences.
FIGURES_LINE_CHARS = 400
#: Between two passages of such a line: the text between them left out.
GAP = " … "
#: What begins a line that begins within its passage (``_to_figure``).
LEAD_IN = "… "


def adds_nothing(
    version: Said, earlier: Sequence[Said], read: Read | None = None, seen: set[str] | None = None
) -> bool:
    """Whether ``version`` only repeats what the ``earlier`` versions said (another outlet's
    copy, a summary of it): its headline says no word the reader has not read (``seen``:
    :func:`words_read`; a copy's rewritten headline, "Opunake quake: harbour wall damaged",
    says what its text said), and none of its passages is new.  A headline with a new word is
    news over a text the reader read ("Aurora still stuck as tugs fail to refloat ferry" over
    the first report with a sentence changed): issue #19's "what is new" is the new
    version's headline first.  ``read`` and ``seen``: of ``earlier``, when the caller has them."""
    seen = words_read(earlier) if seen is None else seen
    if headline_words(version) - seen:
        return False
    read = read_of(earlier) if read is None else read
    return next(passages(version.text), None) is None or not new_passages(version, read)


def _cut(line: str) -> str:
    if len(line) <= WHATS_NEW_CHARS:
        return line
    head = line[: safe_cut(line, WHATS_NEW_CHARS)]  # a letter keeps its marks
    if " " in head[WHATS_NEW_CHARS // 2 :]:  # else a script without spaces: cut where it must
        head = head.rsplit(" ", 1)[0]
    return head + " …"


def copies_of(new: Iterable[StoredArticle], earlier: list[StoredArticle], read: Read | None = None) -> set[str]:
    """The keys of the ``new`` versions that add nothing to the ``earlier`` ones
    (:func:`adds_nothing`; ``read``: :func:`read_of` ``earlier``, when the caller has it, else
    read once, where a version's headline says no new word: stop 65, a count's view)."""
    seen = words_read(earlier)  # once for all the new versions, as ``read``
    out = set()
    for v in new:
        if headline_words(v) - seen:  # news by its headline: the text need not be read
            continue
        read = read_of(earlier) if read is None else read
        if adds_nothing(v, earlier, read, seen) or _furniture_only(v, earlier, read, seen):
            out.add(v.key)
    return out


def _furniture_only(v: StoredArticle, earlier: Sequence[Said], read: Read, seen: set[str]) -> bool:
    """Whether what ``v`` adds is only the site's furniture run into its lede
    (``openings.without_furniture``): yesterday's text with "Having trouble viewing the video ?
    Try disabling any ad blocking ..." in front is a copy (stop 65: shown as developing, its
    line of what is new the lede read).  The view's test only: an entry's revision is judged
    by :func:`adds_nothing` (``digest.revisions``)."""
    lede = without_furniture(v.text)
    return lede != v.text and adds_nothing(dataclasses.replace(v, text=lede), earlier, read, seen)


def is_notice(v: StoredArticle) -> bool:
    """Whether the version is an outlet's notice taking its report back (``digest.text.notices``)."""
    return takedown(v.title, v.text) is not None


def notices(new: Iterable[StoredArticle]) -> list[StoredArticle]:
    """The new versions that are an outlet's notice taking its report back, in arrival order."""
    return sorted((v for v in new if is_notice(v)), key=lambda v: (v.fetched, v.key))


def taken_back(notice: StoredArticle, *, outlet: bool = True) -> str:
    """The line a notice is shown as: "Coast News removed its report" (or retracted); of a
    version that is no notice, the report its outlet put back (``digest.output.entries.restored``):
    "Coast News restored its report".  Without the ``outlet``, as its row under "Also reported
    by" (the outlet is named before it)."""
    said = f"{takedown(notice.title, notice.text) or 'restored'} its report"
    return f"{notice.outlet_name} {said}" if outlet else said


def speaker(new: list[StoredArticle], copies: Collection[str]) -> StoredArticle:
    """The version "what is new" is read from: the last to arrive of those that are no copy
    (``copies``: their keys, :func:`copies_of`), else the last to arrive."""
    news = [v for v in new if v.key not in copies]
    return max(news or new, key=lambda v: (v.fetched, v.key))


def whats_new(
    new: list[StoredArticle],
    earlier: list[StoredArticle],
    heading: str = "",
    *,
    read: Read | None = None,
    copies: Collection[str] | None = None,
) -> str:
    """One line of what the new versions add, read from the :func:`speaker`: its headline, or,
    where the headline repeats what the reader has read (the story's ``heading``, the lead's
    title: a new version that became the lead is the heading itself; and the earlier
    versions' headlines, ``NEW_WORDS``), its first passage the ``earlier`` versions do not
    hold (its first passage, when it has none; nothing, where its headline is new and the
    heading: the text read before is no news, stop 46 review).  ``read`` and ``copies``: :func:`read_of`
    and :func:`copies_of` of these versions, when the caller has them."""
    read = read_of(earlier) if read is None else read
    latest = speaker(new, copies_of(new, earlier, read) if copies is None else copies)
    title = " ".join(latest.title.split())
    if not headline_repeats(title, seen_words(earlier, heading)):
        return title
    # a passage of words not read first: a correction's line over the lede whose figure it corrects
    news = sorted(new_passages(latest, read), key=lambda p: passage_read(p, read))
    if news and passage_read(news[0], read):  # new by figures alone: each sentence they changed in
        changed = [_from_unread(p, read) for p in news]
        return _figures_line([_to_figure(changed[0], latest, read), *changed[1:]], " ".join(latest.text.split()))
    if not news and not headline_repeats(title, seen_words(earlier, "")):
        return ""  # a new headline alone, the story's heading now: no passage read before is news
    # not a passage the excerpt leaves out over the lede: the site's furniture ("Having trouble
    # viewing the video ? Try disabling ...": the line, stop 65), a caption
    head = left_out(latest.text)  # a sentence said twice over the lede (``openings._said_twice``):
    kept = " ".join(latest.text.split())[len(head):]  # its first left out, its second kept
    fresh = ([_from_unread(p, read) for p in news if p not in head or p in kept][:1]
             or [p for p in passages(latest.text) if p not in head or p in kept][:1])
    if not fresh:
        return _cut(" ".join(latest.text.split())) or title
    return _cut(line_before_table(line_after_opening(fresh[0], latest.text), latest.text))


def _figures_line(changed: list[str], text: str) -> str:
    """The line of a version new by figures alone: the first passage a figure changed in
    (:func:`_cut`), and each next one while the line stays within ``FIGURES_LINE_CHARS``,
    ``GAP`` between them where the ``text`` has more between them ("... about 4,400 homes,
    GeoNet said. … Mere Tukino said five people were treated ..."), a space where it has not."""
    line = changed[0]
    for more in changed[1:]:
        if len(line) + len(GAP) + len(more) > FIGURES_LINE_CHARS:
            break
        line += f" {more}" if f"{line.removeprefix(LEAD_IN)} {more}" in text else GAP + more
    return _cut(line) if line == changed[0] else line


def _to_figure(passage: str, version: Said, read: Read) -> str:
    """``passage`` (a passage of ``version`` read, a figure changed in it: one sentence, its
    sentences read before it left off by :func:`_from_unread`), begun a little before its first
    changed figure, after ``LEAD_IN``, where that figure ends too far in for the line
    (:func:`_cut`): a toll raised at the end of a long sentence."""
    if len(passage) <= WHATS_NEW_CHARS:
        return passage
    told = figures_told(passage, version, read)
    if not told or told[0][1] <= WHATS_NEW_CHARS * 3 // 4:
        return passage
    start = passage.find(" ", max(told[0][0] - WHATS_NEW_CHARS // 3, 0)) + 1
    return LEAD_IN + passage[start:] if 0 < start <= told[0][0] else passage


def figures_told(line: str, version: Said, read: Read) -> list[tuple[int, int, str | None]]:
    """Where ``line`` (a :func:`whats_new` line of ``version``'s) states the figures it is new
    by, when they are its only news (passages read, a figure changed in each: "five people were
    treated"): each occurrence of such a figure, as (start, end) in ``line`` and the figure it
    took the place of, as the reader read it (:meth:`Read.were`: "three"; None where no one
    figure was replaced); of a figure stated where one was replaced and again where none was
    ("his 5-year-old daughter ... her 5-year-old sister", the daughter 4 before), the first
    only.  The line's pieces (``GAP`` between them) are read where the text holds them, each
    figure in the text's context.  [] for a line of words not read, a headline, a line of no
    passage."""
    (text, breaks), out, entry = folded(version.text), [], entry_of(version)
    at_line = len(LEAD_IN) if line.startswith(LEAD_IN) else 0
    for piece in line[at_line:].removesuffix(" …").split(GAP):
        where = text.find(piece)
        if where < 0 or not piece:
            return []
        for start, end in passage_spans(text, breaks):
            lo, hi = max(start, where), min(end, where + len(piece))
            if lo >= hi:
                continue
            grams = grams_of(text[start:end])
            if not grams_read(grams, read):
                return []
            new = read.figures_new(text, start, end, grams, entry)
            were = read.were(text, start, end, grams, entry)
            told = [(fig, span, were.get(at)) for fig, at in stated(text, lo, hi) if fig in new
                    if lo <= (span := extent(text, at))[0] < span[1] <= hi]
            placed = {fig for fig, _, was in told if was is not None}
            out += [(a - where + at_line, b - where + at_line, was) for fig, (a, b), was in told
                    if was is not None or fig not in placed]
        at_line += len(piece) + len(GAP)
    return out


def _from_unread(passage: str, read: Read) -> str:
    """A new ``passage`` from its first sentence not read: a short sentence the reader read
    (every gram in ``read``), run on into the new one by :func:`passages`, is left off."""
    start = 0
    for end in sentence_ends(passage):
        if not grams_of(passage[start:end]) <= read.grams:
            break
        start = end
    return passage[start:].strip() or passage
