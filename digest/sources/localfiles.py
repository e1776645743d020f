"""Local sources: feed files, ``.txt``/``.md``/``.html`` articles, whole folders.

Observations
------------
People point digest at a folder of saved feeds and notes: mixed kinds,
hidden editor files, the odd binary, text in legacy encodings.  One bad file
must not stop the others.

How it works
------------
* A folder is walked recursively (``os.walk``, symlinked folders not
  followed) in sorted order, ``MAX_DEPTH`` (64) folders deep (a folder's folders below that
  are one error line); of more than ``MAX_FILES`` (20,000, a feed's ``MAX_ENTRIES``) files,
  the newest by modification time are read, with one warning; hidden files and folders and anything that is
  not a regular file are skipped, and so are files of kinds digest does not
  read.  A symlinked file is read only when it resolves inside the folder:
  one leading out (to the user's own files, from a folder others write to)
  is one error line naming it, never an article.
* Feed files (``.xml .rss .atom .rdf .json .feed``) go through
  :func:`digest.sources.feeds.parse_feed`.
* ``.txt`` and ``.md``: their title and plain body are read by
  ``digest.sources.textarticles`` (a first line or heading; Markdown rendered to text).
* ``.md`` and ``.txt`` may start with front matter (``digest.sources.frontmatter``:
  YAML between ``---`` lines, TOML between ``+++``): its title, date and
  author are the article's, and the block is not part of its text.
* ``.html``: the whole page is carried (``is_page``) to the extraction step;
  its title and date are what it states of itself (``digest.sources.pagemeta``):
  the title is the page's ``og:title`` (or ``twitter:title``), else its
  ``<title>`` without a `` | Site`` suffix (``extract.clean_title``), else its
  first ``<h1>``.  Its date is the publication time the page states to the
  minute (``article:published_time`` and the like, JSON-LD
  ``datePublished``, ``<time itemprop=datePublished>``), else the day
  htmldate finds: htmldate keeps only the day, and a page published at 14:40
  read "00:00" in the digest.
* A single file of another kind (a source's own ``path:``) is sniffed: a feed, an HTML
  page, else text (``notes.rst``, ``NOTES``); one that is no text (``doc.pdf``) is one
  error naming the file and what it is.
* The file's modification time stands in for a missing date; the URL of a
  text/HTML article is the file's ``file://`` URI (feed entries keep their
  own links).
* A text/HTML article's entry id is ``file:`` and its place in the folder
  (``file:sub/x.md``; a single file: its name).  Until stop 39 it had none and was
  keyed by its text: a file edited in place (a typo fixed) was a new article, its
  outlet listed twice, and every run cleaned every file again to learn its key (a
  second run over 5,000 files: 14.9 s).  Now an edit is the entry updated
  (``digest.revisions``), a file read before is known before cleaning (3.5 s), and a
  file renamed or copied is a page its channel listed already (``output.view._repeats``):
  nothing shown.  ``Entry.former`` keeps the text key, so a store written before
  knows its files: each is cleaned once, at the first run, to learn it, and its article
  moved to the file's key (``digest.articles.rekeyed``; 2,000 files: 13.5 s a run before,
  3.2 s from the second run on); one edited since is found by its URI
  (``digest.revisions.edited_before``).
* Titles and authors are cut to 300 / 200 characters at a word boundary
  (``text.shown.shorten``).

Special cases
-------------
* :func:`read_path` yields entries and one :class:`ParseError` per bad file
  (naming the file), never raises.
* A ``.txt``, ``.md`` or ``.html`` file that is no text (:func:`not_text`: a format's
  signature such as ``%PDF-``, NUL bytes, or ``BINARY_CONTROLS`` of control characters)
  is one error line and no article: random bytes named ``.txt`` were a story titled in
  mojibake.
* Files over ``MAX_BYTES`` are refused.  Text is decoded by BOM (UTF-8,
  UTF-16), else by a declared ``charset`` (HTML meta / XML prolog), else
  UTF-8, else cp1252, else latin-1: it never fails.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ..errors import ParseError
from ..records import AUTHOR_CHARS, TITLE_CHARS, Entries, Entry
from ..text.shown import shorten
from .feeds import MAX_ENTRIES, parse_feed, plain
from .fields import language_tag
from .frontmatter import read_front_matter
from .opml import is_opml
from .pagemeta import HEAD_CHARS, believed, html_lang, html_title, metas, page_date_stated
from .textarticles import markdown_article, markdown_links, text_article, under_title

MAX_BYTES = 15 * 1024 * 1024
#: Folders below a folder source that are walked: deeper ones are one error line, not read.
#: ``os.walk`` (Python 3.11) descends by recursion: a tree 1,100 deep was "internal error:
#: RecursionError" for the whole source, its top-level files unread (stop 42).
MAX_DEPTH = 64
#: Files one folder source reads, as many as a feed's entries (``feeds.MAX_ENTRIES``): the newest
#: by modification time.  Each file is an article to clean and compare: 3,000 small ``.txt``
#: took a first run 17 s, so a folder of 200,000 was ~20 minutes, and every run after read them
#: all again (stop 42).
MAX_FILES = MAX_ENTRIES

log = logging.getLogger(__name__)
FEED_EXT = {".xml", ".rss", ".atom", ".rdf", ".json", ".feed"}
TEXT_EXT = {".txt", ".text"}
MD_EXT = {".md", ".markdown"}
HTML_EXT = {".html", ".htm", ".xhtml"}
KNOWN = FEED_EXT | TEXT_EXT | MD_EXT | HTML_EXT

_FEED_SNIFF = re.compile(
    rb"<(?:[\w-]+:)?(?:rss|feed|RDF)\b|\"version\"\s*:\s*\"https?://jsonfeed", re.I
)
_HTML_SNIFF = re.compile(rb"<!doctype\s+html|<html\b|<head\b|<body\b", re.I)
_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)
#: What the first bytes of common files that are no article say they are.
_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a document made of one: .docx, .odt, .epub)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"%!PS", "a PostScript document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
)
#: C0 control characters but tab, newlines and form feed, and U+FFFD (bytes that did not decode).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
#: Characters of a file's start judged for binary data.
_SAMPLE = 65_536
#: Text with at least this share of control characters is binary data: random bytes have 11%;
#: of the 5,672 files of ../shared, examples/ and tests/fixtures none has more than 0.6%.
BINARY_CONTROLS = 0.05


def decode(data: bytes, *, declared: bool = True) -> str:
    """Bytes to text without failing.

    BOM first (UTF-8, UTF-16), then a ``charset=``/``encoding=`` declared in
    the first 2 kB (if ``declared``), then UTF-8, cp1252 and latin-1.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    candidates = ["utf-8", "cp1252"]
    if declared:
        m = _CHARSET.search(data[:2048])
        if m:
            name = m.group(1).decode("ascii")
            try:
                if codecs.lookup(name).name not in ("utf-16", "utf-32"):
                    candidates.insert(0, name)
            except LookupError:
                pass
    for codec in candidates:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def _hidden(name: str) -> bool:
    return name.startswith(".")


