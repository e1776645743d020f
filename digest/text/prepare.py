"""Prepare: a raw, hostile :class:`Entry` becomes a clean :class:`Article`.

How it works
------------
1. Pick the fullest body the entry offers: a whole page goes through article
   extraction (trafilatura); feed ``content`` or ``summary`` HTML is reduced
   to text; plain text is taken as it is.  When a feed offers both content and
   summary, the content is used and the summary only if the content is empty.
2. Remove site junk with ``digest.text.clean`` (paragraph signals plus lines that
   recur across the same source's articles, learned as articles arrive).
3. Decide whether the text is a truncated summary (cut short with an
   ellipsis / "Read more", or a feed summary with no full content).
4. Give the article its stable identity (``digest.text.identity``) and a date: the
   published date if plausible, else the fetch time.

Special cases
-------------
* An entry with no title gets the first sentence of its text as title, or its opening cut at
  a word (:func:`title_of_text`); so does one whose title is only characters nobody sees (a
  U+202E, a U+200F: ``text.shown.shows_something``), an empty heading and link in every output.
* An entry with neither title nor text is dropped (``None``).
* A text longer than ``params.MAX_TEXT_CHARS`` (200,000 characters, four times the longest
  article seen) is cut at a paragraph break before cleaning (:func:`capped`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ..records import Article, Entry
from . import params as p
from .clean import classify_lines, clean_text
from .extract import MAX_INPUT_CHARS, extract_many, html_to_text
from .fragments import cells_spaced
from .furniture import ends_cut
from .identity import article_key, is_http, without_tracking
from .lines import line_key
from .shown import shorten, shows_something

_PAGE = re.compile(r"<\s*(html|body|head|!doctype)\b", re.I)
#: C0 control characters (but tab and newline) and DEL: never meaningful in news.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FIRST_SENTENCE = re.compile(r"^(.{20,200}?[.!?])(\s|$)", re.S)
#: A heading made from a text (:func:`title_of_text`): at most this many characters, ...
TITLE_FROM_TEXT_CHARS = 120
#: ... and a first sentence of more words than this is cut, after ``TITLE_FROM_CUT_WORDS``.
TITLE_FROM_TEXT_WORDS = 25
TITLE_FROM_CUT_WORDS = 20
#: A feed summary shorter than this many words (with no full content) is
#: treated as a summary of a longer article.
SUMMARY_WORDS = 80


class RecurringLines:
    """Per-source memory of lines seen in several articles (site furniture)."""

    def __init__(self, min_count: int = 2, max_lines: int = 5000) -> None:
        self.min_count = min_count
        self.max_lines = max_lines
        self._seen: dict[str, Counter[str]] = defaultdict(Counter)

    def lines_for(self, source: str) -> Counter[str]:
        c = self._seen.get(source)
        if not c:
            return Counter()
        return Counter({k: n for k, n in c.items() if n >= self.min_count})

    def learn(self, source: str, text: str) -> None:
        c = self._seen[source]
        for key in {line_key(line) for line in text.splitlines() if line.strip()}:
            if key:
                c[key] += 1
        if len(c) > self.max_lines:
            for key, _ in c.most_common()[self.max_lines // 2 :]:
                del c[key]


@dataclass(frozen=True, slots=True)
class Body:
    """An entry's text before junk removal."""

    text: str
    page_title: str | None
    summary_only: bool


def body_of(entry: Entry) -> Body:
    """The fullest text an entry offers (extraction, no junk removal yet)."""
    text, title, summary_only = _body(entry)
    return Body(text, title, summary_only)


def _is_page(entry: Entry) -> bool:
    """Whether the entry's content is a whole web page (article extraction, the costly step)."""
    html = entry.content_html or ""
    return bool(html.strip()) and (entry.is_page or bool(_PAGE.search(html[:2000])))


def bodies_of(entries: Sequence[Entry], *, workers: int | None = None) -> list[Body]:
    """:func:`body_of` of each entry, in order; whole pages extracted across cores.

    The pages go through :func:`digest.text.extract.extract_many` (a process pool of
    ``workers`` processes, default all cores; small batches stay in-process),
    which gives what ``html_to_text(page=True)`` gives: the bodies are the same
    as :func:`body_of`'s.
    """
    pages = [i for i, e in enumerate(entries) if _is_page(e)]
    done: dict[int, tuple[str, str | None]] = {}
    if len(pages) > 1:
        found = extract_many([(entries[i].content_html or "", entries[i].url) for i in pages], workers=workers)
        done = dict(zip(pages, found, strict=True))
    return [Body(*_body(e, done.get(i))) for i, e in enumerate(entries)]


