"""A feed cut off: the document ends before its root element is closed.

Observations
------------
A feed is cut off by a server that stops writing (a crash, a size cap in a
proxy or the generator) or a file read while it is written.  Measured with
feedparser 6.0.14:

* expat stops at the end with ``no element found`` or ``unclosed token``;
  feedparser sets ``bozo`` and its loose parser returns every entry whose
  start tag it read: those closed before the cut whole, the one open at the
  cut in part (below).  An entry whose start tag was cut has no entry.
* The bozo exception does not tell a cut-off feed from a whole one: the same
  two messages come from whole documents (``unclosed token`` for ``&#x;``),
  and bozo is set for harmless things (a declared encoding overridden, an
  undefined entity such as ``&nbsp;``, an undeclared namespace prefix).  Of
  the ~4,800 XML files of the feed corpus 324 are bozo; only those that end
  before their root element closes lost anything.

How it works
------------
:func:`where_cut` looks at the document itself, only when feedparser said it
is bozo: the root element's name (after the prolog: XML declaration,
comments, processing instructions, DOCTYPE), and whether its end tag
(``</rss>``, ``</feed>``, ``</rdf:RDF>``; any case) begins after it.  When it
does not, the feed ended early: :class:`Cut` holds the line the document
ends on, and whether an entry was open there (an entry's start tag, whole,
after the last entry end tag).  The caller
(:func:`digest.sources.feeds.parse_feed`) leaves that entry out, keeps the
others and says so in :attr:`digest.records.Entries.note`, one line
(:meth:`Cut.note`); it is a failed read only when no entry was read.

Why the entry cut off is left out, not stored and mended later
--------------------------------------------------------------
feedparser returns the entry open at the cut like any other, with the
elements closed before the cut and without the one cut in its middle: cut in
its description, an entry with a title and no text; cut in its
``content:encoded``, one with its summary for text; cut before its
``<guid>``, one without its id (known by its link: the whole entry, read
later, is another article).  Nothing marks it, and stored it stayed so: the
next read knew its id and skipped it, or stored it a second time.  Left out,
it is stored whole by the next whole read, new on the day it arrives whole,
once.  The read's validators are not kept either (``SourceTracker``), so
that read asks for the whole body, not a 304.

Special cases
-------------
* A JSON Feed cut off fails ``json.loads`` whole: :func:`json_cut` reads its
  members one by one up to the cut and keeps the items closed before it.
* UTF-16/32 and EBCDIC documents are read after decoding (by BOM or first
  bytes); others as Latin-1: tags are ASCII in every ASCII-compatible encoding.
* A self-closing root (``<rss/>``) is closed, and so is one whose end tag lacks
  only its ``>`` (``</rss``, as ends a dozen of feedparser's own test feeds):
  every entry before it was read whole.  End tags inside CDATA or
  comments are not told apart from real ones: a cut-off feed whose text
  holds its own root's end tag is not noticed (it reads as today).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..records import plural
from .xmlscreen import ascii_incompatible_codec

__all__ = ["Cut", "json_cut", "where_cut"]

#: The prolog before the root element: XML declaration, processing instructions, comments, DOCTYPE
#: (its internal subset one ``[...]`` up to the first ``]`` followed by ``>``).  Each part has one
#: way to match: the DOCTYPE's was ``(?:[^\[>]|\[.*?\])*>``, where ``]`` could end a subset or
#: follow it, so an unclosed DOCTYPE of ``[]`` pairs backtracked through every split: 22 pairs
#: took 3.3 s, each pair more twice as long (stop 42: an 80-byte prolog held a core for days).
_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>)", re.S | re.I)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.:-]*)([^>]*)>")


#: An entry's start tag, whole (``<item>``, ``<entry xml:lang="en">``, ``<rss:item ...>``), and end tag.
#: A tag's attributes stop at the next ``<`` (no attribute value holds one): with ``[^>]*`` each
#: ``<item `` of a document with no ``>`` after them was read to its end, 40,000 (240 KB) in 47 s.
_ENTRY_START = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?:\s[^<>]*)?>")
_ENTRY_END = re.compile(r"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")


@dataclass(frozen=True, slots=True)
class Cut:
    """Where a cut-off feed ends."""

    #: The document's last line (1-based).
    line: int
    #: An entry was open where it ended: feedparser's last entry is that entry, cut off.
    entry_open: bool = False
    #: The document's format: XML, or JSON (a JSON Feed).
    syntax: str = "XML"

    def note(self, read: int) -> str:
        """One line for the source's state and the log: where it ended, how much was read."""
        where = f"feed ended early ({self.syntax} not well-formed at line {self.line})"
        left = "; the entry cut off at its end is left for the next read" if self.entry_open else ""
        if not read:
            return f"{where} before any whole entry{left}"
        return f"{where}: {plural(read, 'entry', 'entries')} read{left}"


def _view(data: bytes) -> str:
    codec = ascii_incompatible_codec(data)
    return data.decode(codec or "latin-1", errors="replace").lstrip("\ufeff")


def where_cut(data: bytes) -> Cut | None:
    """Where the document ends when its root element is not closed there; None when it is
    (or when it has no root element to close)."""
    view = _view(data)
    pos = 0
    while (m := _PROLOG.match(view, pos)) is not None and m.end() > pos:
        pos = m.end()
    root = _ROOT.match(view, pos)
    if root is None or root.group(2).rstrip().endswith("/"):
        return None
    closing = re.compile(rf"</{re.escape(root.group(1))}\s*(?:>|\Z)", re.I)
    if closing.search(view, root.end()) is not None:
        return None
    last_end = max((m.end() for m in _ENTRY_END.finditer(view, root.end())), default=root.end())
    start = _ENTRY_START.search(view, last_end)
    entry_open = start is not None and not start.group(0).endswith("/>")
    return Cut(line=view.count("\n") + 1, entry_open=entry_open)


_SPACE = re.compile(r"[ \t\r\n]*")


def _skip(text: str, pos: int, sep: str) -> int:
    """``pos`` past white space, one optional ``sep`` and white space."""
    pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
    if text.startswith(sep, pos):
        pos = _SPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
    return pos


def json_cut(text: str) -> tuple[dict[str, Any], Cut] | None:
    """A JSON Feed cut off: the top-level members read whole before the end, its ``items``
    list holding the items closed before it, and where it ended; None when the document is
    not an object or its object is closed (whole, or broken inside: not a cut).

    Read member by member (``json.JSONDecoder.raw_decode``), as feedparser's loose parser
    reads a cut XML feed entry by entry; an item open at the end is left out, as there."""
    body = text.lstrip("\ufeff \t\r\n")
    if not body.startswith("{") or body.rstrip().endswith("}"):
        return None
    dec = json.JSONDecoder()
    doc: dict[str, Any] = {}
    pos, item_open = 1, False
    try:
        while pos < len(body):
            pos = _skip(body, pos, ",")
            key, pos = dec.raw_decode(body, pos)
            if not isinstance(key, str):
                break
            pos = _skip(body, pos, ":")
            if key != "items" or not body.startswith("[", pos):
                doc[key], pos = dec.raw_decode(body, pos)
                continue
            items: list[Any] = []
            doc["items"] = items
            pos += 1
            while not body.startswith("]", pos := _skip(body, pos, ",")):
                item_open = pos < len(body)
                item, pos = dec.raw_decode(body, pos)
                items.append(item)
                item_open = False
            pos += 1
    except (ValueError, RecursionError):  # the cut (or nesting too deep to read before it)
        pass
    return doc, Cut(line=text.count("\n") + 1, entry_open=item_open, syntax="JSON")
