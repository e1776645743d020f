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
The text is split into units (one per line; a line that starts in lower case
continues the line before it).  Each unit gets simple features: word count,
whether it ends like a sentence, stopword ratio, Title-Case ratio of its
content words, digit/symbol ratio, first-person ratio, call-to-action and
boilerplate hits.  Then, in order:

1. Units with a positive junk signal go wherever they are: boilerplate
   (comment forms, copyright, cookies, view counters, "Posted in", credits,
   "The post ... appeared first on"), call-to-action lines (short lines with
   share/join/subscribe/download/... plus a nudge: a social/app channel word,
   "now"/"here"/"our", or the verb first), the title, a paragraph repeated
   word for word, a headline repeated at the very top, and lines recurring in
   the source's other articles (``source_lines``).
2. Leading units before the first prose unit are trimmed while they look like
   furniture (labels of at most five words, digit/symbol lines such as dates,
   counters and ``| v9.4 |``, Title-Case headlines).  At the end, a non-prose
   run that is mostly undated Title-Case lines is a related-stories list and
   goes whole; otherwise furniture is trimmed from the end up to the first
   other line, so a list that ends the article (tour dates, a recipe) stays.
   A trailing first-person paragraph that talks about writing (writer, editor,
   articles, passion...) in an otherwise third-person article is a writer's
   bio and goes too.
3. Inside the body, a short undated Title-Case line without final punctuation
   that is followed by prose is a subheading and is dropped (it carries little
   for comparison); other short lines (list items, table rows) stay.

Only whole units are ever removed (plus a trailing "Read more" marker), so
cleaning never makes a text longer.  ``classify_lines`` shows the reason for
every line (for ``digest explain``).

Measured (``benchmarks/extraction.py``): on the scrapinghub benchmark cleaning
raises precision and keeps F1 (0.964 -> 0.965); on the five seed articles every
body paragraph stays and every junk line goes.

Special cases
-------------
* When no unit looks like prose (a list, a one-line summary), positional
  trimming is skipped: only units with explicit junk signals go.
* ``source_lines`` is ignored for prose if it would remove most of the prose
  (two versions of one article from one source share all their lines).
* ``truncated`` is judged on the text before cleaning, because the cut-off
  marker ("Read more", "[…]") is itself removed as junk; a text under
  ``SHORT_WORDS`` words after cleaning also counts as truncated.
* Words are counted two CJK characters to a word (no spaces in those scripts);
  CJK sentence punctuation ends sentences.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Texts with fewer words than this (after cleaning) count as truncated summaries.
SHORT_WORDS = 50

_STOPWORD_TEXT = """
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few
for from further had has have having he her here hers herself him himself his how i if
in into is it its itself just me more most my myself no nor not now of off on once only
or other our ours ourselves out over own same she should so some such than that the
their theirs them themselves then there these they this those through to too under until
up very was we were what when where which while who whom why will with would you your
yours yourself yourselves said says one two new may might must shall us
"""
#: A small English stopword list (function words plus newsy fillers like "said").
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_FIRST_PERSON = frozenset(["i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"])