def _body(entry: Entry, extracted: tuple[str, str | None] | None = None) -> tuple[str, str | None, bool]:
    """Return (raw text, title found in the page, is_summary_only), the text :func:`capped`.

    ``extracted``: the page's ``html_to_text(page=True)``, when already done.
    """
    text, title, summary_only = _fullest(entry, extracted)
    return capped(text), title, summary_only


def capped(text: str) -> str:
    """``text`` cut to at most ``MAX_TEXT_CHARS`` characters, at the last paragraph break
    before the cap, else the last line break, else the last space (else at the cap).

    Cleaning time grows with the text, and feeds, folders and replay files are hostile: a
    ``text`` field of 10 MB took 46 s to clean.  Article extraction caps its HTML input
    (``extract.MAX_INPUT_CHARS``) but a page's text, a plain-text entry or a ``.txt`` file had
    no cap.
    """
    limit = p.MAX_TEXT_CHARS
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    for brk in ("\n\n", "\n", " "):
        cut = head.rfind(brk)
        if cut > limit // 2:
            return head[:cut].rstrip()
    return text[:limit]


def _fullest(entry: Entry, extracted: tuple[str, str | None] | None) -> tuple[str, str | None, bool]:
    if entry.content_html and entry.content_html.strip():
        page = entry.is_page or bool(_PAGE.search(entry.content_html[:2000]))
        if page and extracted is not None:
            text, title = extracted
        else:
            text, title = html_to_text(entry.content_html, url=entry.url, page=page)
        if text.strip():
            return text, title, False
    if entry.text and entry.text.strip():
        return entry.text, None, False
    if entry.summary_html and entry.summary_html.strip():
        text, title = html_to_text(entry.summary_html, url=entry.url, page=False)
        return text, title, True
    return "", None, False


def _headline_like(line: str) -> bool:
    words = len(line.split())
    letters = sum(c.isalpha() for c in line)
    return (p.HEADLINE_LIKE_MIN_WORDS <= words <= p.HEADLINE_LIKE_MAX_WORDS
            and letters / max(1, len(line)) > p.HEADLINE_LIKE_LETTERS)


def title_from_text(first_line: str, text: str) -> str | None:
    """The headline of a plain-text article whose first line may be site junk.

    Plain-text articles start with whatever the page had above the body
    ("Live Stream", "Share this", dates, section names).  Of the lines before
    the body, the first that reads like a headline is the title; ``None`` when
    there is none (the caller then uses the first sentence).  A line cut short
    ("... fought the blaze for five [...]", "...", "Read more") is a sentence of
    a truncated summary, never a headline: taken for one, the summary's only
    paragraph became the title and, as the title, was removed from the text.
    """
    for line, reason in classify_lines(f"{first_line}\n\n{text}"):
        if reason == "call to action":
            continue
        ended = line.rstrip().endswith(".") or ends_cut(line)
        if _headline_like(line) and (reason is not None or not ended):
            return line.strip().strip("“”\"'")
        if reason is None:
            return None
    return None


def title_of_text(text: str) -> str:
    """The heading of an entry that has none (a Mastodon post, a podcast episode's summary):
    its first sentence when that is 20-200 characters and at most ``TITLE_FROM_TEXT_WORDS``
    words, else its opening cut at a word: after ``TITLE_FROM_CUT_WORDS`` words when it has more
    than ``TITLE_FROM_TEXT_WORDS``, and within ``TITLE_FROM_TEXT_CHARS`` characters, ending with
    " …".  Paragraphs are read as one run of text.

    The opening was cut at its 120th character, inside a word and with no mark: a post of one
    long sentence was headed "... a small book fair in the park ne".
    """
    text = " ".join(text.split())
    m = _FIRST_SENTENCE.match(text)
    if m and len(m.group(1).split()) <= TITLE_FROM_TEXT_WORDS:
        return m.group(1).strip()
    words = text.split()
    cut = len(words) > TITLE_FROM_TEXT_WORDS
    if cut:
        text = " ".join(words[:TITLE_FROM_CUT_WORDS])
    if len(text) > TITLE_FROM_TEXT_CHARS:
        text, cut = shorten(text, TITLE_FROM_TEXT_CHARS - 1).removesuffix("…"), True  # at a word
    return f"{text} …" if cut else text