def iter_files(path: Path, source: str | None = None) -> Iterator[Path | ParseError]:
    """Readable files under a folder, sorted; hidden and unknown kinds skipped; of more than
    ``MAX_FILES``, the newest by modification time (one warning names the source)."""
    found = list(_walk(path))
    paths = [(i, f) for i, (f, _) in enumerate(found) if isinstance(f, Path)]
    if len(paths) <= MAX_FILES:
        yield from (f for f, _ in found)
        return
    newest = sorted(paths, key=lambda p: (-found[p[0]][1], p[0]))[:MAX_FILES]
    keep = {i for i, _ in newest}
    log.warning("%s: the folder holds %s files; only the %s newest (by modification time) are read",
                source or path, f"{len(paths):,}", f"{MAX_FILES:,}")
    yield from (f for i, (f, _) in enumerate(found) if not isinstance(f, Path) or i in keep)


def _walk(path: Path) -> Iterator[tuple[Path | ParseError, float]]:
    """:func:`iter_files`'s files (each with its modification time) and errors, in order."""

    def walk_error(exc: OSError) -> None:
        errors.append(
            ParseError(str(exc.filename or path), f"cannot list: {exc.strerror or exc}", kind="io")
        )

    errors: list[ParseError] = []
    inside = os.path.realpath(path)
    for root, dirs, files in os.walk(path, onerror=walk_error, followlinks=False):
        yield from ((e, 0.0) for e in errors)
        errors.clear()
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        if dirs and len(Path(root).relative_to(path).parts) >= MAX_DEPTH:
            yield ParseError(root, f"folders nested more than {MAX_DEPTH} deep: the "
                             f"{len(dirs)} in it not read", kind="too-large"), 0.0
            dirs[:] = []
        for name in sorted(files):
            p = Path(root, name)
            if _hidden(name) or p.suffix.lower() not in KNOWN:
                continue
            try:
                st = p.stat()
                if not stat.S_ISREG(st.st_mode):
                    continue
            except OSError:
                continue  # dangling symlink
            if p.is_symlink() and os.path.commonpath([inside, os.path.realpath(p)]) != inside:
                yield ParseError(str(p), "a symlink to a file outside the folder: not read", kind="io"), 0.0
                continue
            yield p, st.st_mtime
    yield from ((e, 0.0) for e in errors)


