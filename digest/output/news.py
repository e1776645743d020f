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
* Texts are compared by *passages*: sentences (``digest.text.sentences.sentence_ends``)
  of at least ``LEDE_MIN_WORDS`` words (a dateline, "WATERBURY, Conn.", runs on into the
  next; a credit line, "Reporting by staff.", is no passage of its own).  A passage was
  *read* when at least ``READ_SHARE`` of its word 3-grams (character 4-grams in a script
  written without spaces) are in the earlier versions' texts.
* A passage read that states a figure the passages it was read from do not is new all the
  same (``digest.output.figures``): a toll raised in place, "killed three" become "killed five", changes
  3 of a sentence's 30 grams.  Figures are numbers and the number words two to twenty,
  compared as numbers ("five" is "5", "2,000" is "2000"); clock times, years and counts of
  time ago or of a page's views, comments and shares are no figures of the news.
* Figures are compared by passage (:class:`Read`): the passage read is compared with the
  earlier passages it was read from (those holding ``SOURCE_SHARE`` of its grams, and the one
  holding most), figure by figure and as often as each is stated: "$1bn" become "$2bn" is news
  in a report that says "two" elsewhere, a 4-year-old become 5 in a sentence that names a
  5-year-old sister too.  Another outlet's rewrite restates a figure in another sentence than
  its original's ("LaSalle, 36, was charged" where the original said "a 36-year-old" before):
  a figure those passages do not state that another earlier passage does is new only where
  one of theirs is gone from the passage (a figure changed, not restated).
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

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence

from ..store.base import StoredArticle
from ..text.lines import WORD, count_words
from ..text.notices import takedown
from ..text.scripts import has_no_space_script, safe_cut
from ..text.sentences import sentence_ends
from .figures import extent, loose, replaced, stated, written
from .headlines import Said, headline_repeats, headline_words, seen_words, words_read
from .openings import line_after_opening

_WORD = re.compile(r"\w+")
#: The passage shown for a repeated headline is cut here (characters).
WHATS_NEW_CHARS = 240
#: A line new by figures alone runs on into each next passage a figure changed in while it
#: stays within this (characters): a correction of a toll and of the injured in two sentences.
FIGURES_LINE_CHARS = 400
#: Between two passages of such a line: the text between them left out.
GAP = " … "
#: What begins a line that begins within its passage (``_to_figure``).
LEAD_IN = "… "
#: A "sentence" shorter than this is a dateline or an abbreviation ("WATERBURY, Conn."):
#: the passage goes on to the next stop.
LEDE_MIN_WORDS = 6
#: A passage was read when this share of its 3-grams is in the earlier versions: a figure
#: corrected in a 30-word sentence leaves 90% of them; a follow-up's sentence that names the
#: story's place and quake ("Tuesday's magnitude 6.1 earthquake off the Taranaki coast") 20%.
READ_SHARE = 0.5
#: A passage read was read from the earlier passages holding at least this share of its
#: 3-grams (a sentence run on from two earlier ones: each), and the one holding most; its
#: figures are compared with theirs.  GVC val+test figure changes in place
#: (``benchmarks.inplace``) and the ECB+ dev copies (``benchmarks.copy_test``) read the same
#: from 0.1 to 1.0 (the one holding most alone); ECB+ dev reports of one event read against
#: each other: 1 of 5,850 pairs news by a figure alone at 0.1-0.25, 0 at 0.4-1.0 ("shot 11
#: times" where the other said "multiple times", and "a hundred" for its "100").  See
#: docs/evaluation.md, "Stop 41: figures compared by passage".
SOURCE_SHARE = 0.25
_N_WORDS, _N_CHARS = 3, 4


def _word_count(text: str) -> int:
    """Words of ``text``: split at spaces, or counted as the cleaner does where a script has
    no spaces between words (a Chinese sentence is not one word)."""
    return count_words(WORD.findall(text)) if has_no_space_script(text) else len(text.split())


def passages(text: str) -> Iterator[str]:
    """The passages of ``text`` (spaces folded): its sentences, each run on until it holds
    ``LEDE_MIN_WORDS`` words; a last piece shorter than that is dropped.  A paragraph ends a
    passage as a sentence does."""
    text, breaks = folded(text)
    for start, end in _spans(text, breaks):
        yield text[start:end].strip()