# Generic call-to-action vocabulary: verbs that ask the reader to do something,
# and the channels they are asked to do it on.
_CTA_VERBS = re.compile(
    r"\b(join(?:ed|ing)?|subscrib\w*|follow(?:ing)?|share|sharing|download\w*|click\w*|tap|"
    r"sign(?:ing)? ?up|register|log ?in|login|reply|comment(?:s|ing)?|like us|watch|listen|"
    r"install|donate|support us|bookmark|read more|continue reading|view all|see all|"
    r"load more|contact us|advertise\w*|print|email us|tweet|pin it|get the app)\b",
    re.I,
)
_CTA_CHANNELS = re.compile(
    r"\b(whatsapp|telegram|facebook|twitter|instagram|youtube|linkedin|pinterest|tiktok|"
    r"reddit|snapchat|threads|mastodon|rss|newsletter|podcast|app|google news|"
    r"notifications?|group|channel|page|link)\b",
    re.I,
)
_NUDGE = re.compile(r"\b(now|here|below|today|this|us|our)\b", re.I)
#: What writers' bios talk about.
_BIO_WORDS = re.compile(
    r"\b(writ(?:e|er|ers|es|ing|ten)|author|journalist|editor|reporter|blogger|contributor|"
    r"columnist|storytell\w*|articles?|passion(?:ate)?|career|graduat\w*|degree|covers|covering)\b",
    re.I,
)
_BOILERPLATE = re.compile(
    r"(email address will not be published|required fields are marked|all rights reserved|"
    r"^\s*(©|\(c\)|copyright\b)|\bcookies?\b.*\b(accept|consent|policy|use)\b|"
    r"\bprivacy policy\b|\bterms of (use|service)\b|^the post .{1,300} appeared first on|"
    r"^(posted|filed) (in|under)\b|^tags?\s*:|^categor(y|ies)\s*:|^related (posts|articles|"
    r"stories|news|content)\b|^(you|we) (may|might) also like|^(more|also) (from|on|in) |"
    r"^(advertisement|sponsored|ad)$|^(source|image|photo|picture|credit|image source|"
    r"photo credit|featured image)s?\s*(:|-|by\b)|^(save my name|notify me of)\b|"
    r"^(previous|next) (post|article|story)\b|^skip to (main )?content|^this (article|story) "
    r"(was|has been) (originally )?(published|updated)|^(last )?updated\s*:|^published\s*:|"
    r"^by [A-Z][\w.'-]+( [A-Z][\w.'-]+){0,3}$|\bviews?\s*:?\s*\d|^\d+\s*(views|comments|shares)\b)",
    re.I,
)
_READ_MORE = re.compile(
    r"(\.{3}|…|\[\s*(…|\.{3})\s*\]|\(\s*(…|\.{3})\s*\)|\b(read|see) more|\bcontinue reading|"
    r"\bread (the )?(full|rest|whole)( of the)? (story|article|post)|\bfull story|"
    r"\bkeep reading|\bmore\s*[»›>]+)\W*$",
    re.I,
)
_TAIL_MARKER = re.compile(r"\s*[\[(]?\s*((read|see) more|continue reading|keep reading)\W*$", re.I)
_WORD = re.compile(r"[^\W\d_](?:[\w'’.-]*\w)?|\d[\d.,:/]*")
_ALPHA = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_SYMBOL_CHARS = frozenset("|#@*_\\~^")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_ENDS = ".!?…。！？"
_CLOSERS = "\"'”’)]»*」』）"


@dataclass(frozen=True, slots=True)
class CleanResult:
    """The clean body and what was taken out."""

    text: str
    junk: list[str] = field(default_factory=list)
    #: The text looks like a cut-short feed summary, not the full article.
    truncated: bool = False
    paragraphs: int = 0
    words: int = 0


def line_key(line: str) -> str:
    """Normalized form of a line for equality across articles.

    Case, accents width, punctuation and spacing are ignored and digit runs
    become ``#`` (so "Views: 1021" and "Views: 87" are the same template line).
    """
    line = unicodedata.normalize("NFKC", line).casefold()
    line = re.sub(r"\d+", "#", line)
    return " ".join(re.sub(r"[^\w#]+", " ", line).split())


def recurring_lines(texts: Iterable[str], min_count: int = 2) -> Counter[str]:
    """Keys (``line_key``) of lines present in at least ``min_count`` of ``texts``.

    Pass the texts of one source's *different* articles; each text counts a
    line once however often it repeats it.
    """
    seen: Counter[str] = Counter()
    for text in texts:
        seen.update({k for k in (line_key(ln) for ln in text.splitlines()) if k})
    return Counter({k: n for k, n in seen.items() if n >= min_count})


@dataclass(slots=True)
class _Unit:
    text: str
    words: int = 0
    sentence: bool = False
    stop_ratio: float = 0.0
    title_ratio: float = 0.0
    first_person: float = 0.0
    digits: float = 0.0
    symbols: float = 0.0
    key: str = ""
    prose: bool = False
    headline: bool = False
    reason: str | None = None


def _is_symbol(c: str) -> bool:
    return unicodedata.category(c)[0] == "S"