def read_path(
    path: Path, *, source: str, notes: list[ParseError] | None = None, now: datetime | None = None
) -> Iterator[Entry | ParseError]:
    """Entries from a file or folder; each unreadable file yields one ParseError.

    Never raises: a missing path is one ParseError too.  ``now`` is the read's time (the
    run's clock, ``clock:`` when set): a date a file states after it is in the future.  ``notes`` gets, for each feed file
    cut off and each article whose front matter does not read, its note (``Entries.note``) as a
    ParseError naming the file (its entries are read).
    """
    path = Path(path)
    try:
        is_dir = path.is_dir()
        exists = is_dir or path.exists()
    except OSError as exc:
        yield ParseError(str(path), f"cannot read: {exc.strerror or exc}", kind="io")
        return
    if not exists:
        yield ParseError(str(path), "no such file or folder", kind="io")
        return
    items: Iterator[Path | ParseError] = iter_files(path, source) if is_dir else iter([path])
    for f in items:
        if isinstance(f, ParseError):
            yield f
            continue
        try:
            entries = read_file(f, source=source, now=now, name=_name_in(f, path, is_dir))
            if notes is not None and isinstance(entries, Entries) and entries.note:
                notes.append(ParseError(str(f), entries.note))
            yield from entries
        except ParseError as exc:
            yield exc
        except Exception as exc:  # never let one file stop the folder
            yield ParseError(str(f), f"cannot read: {type(exc).__name__}: {exc}", kind="internal")


def _name_in(f: Path, path: Path, is_dir: bool) -> str:
    """A file's name in its source: its place in the folder (``sub/x.md``), or its own name."""
    if is_dir:
        try:
            return f.relative_to(path).as_posix()
        except ValueError:
            pass
    return f.name


def named(err: ParseError, path: Path, name: str) -> ParseError:
    """An error of ``read_path(path)`` named by the source's configured name, never by a path.

    A folder's file is named by its place in the folder (``name: sub/x.xml: problem``).
    """
    try:
        inside = Path(err.source).relative_to(path).as_posix()
    except ValueError:
        inside = "."
    problem = err.problem if inside == "." else f"{inside}: {err.problem}"
    return ParseError(name, problem, kind=err.kind)


def read_capped(f: Path, limit: int) -> bytes:
    """A file's bytes, read up to ``limit`` (raises :class:`ParseError` naming the file when it
    cannot be read or holds more)."""
    try:
        with f.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ParseError(str(f), f"cannot read: {exc.strerror or exc}", kind="io") from None
    if len(data) > limit:
        raise ParseError(str(f), f"file too large (over {limit} bytes)", kind="too-large")
    return data