def folded(text: str) -> tuple[str, list[int]]:
    """``text`` with its spaces folded (``" ".join(text.split())``), and where in it each of its
    paragraphs after the first begins, where the one before ends with a stop: one whose stop
    no sentence end follows (a quotation closed after a space, ``said . "``) ran into the next,
    and a paragraph added after it read as a passage the reader had read (stop 46 review: 103
    of the 152 GVC reports hold one; an entry updated in place with a paragraph added showed
    nothing).  A paragraph without a stop (a byline "By Jane Doe · 5 min read", a subhead)
    runs on into the next, as before."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    breaks: list[int] = []
    at = 0
    for line in lines:
        if line:
            if out:
                at += 1  # the space joining it to the paragraph before
                if _STOPPED.search(out[-1]):  # a byline, a subhead, a caption runs on, as before
                    breaks.append(at)
            out.append(line)
            at += len(line)
    return " ".join(out), breaks


#: A paragraph's end that ends a passage: a stop, then closing quotes or brackets, spaced or not.
_STOPPED = re.compile(r"[.!?\u2026\u3002\uff01\uff1f\u0964\u061f][\s\"'\u201d\u2019)\u300d\u300f\uff09]*$")


def _spans(text: str, breaks: Iterable[int] = (), *, tail: bool = False) -> Iterator[tuple[int, int]]:
    """Where the passages of ``text`` (spaces folded) begin and end, a sentence or a paragraph
    (``breaks``: where each begins, :func:`folded`) ending one; with ``tail``, a last piece
    shorter than ``LEDE_MIN_WORDS`` words too (a short last sentence the reader read)."""
    start = 0
    for end in sorted({*sentence_ends(text), *breaks}):
        if _word_count(text[start:end]) >= LEDE_MIN_WORDS:
            yield start, end
            start = end
    if _word_count(text[start:]) >= (1 if tail else LEDE_MIN_WORDS):
        yield start, len(text)


def _grams(text: str) -> set[str]:
    """Word 3-grams of ``text`` (lower case), or character 4-grams of its letters in a
    script written without spaces."""
    if has_no_space_script(text):
        letters = "".join(_WORD.findall(text.lower()))
        return {letters[i : i + _N_CHARS] for i in range(max(len(letters) - _N_CHARS + 1, 1))}
    words = _WORD.findall(text.lower())
    return {" ".join(words[i : i + _N_WORDS]) for i in range(max(len(words) - _N_WORDS + 1, 1))}


def entry_of(version: Said) -> str | None:
    """The entry a version is of (``digest.revisions``: its first article's key), where it is a
    stored version or an article read; None for other text (lines a cleaning removed)."""
    return getattr(version, "revision_of", None) or getattr(version, "key", None)


class Read:
    """What the reader read: the earlier versions' grams (``grams``), the figures each of their
    passages states, and which passages hold each gram: a passage read is compared with the
    passages it was read from (:meth:`figures_new`), not with the whole earlier text.

    An entry updated in place says what its latest version says: a figure of an entry's new
    version is compared with the entry's latest version read (``entry``), not with the texts
    it replaced nor with other outlets' (:meth:`_sources`).  A figure corrected back (4,000
    homes, then 4,400, then 4,000) is news to the reader who read 4,400 last, though another
    outlet's copy says 4,000; that copy itself restates what the reader read (another
    outlet's version is compared with every version)."""

    __slots__ = ("_entries", "_latest", "_read", "_stated", "_where", "figures", "grams")

    def __init__(self) -> None:
        self.grams: set[str] = set()
        self.figures: set[str] = set()  # every figure stated
        #: each earlier passage's figures, as often as stated: each figure ("#4000") and how it
        #: was written ("4,000")
        self._stated: list[tuple[tuple[str, str], ...]] = []
        self._where: dict[str, int | list[int]] = {}  # a gram: the earlier passage(s) holding it
        self._read: list[int] = []  # each earlier passage: the version it is of, in reading order
        self._entries: list[str | None] = []  # each version's entry (:func:`entry_of`)
        self._latest: dict[str, int] = {}  # each entry's version read last

    def add(self, version: Said) -> None:
        """Add what ``version`` said: its text's grams, and each of its passages (a short last
        sentence too) with its figures."""
        text, breaks = folded(version.text)
        low = text.lower()
        spans = list(_spans(text, breaks, tail=True))
        first, n, entry = len(self._stated), len(self._entries), entry_of(version)
        self._stated.extend(() for _ in spans)
        self._read.extend([n] * len(spans))
        self._entries.append(entry)
        if entry is not None:
            self._latest[entry] = n
        starts = [start for start, _ in spans]
        for fig, at in stated(text, 0, len(text)):  # one pass: the figures, then their passages
            i = first + bisect_right(starts, at) - 1
            self._stated[i] = (*self._stated[i], (fig, written(text, at)))
            self.figures.add(fig)
        if has_no_space_script(text) or len(low) != len(text):  # no words, or a letter lower cased in two
            self.grams |= _grams(text)
            for i, (start, end) in enumerate(spans, first):
                self._index(_grams(text[start:end]), i)
            return
        words: list[str] = []  # read once, passage by passage, as _grams reads them
        for i, (start, end) in enumerate(spans, first):
            held = _WORD.findall(low, start, end)
            grams = {" ".join(held[j : j + _N_WORDS]) for j in range(max(len(held) - _N_WORDS + 1, 1))}
            self._index(grams, i)
            if len(held) >= _N_WORDS:
                self.grams |= grams
            across = words[-(_N_WORDS - 1) :] + held[: _N_WORDS - 1]  # the grams over the passages' edge
            self.grams.update(" ".join(across[j : j + _N_WORDS]) for j in range(len(across) - _N_WORDS + 1))
            words += held
        if len(words) < _N_WORDS:
            self.grams.add(" ".join(words))

    def _index(self, grams: set[str], at: int) -> None:
        """Note that passage ``at`` holds ``grams`` (a gram's first passage as a number, a list
        once another holds it: most grams are in one passage of a story)."""
        where = self._where
        for g in grams & where.keys():
            held = where[g]
            where[g] = [held, at] if isinstance(held, int) else [*held, at]
        where.update(dict.fromkeys(grams - where.keys(), at))

    def sources(self, grams: set[str]) -> list[int]:
        """The earlier passages a passage of these ``grams`` was read from: each holding at
        least ``SOURCE_SHARE`` of them, and the one holding most (all of them, on a tie), the
        one holding most first (on a tie, the one of the version read last: an entry revised
        twice, 4,000 homes then 4,200, was last read saying 4,200; of one version, its first)."""
        held: Counter[int] = Counter()
        for g in grams & self._where.keys():
            at = self._where[g]
            if isinstance(at, int):
                held[at] += 1
            else:
                held.update(at)
        if not held:
            return []
        floor = min(max(held.values()), SOURCE_SHARE * len(grams))
        read = self._read
        return sorted((at for at, n in held.items() if n >= floor), key=lambda at: (-held[at], -read[at], at))

    def _sources(self, grams: set[str], entry: str | None) -> list[int]:
        """:meth:`sources` of a passage of a version of ``entry``: those of the entry's latest
        version read, where it has any (its outlet's revision is compared with what its outlet
        said last, whatever other outlets said: a copy elsewhere of the text it went back to
        does not make its correction read); else the others, less the entry's replaced ones."""
        found = self.sources(grams)
        latest = self._latest.get(entry) if entry is not None else None
        if latest is None:
            return found
        own = [at for at in found if self._read[at] == latest]
        return own or [at for at in found if self._entries[self._read[at]] != entry]

    def figures_new(self, text: str, start: int, end: int, grams: set[str], entry: str | None = None) -> set[str]:
        """The figures the passage of ``text`` between ``start`` and ``end`` (its ``grams``)
        states more often than the earlier passages it was read from (:meth:`sources`) do: a
        figure changed there ("$1bn" become "$2bn" in a report that says "two" elsewhere, a
        4-year-old become 5 in a sentence that names a 5-year-old).  A figure they do not state
        that another earlier passage does is restated, no news, unless one of theirs is gone from
        the passage (replaced): a copy's sentence that adds the age its original gives in another
        ("LaSalle, 36, was charged ...").  ``entry``: the entry the passage's version is of."""
        now = list(stated(text, start, end))
        if not now:
            return set()
        before = [pair for at in self._sources(grams, entry) for pair in self._stated[at]]
        told, said = Counter(fig for fig, _ in now), Counter(fig for fig, _ in before)
        more, gone = told - said, said - told
        if more and gone:  # "1.5m" stated where "1.5 million" was, or the other way round
            _match_loose(((fig, written(text, at)) for fig, at in now), more, gone)
            _match_loose(before, gone, more)
        added = set(+more)
        if added <= self.figures and not +gone:
            return set()
        return added

    def were(self, text: str, start: int, end: int, grams: set[str], entry: str | None = None) -> dict[int, str]:
        """Of the passage of ``text`` between ``start`` and ``end`` (its ``grams``), each figure
        that took the place of one of the earlier passage it was read from most (the first of
        :meth:`sources`), by where it stands in ``text``: that figure as it was written ("4,400"
        at its place: "4,000").  Figures are paired in the order they are stated, one for one
        (:func:`digest.output.figures.replaced`); a figure added or dropped beside the others
        pairs with none.  ``entry``: as :meth:`figures_new`'s."""
        found = self._sources(grams, entry)
        if not found:
            return {}
        told = list(stated(text, start, end))
        old = self._stated[found[0]]
        pairs = replaced([fig for fig, _ in old], [fig for fig, _ in told])
        return {told[j][1]: old[i][1] for i, j in pairs}