def _count_words(tokens: list[str]) -> int:
    """Words, counting two CJK characters as one word (those scripts use no spaces)."""
    n = 0
    for t in tokens:
        cjk = len(_CJK.findall(t))
        n += max(1, cjk // 2) if cjk else 1
    return n


def _table_row(text: str) -> bool:
    return text.count("|") >= 4 and text.startswith("|")


def _features(text: str) -> _Unit:
    u = _Unit(text=text, key=line_key(text))
    tokens = _WORD.findall(text)
    u.words = _count_words(tokens)
    words = [t for t in tokens if _ALPHA.match(t)]
    lower = [w.lower().replace("’", "'") for w in words]
    content = [w for w, lw in zip(words, lower, strict=True) if lw not in STOPWORDS]
    n = max(1, len(words))
    u.stop_ratio = sum(1 for lw in lower if lw in STOPWORDS) / n
    u.first_person = sum(1 for lw in lower if lw in _FIRST_PERSON) / n
    u.title_ratio = sum(1 for w in content if w[0].isupper()) / len(content) if content else 0.0
    chars = max(1, len(text.replace(" ", "")))
    u.digits = len(_DIGIT.findall(text)) / chars
    u.symbols = sum(1 for c in text if c in _SYMBOL_CHARS or _is_symbol(c)) / chars
    stripped = text.rstrip().rstrip(_CLOSERS).rstrip()
    u.sentence = bool(stripped) and stripped[-1] in _ENDS and not text.rstrip().endswith("*")
    u.headline = u.words <= 16 and u.title_ratio >= 0.75 and len(content) >= 2
    u.prose = (
        (u.sentence and u.words >= 4 and not (u.headline and u.words <= 8))
        or (u.words >= 25 and u.stop_ratio >= 0.25)
    ) and u.symbols < 0.1
    return u


def _cta(u: _Unit) -> bool:
    verbs = _CTA_VERBS.findall(u.text)
    if not verbs:
        return False
    hits = len(verbs) + len(_CTA_CHANNELS.findall(u.text))
    first = u.text.split(maxsplit=1)[0].lower() if u.text.split() else ""
    imperative = bool(_CTA_VERBS.match(first)) or "!" in u.text
    if u.words <= 8:
        # "Share this", "Join our Telegram group", "Subscribe now!" but not "Apple Watch".
        nudge = hits > len(verbs) or bool(_NUDGE.search(u.text))
        return (imperative or nudge) and (not u.sentence or imperative)
    return u.words <= 30 and hits >= 3 and (not u.sentence or imperative)


def _counter_like(u: _Unit) -> bool:
    """Counters, version strings, pipes and plus signs: "Views: 1021 2", "| v9.4 |"."""
    alpha_words = len([t for t in _WORD.findall(u.text) if _ALPHA.match(t)])
    if (u.sentence and u.words >= 6) or _table_row(u.text):
        return False
    return u.symbols >= 0.08 or (u.digits >= 0.3 and alpha_words <= 3)


def _unfinished(line: str) -> bool:
    end = line.rstrip(_CLOSERS)
    return bool(end) and end[-1] not in _ENDS + ":"


def _units(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        prev_in_block = False
        for raw in block.split("\n"):
            line = " ".join(raw.split())
            if not line:
                continue
            # A line starting in lower case continues the one before (hard-wrapped
            # text): always inside a block, across blocks when that line is unfinished.
            if out and line[0].islower() and (prev_in_block or _unfinished(out[-1])):
                out[-1] = f"{out[-1]} {line}"
            else:
                out.append(line)
            prev_in_block = True
    return out


def _similar_to_title(u: _Unit, title_key: str) -> bool:
    if not title_key or not u.key:
        return False
    if u.key == title_key:
        return True
    a, b = set(u.key.split()), set(title_key.split())
    return len(a) <= 1.5 * len(b) and len(a & b) / len(a | b) >= 0.8


def _is_truncated(units: list[str], words: int) -> bool:
    if words < SHORT_WORDS:
        return True
    tail = units[-1] if units else ""
    return bool(_READ_MORE.search(tail))


def classify_lines(
    text: str, *, title: str | None = None, source_lines: Counter[str] | None = None
) -> list[tuple[str, str | None]]:
    """Each unit (line) of ``text`` with the reason it is junk, or ``None`` if it is kept."""
    return [(u.text, u.reason) for u in _classify(text, title, source_lines)]


def _classify(text: str, title: str | None, source_lines: Counter[str] | None) -> list[_Unit]:
    units = [_features(t) for t in _units(text or "")]
    title_key = line_key(title) if title else ""

    # 1. Explicit junk signals, anywhere.
    seen: set[str] = set()
    for i, u in enumerate(units):
        if not u.key:
            u.reason = "empty"
        elif _BOILERPLATE.search(u.text) and u.words <= 40:
            u.reason = "boilerplate"
        elif _cta(u):
            u.reason = "call to action"
        elif _similar_to_title(u, title_key):
            u.reason = "title"
        elif i and units[i - 1].reason == "repeated headline" and units[i - 1].key == u.key:
            u.reason = "repeated headline"
        elif u.key in seen and u.prose and u.words >= 8 and u.stop_ratio >= 0.2:
            u.reason = "repeated"
        elif (
            i + 1 < len(units)
            and units[i + 1].key == u.key
            and not any(v.prose and v.reason is None for v in units[:i])
        ):
            u.reason = "repeated headline"
        seen.add(u.key)
    if source_lines:
        recurring = [u for u in units if u.reason is None and source_lines.get(u.key, 0) > 0]
        prose_words = sum(u.words for u in units if u.reason is None and u.prose)
        recurring_prose = sum(u.words for u in recurring if u.prose)
        for u in recurring:
            if not u.prose or recurring_prose * 2 < prose_words:
                u.reason = "recurs in source"

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
            if u.headline and not u.sentence and u.words <= 12 and not u.digits and nxt.prose:
                u.reason = "subheading"
    return units


def clean_text(
    text: str, *, title: str | None = None, source_lines: Counter[str] | None = None
) -> CleanResult:
    """Remove site junk from ``text``; see the module docstring for the rules."""
    units = _classify(text, title, source_lines)
    kept = [u.text for u in units if u.reason is None]
    if kept:
        # "... [Read more]" glued to the last paragraph: drop the marker, keep the prose.
        kept[-1] = _TAIL_MARKER.sub("", kept[-1]) or kept[-1]
    clean = "\n\n".join(kept)
    words = _count_words(_WORD.findall(clean))
    return CleanResult(
        text=clean,
        junk=[u.text for u in units if u.reason is not None],
        truncated=_is_truncated([u.text for u in units], words),
        paragraphs=len(kept),
        words=words,
    )


def _label(u: _Unit) -> bool:
    """A short label: "Live Stream", "Leave a Reply", "Spread the love", "Share"."""
    return u.words <= 5 and not u.sentence and u.digits == 0


def _furniture(u: _Unit) -> bool:
    """Labels, counters and symbol lines: what sits around a body, not in it."""
    return _label(u) or _counter_like(u)


def _trim_tail(live: list[_Unit]) -> None:
    """Trim the non-prose run after the last prose paragraph (and a writer bio).

    A run that is mostly headline-like lines is a related-stories list and goes
    whole; otherwise only labels go, from the end, up to the first other line
    (a list that ends the article stays).
    """
    run: list[_Unit] = []
    for u in reversed(live):
        if u.prose and not u.headline and not _bio(u, live):
            break
        run.append(u)
    lines = [u for u in run if u.words >= 4 and not (u.prose and not u.headline)]
    # Dated or numbered lines (tour dates, rankings, product lists) are content.
    # Unpunctuated lines count as headlines too: sentence-case headline lists
    # ("Related: Ferry firm adds winter timetable") are as common as Title Case.
    headlines = sum(1 for u in lines if (u.headline or not u.sentence) and u.digits == 0)
    if len(lines) >= 3 and headlines * 4 >= len(lines) * 3:
        for u in run:
            u.reason = "writer bio" if u.prose and not u.headline else "after body"
        return
    for u in run:
        if u.prose and not u.headline:
            u.reason = "writer bio"
        elif _furniture(u) or (u.headline and u.digits == 0):
            u.reason = "after body"
        else:
            break


def _bio(u: _Unit, live: list[_Unit]) -> bool:
    """A first-person paragraph in an article whose other prose is (nearly) third-person."""
    if u.first_person < 0.04 or len(_BIO_WORDS.findall(u.text)) < 2:
        return False
    rest = [v for v in live if v.prose and v is not u and v.reason is None]
    total = sum(v.words for v in rest)
    if total < 50:
        return False
    body = sum(v.first_person * v.words for v in rest) / total
    return body * 4 < u.first_person