def read_file(f: Path, *, source: str, now: datetime | None = None, name: str | None = None) -> list[Entry]:
    """Entries from one file (raises :class:`ParseError` naming the file).

    A text, Markdown or HTML article is one entry whose id is ``name``, the file's place in
    its folder (``sub/x.md``; its own name by default): an article edited in place is that
    entry updated (``digest.revisions``), and one read before is known before it is cleaned.
    """
    now = now or datetime.now(UTC)
    try:
        st = f.stat()
    except OSError as exc:
        raise ParseError(str(f), f"cannot read: {exc.strerror or exc}", kind="io") from None
    if not stat.S_ISREG(st.st_mode):
        raise ParseError(str(f), "not a regular file", kind="io")
    if st.st_size > MAX_BYTES:
        raise ParseError(str(f), f"file too large ({st.st_size} bytes, limit {MAX_BYTES})", kind="too-large")
    data = read_capped(f, MAX_BYTES)
    try:
        mtime: datetime | None = datetime.fromtimestamp(st.st_mtime, tz=UTC)
    except (OverflowError, ValueError, OSError):
        mtime = None
    if mtime is not None and mtime > now:
        mtime = now  # a clock-skewed or touched-into-the-future file
    if is_opml(data):  # a list of feeds in a folder, or named .xml
        raise ParseError(str(f), "an OPML list of feeds, not a feed or article: make it a source's "
                         "own 'path:' to read the feeds it names", kind="not-a-feed")
    ext = f.suffix.lower()
    binary = None if ext in FEED_EXT else not_text(data)  # a feed file is feedparser's to judge
    kind = _kind(ext, data, sniff=binary is None)
    if kind == "feed":
        entries = parse_feed(data, source=str(f), fetched=now)
        for e in entries:
            e.source = source
            if e.published is None:
                e.published, e.date_from_file = mtime, True
        return entries
    if binary is not None:  # a .txt, .md or .html that is no text; a single path: doc.pdf
        what = (f"not a {ext} article: skipped" if ext in KNOWN else "not a feed or article: digest reads "
                f"feed files ({' '.join(sorted(FEED_EXT))}) and .txt, .md and .html articles")
        raise ParseError(str(f), f"{binary}, {what}", kind="not-a-feed")
    uri = f.resolve().as_uri()
    entry_id = f"file:{name or f.name}"
    former = (None, uri)  # keyed by its text before stop 39: a store written before knows it so
    if kind == "html":
        page = decode(data)
        head = page[:HEAD_CHARS]
        tags = metas(head)  # read once: the title and the date both come from them
        published, published_day = page_date_stated(page, tags, now)
        return [
            Entry(
                source=source,
                title=html_title(head, tags),
                url=uri,
                entry_id=entry_id,
                former=former,
                content_html=page,
                is_page=True,
                published=published or mtime,
                published_day=published is not None and published_day,
                date_from_file=published is None,
                lang=html_lang(head, tags),
            )
        ]
    front, text, problem = read_front_matter(decode(data, declared=False))
    if front and front.title:
        title = shorten(plain(front.title, is_html=False), TITLE_CHARS)
        body = under_title(text, title, markdown=kind == "md")
    else:
        title, body = markdown_article(text) if kind == "md" else text_article(text)
    stated = believed(front.published if front else None, now)
    if not title and not body:
        raise ParseError(str(f), "empty article", kind="empty")
    out = Entries([
        Entry(
            source=source, title=shorten(title, TITLE_CHARS), url=uri, entry_id=entry_id, former=former, text=body,
            published=stated or mtime, date_from_file=stated is None,
            published_day=stated is not None and bool(front and front.published_day),
            title_stated=bool(front and front.title),
            links=markdown_links(text) if kind == "md" else (),
            author=shorten(front.author, AUTHOR_CHARS) if front and front.author else None,
            lang=language_tag(front.lang) if front else None,
        )
    ])
    out.note = problem  # read all the same; the one line says why its fields were not
    return out


def _kind(ext: str, data: bytes, *, sniff: bool = True) -> str:
    """The kind of a file: its extension's, else (a single ``path:`` of another kind) what its
    content shows (``sniff``: it is text): a feed, an HTML page, or text (``notes.rst``,
    ``NOTES``: named on purpose, read as written)."""
    if ext in FEED_EXT:
        return "feed"
    if ext in HTML_EXT:
        return "html"
    if ext in MD_EXT:
        return "md"
    if ext in TEXT_EXT:
        return "text"
    head = data[:4096] if sniff else b""
    if _FEED_SNIFF.search(head):
        return "feed"
    if _HTML_SNIFF.search(head):
        return "html"
    return "text"


def not_text(data: bytes) -> str | None:
    """What ``data`` is when it is no text ("a PDF document", "binary data (NUL bytes)"), else None.

    Observations: a folder of notes holds the odd binary file named ``.txt``, and a single
    ``path:`` may be a PDF; read as text, either became a story titled with mojibake or
    ``%PDF-1.4``.  Decoding never fails (``decode`` falls back to latin-1), so what tells is
    the format's signature in the first bytes, a NUL (UTF-16 aside, read by its BOM), or
    ``BINARY_CONTROLS`` of control characters in the decoded start.
    """
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            return what
    head = data[:_SAMPLE]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if b"\x00" in head:
        return "binary data (NUL bytes)"
    text = decode(head)
    if text and len(_CONTROLS.findall(text)) >= BINARY_CONTROLS * len(text):
        return "binary data (control characters)"
    return None