def _match_loose(figs: Iterable[tuple[str, str]], here: Counter[str], there: Counter[str]) -> None:
    """Take out of ``here`` and ``there`` each figure of ``figs`` (each with how it was written)
    counted in ``here`` whose scaled form (:func:`digest.output.figures.loose`) is counted in
    ``there``: a figure written with a letter that may be a unit ("1.5m") is the one spelled out
    ("1.5 million") too, and one written for the other is no figure changed."""
    for fig, shown in figs:
        alt = loose(fig, shown)
        if alt is not None and here[fig] > 0 and there[alt] > 0:
            here[fig] -= 1
            there[alt] -= 1


def read_of(earlier: Iterable[Said]) -> Read:
    """What the reader read in the ``earlier`` versions (:class:`Read`), given in the order
    they were read (arrival): of two passages alike, the one read last is the one a changed
    figure is said against."""
    out = Read()
    for v in earlier:
        out.add(v)
    return out


def new_passages(version: Said, read: Read) -> list[str]:
    """The passages of ``version`` the reader has not read (``read``: of the earlier versions,
    :func:`read_of`): those with under ``READ_SHARE`` of their grams in it, and those stating a
    figure the earlier passages they were read from do not (:meth:`Read.figures_new`): "$1bn"
    become "$2bn" is news in a report that says "two" elsewhere."""
    out, entry = [], entry_of(version)
    text, breaks = folded(version.text)
    for start, end in _spans(text, breaks):
        p = text[start:end].strip()
        grams = _grams(p)
        if not _grams_read(grams, read) or read.figures_new(text, start, end, grams, entry):
            out.append(p)
    return out