def _keys_before_rows(entry: Entry, body: Body, title: str, source_lines: Counter[str] | None) -> set[str]:
    """The keys an entry keyed by its text had before stop 56, when its feed's HTML holds a
    table: the tag strip spaced a row's cells then, it writes ``| a | b |`` now
    (``fragments.cells_spaced``), and another text is another key.  Read again as new at the
    first poll after the upgrade, the entry was stored twice and could be shown again.  Its
    text then, cleaned of its own junk (its key since stop 32) and of the batch's recurring
    lines (before), headed as it was (``title``: its own, else its text's opening).  Empty
    for a whole page (read by trafilatura, not the strip) or a fragment without a cell."""
    content = entry.content_html or ""
    if body.summary_only:
        html = entry.summary_html or ""
    elif content.strip() and not _is_page(entry):
        html = content
    else:
        return set()
    spaced = cells_spaced(html[:MAX_INPUT_CHARS])
    raw = capped(spaced) if spaced is not None else ""
    if not raw.strip() or raw == body.text:
        return set()
    texts = {clean_text(raw, title=title or None).text}
    if source_lines:
        texts.add(clean_text(raw, title=title or None, source_lines=source_lines).text)
    keys = set()
    for t in texts:
        t = _CONTROL.sub("", t).strip()
        heading = title if shows_something(title) else title_of_text(t)
        keys.add(article_key(entry.source, None, None, heading, t))
    return keys


def _plausible(dt: datetime | None, fetched: datetime) -> datetime | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if dt.year < 1995 or (dt - fetched).total_seconds() > 2 * 86400:
        return None
    return dt


def prepare(
    entry: Entry,
    *,
    priority: float = 0.0,
    fetched: datetime | None = None,
    recurring: RecurringLines | None = None,
    source_lines: Counter[str] | None = None,
    body: Body | None = None,
) -> Article | None:
    """Clean one entry; ``None`` when nothing readable is left.

    Lines recurring across the source's articles come from ``source_lines``
    (computed by the caller over a batch) or from ``recurring`` (learned as
    articles arrive, one at a time).
    """
    fetched = fetched or datetime.now(UTC)
    body = body or body_of(entry)
    raw, page_title, summary_only = body.text, body.page_title, body.summary_only
    title = (entry.title or "").strip() or (page_title or "")
    if entry.text and not entry.content_html and title and not entry.title_stated and not _headline_like(title):
        # A plain-text article whose first line is not a headline: a paragraph
        # (the article has no headline) or site junk ("Share this").
        plain = capped(entry.text)
        if len(title.split()) > p.HEADLINE_LIKE_MAX_WORDS:  # a paragraph, not a headline
            raw = f"{title}\n\n{raw}"
            title = title_from_text(title, plain) or ""
        else:
            first = classify_lines(f"{title}\n\n{plain}")[:1]
            cta = bool(first) and first[0][1] == "call to action"
            title = title_from_text(title, plain) or ("" if cta else title)
    if source_lines is None and recurring is not None:
        source_lines = recurring.lines_for(entry.source)
    result = clean_text(raw, title=title or None, source_lines=source_lines)
    if recurring is not None and raw:
        recurring.learn(entry.source, raw)
    text = _CONTROL.sub("", result.text).strip()
    title = _CONTROL.sub("", title)
    own_title = title  # before one is made of the text (the key before stop 56 is made of that text)
    if not shows_something(title):  # "" or a U+202E, a U+200F alone: a heading nobody sees
        title = title_of_text(text)
    if not title and not text:
        return None
    truncated = result.truncated or (summary_only and result.words < SUMMARY_WORDS)
    own = text
    # keyed by its text before stop 33 too (an episode with only its file had no link)
    by_text_before = entry.former is not None and not entry.former[0] and not is_http(entry.former[1])
    by_text = not entry.entry_id and not is_http(entry.url)
    if source_lines and (by_text or by_text_before):
        # keyed by its text: the text cleaned of its own junk only, not of the lines recurring
        # in this batch (another poll's batch is another: the same entry got another key)
        own = _CONTROL.sub("", clean_text(raw, title=title or None).text).strip()
    key = article_key(entry.source, entry.entry_id, entry.url, title, own)
    # its keys before stop 32 (the text less the batch's recurring lines) and stop 33
    aliases = {article_key(entry.source, None, None, title, t) for t in {own, text}} if by_text or by_text_before else set()
    if by_text or by_text_before:
        aliases |= _keys_before_rows(entry, body, own_title, source_lines)
    aliases.discard(key)
    stated = _plausible(entry.published, fetched)
    published = stated or fetched
    return Article(
        key=key,
        source=entry.source,
        title=title,
        text=text,
        url=without_tracking(entry.url) if entry.url else entry.url,
        published=published,
        fetched=fetched,
        author=entry.author,
        truncated=truncated,
        priority=priority,
        junk=list(result.junk),
        date_from_file=entry.date_from_file and entry.published is not None,
        published_day=entry.published_day and stated is not None,
        links=entry.links,
        undated=stated is None and not entry.date_from_file,  # a file's time not believed (1970): not a feed's silence
        # its date was stated, not believed as ahead of the clock (a year before 1995 is a CMS's 0)
        date_ahead=stated is None and not entry.date_from_file and (
            entry.date_ahead or (entry.published is not None and entry.published.year >= 1995)),
        guid=entry.entry_id,
        aliases=tuple(sorted(aliases)),
        lang=entry.lang,
        outlet=entry.outlet,
    )
