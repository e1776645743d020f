"""Local sources: feed files, ``.txt``/``.md``/``.html`` articles, whole folders.

How it works
------------
* A folder is read recursively in sorted order; hidden files and folders are
  skipped, and so are files of kinds digest does not read.
* Feed files (``.xml .rss .atom .rdf .json .feed``, or any file whose first
  bytes look like a feed) go through :func:`digest.parse.parse_feed`.
* ``.txt``: the first non-empty line is the title, the rest the text.
* ``.md``: the first heading (else the first non-empty line) is the title;
  the body is rendered with Markdown and reduced to text.
* ``.html``: the whole page is carried (``is_page``) to the extraction step,
  which also finds its ``<title>``/``<h1>``.
* The file's modification time stands in for a missing date; the URL is the
  file's ``file://`` URI.

Special cases
-------------
* Every file yields entries or one :class:`ParseError` naming the file, so
  one bad file in a folder never stops the others.
* Files over ``MAX_BYTES`` are refused; undecodable text falls back from
  UTF-8 (with or without BOM) and UTF-16 BOMs to cp1252.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from .errors import ParseError
from .parse import parse_feed
from .records import Entry

MAX_BYTES = 15 * 1024 * 1024
FEED_EXT = {".xml", ".rss", ".atom", ".rdf", ".json", ".feed"}
TEXT_EXT = {".txt", ".text"}
MD_EXT = {".md", ".markdown"}
HTML_EXT = {".html", ".htm", ".xhtml"}
KNOWN = FEED_EXT | TEXT_EXT | MD_EXT | HTML_EXT
_FEED_SNIFF = re.compile(rb"<(rss|feed|rdf:RDF|channel)\b|\"version\"\s*:\s*\"https?://jsonfeed", re.I)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (BOM or not), UTF-16 by BOM, else cp1252/latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def iter_files(path: Path) -> Iterator[Path]:
    """Files under ``path`` (itself if a file), sorted, hidden ones skipped."""
    if path.is_file():
        yield path
        return
    for p in sorted(path.rglob("*")):
        rel = p.relative_to(path)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if p.is_file() and p.suffix.lower() in KNOWN:
            yield p


def read_path(path: Path, *, source: str) -> Iterator[Entry | ParseError]:
    """Entries from a file or folder; each unreadable file yields one ParseError."""
    for f in iter_files(path):
        try:
            yield from read_file(f, source=source)
        except ParseError as exc:
            yield exc
        except Exception as exc:  # never let one file stop the folder
            yield ParseError(str(f), f"cannot read: {type(exc).__name__}: {exc}", kind="internal")


def read_file(f: Path, *, source: str) -> list[Entry]:
    """Entries from one file (raises :class:`ParseError` naming the file)."""
    try:
        size = f.stat().st_size
        if size > MAX_BYTES:
            raise ParseError(str(f), f"file too large ({size} bytes > {MAX_BYTES})", kind="too-large")
        data = f.read_bytes()
        mtime = datetime.fromtimestamp(f.stat().st_mtime, tz=UTC)
    except OSError as exc:
        raise ParseError(str(f), f"cannot read: {exc.strerror or exc}", kind="io") from None
    ext = f.suffix.lower()
    uri = f.resolve().as_uri()
    if ext in FEED_EXT or (ext not in KNOWN and _FEED_SNIFF.search(data[:4096])):
        entries = parse_feed(data, source=str(f), url=uri, fetched=mtime)
        for e in entries:
            e.source = source
            e.published = e.published or mtime
        return entries
    text = decode(data)
    if ext in HTML_EXT:
        return [Entry(source=source, url=uri, content_html=text, is_page=True, published=mtime)]
    if ext in MD_EXT:
        title, body = _markdown(text)
    else:
        title, body = _first_line(text)
    if not title and not body.strip():
        raise ParseError(str(f), "empty article", kind="empty")
    return [Entry(source=source, title=title, url=uri, text=body, published=mtime)]


def _first_line(text: str) -> tuple[str, str]:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip():
            return line.strip(), "\n".join(lines[i + 1 :]).strip()
    return "", ""


def _markdown(text: str) -> tuple[str, str]:
    import markdown

    from .extract import html_to_text

    lines = text.splitlines()
    title = ""
    for i, line in enumerate(lines):
        m = _MD_HEADING.match(line)
        if m:
            title = m.group(1).strip()
            del lines[i]
            break
        if line.strip():
            break
    if not title:
        title, rest = _first_line(text)
        lines = rest.splitlines()
    rendered = markdown.markdown("\n".join(lines))
    body, _ = html_to_text(rendered, page=False)
    return title, body