def _words_read(passage: str, read: Read) -> bool:
    """Whether ``READ_SHARE`` of the passage's grams were read (its figures aside)."""
    return _grams_read(_grams(passage), read)


def _grams_read(grams: set[str], read: Read) -> bool:
    """Whether ``READ_SHARE`` of a passage's ``grams`` were read."""
    return len(grams & read.grams) >= READ_SHARE * len(grams)


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
    (:func:`adds_nothing`; ``read``: :func:`read_of` ``earlier``, when the caller has it)."""
    read = read_of(earlier) if read is None else read
    seen = words_read(earlier)  # once for all the new versions, as ``read``
    return {v.key for v in new if adds_nothing(v, earlier, read, seen)}


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
    news = sorted(new_passages(latest, read), key=lambda p: _words_read(p, read))
    if news and _words_read(news[0], read):  # new by figures alone: each sentence they changed in
        changed = [_from_unread(p, read) for p in news]
        return _figures_line([_to_figure(changed[0], latest, read), *changed[1:]], " ".join(latest.text.split()))
    if not news and not headline_repeats(title, seen_words(earlier, "")):
        return ""  # a new headline alone, the story's heading now: no passage read before is news
    fresh = [_from_unread(p, read) for p in news[:1]] or list(passages(latest.text))[:1]
    return _cut(line_after_opening(fresh[0], latest.text)) if fresh else _cut(" ".join(latest.text.split())) or title


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
        for start, end in _spans(text, breaks):
            lo, hi = max(start, where), min(end, where + len(piece))
            if lo >= hi:
                continue
            grams = _grams(text[start:end])
            if not _grams_read(grams, read):
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
        if not _grams(passage[start:end]) <= read.grams:
            break
        start = end
    return passage[start:].strip() or passage
