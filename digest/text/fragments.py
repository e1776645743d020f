"""An HTML fragment (a feed's content or summary) to plain text: a tag strip.

Observations
------------
* Feed ``content``/``summary`` HTML is already the article body (or a summary
  of it); it needs its tags stripped, not article extraction.
* Some feeds escape their markup twice (``&amp;lt;p&amp;gt;``): one strip leaves
  tags that read as words.

How it works
------------
* :func:`fragment_to_text` is a fast stdlib tag strip: block elements become
  paragraph breaks, ``<br>`` a line break, entities are unescaped, and the
  contents of script/style/noscript/iframe/template/svg are dropped.  A table's
  row is a paragraph ``| a | b |``, as trafilatura writes a page's table
  (:class:`_Row`): its cells spaced, "... officer said. Column header number 0
  Column header number 1 ...", ran into the excerpt, which stops before a row
  (``output.openings.before_table``; stop 56).  A row of one cell holding text,
  or a cell holding paragraphs of its own (a layout table), is its text as before; the text as
  it was (:func:`cells_spaced`) keys an entry without id or link as an older digest did.  When the
  text left is itself HTML (:func:`escaped_markup`) and the fragment had no tag
  of its own (one that has, ``<p>wrap it in &lt;div&gt;</p>``, quotes code), it
  is stripped once more, never a third time.
* :func:`normalize_text` gives every text here and in page extraction one
  shape: paragraphs separated by one blank line, runs of spaces collapsed, no
  empty paragraphs.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from . import params as p

_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    ]
)
#: Elements whose contents are never the article's text (code, embeds, controls).
HIDDEN_TAGS = (
    "script", "style", "noscript", "iframe", "template", "svg", "math", "object", "embed",
    "select", "textarea", "button",
)  # fmt: skip
_SKIP_TAGS = frozenset([*HIDDEN_TAGS, "head", "title"])
SPACES = re.compile(r"[ \t\f\v\r\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n\s*\n")


def normalize_text(text: str) -> str:
    """Collapse spaces, strip lines, and separate paragraphs by exactly one blank line.

    A single newline inside a paragraph (a ``<br>``) is kept.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n").replace("\x00", "")
    paras = []
    for block in _BLANKS.split(text):
        lines = [SPACES.sub(" ", ln).strip() for ln in block.split("\n")]
        lines = [ln for ln in lines if ln]
        if lines:
            paras.append("\n".join(lines))
    return "\n\n".join(paras)


class _Row:
    """A table row being read: its cells' text parts, and the table depth it opened at."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.cells: list[list[str]] = []
        self.open = False  # a cell is being read

    def text(self) -> str:
        """The row as text: ``| a | b |`` (as trafilatura writes a page's table) when two or
        more cells hold text and none holds a paragraph of its own; else its cells' text
        space-separated, paragraphs kept (a layout table's cell holding the article)."""
        cells = ["".join(parts) for parts in self.cells]
        if any("\n" in c.strip() for c in cells) or sum(1 for c in cells if c.strip()) < 2:
            return "\n\n" + " ".join(cells) + "\n\n"
        return "\n\n| " + " | ".join(" ".join(c.split()) for c in cells) + " |\n\n"


class _Stripper(HTMLParser):
    """Collects text; blocks become blank lines, ``<br>`` a newline, a table's row ``| a | b |``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip: list[str] = []
        self.tables = 0
        self.rows: list[_Row] = []

    def _out(self) -> list[str]:
        """Where text goes: the open cell of the innermost row, else the text itself."""
        if self.rows:
            row = self.rows[-1]
            if not row.open:  # text between cells (or a malformed row's): a cell of its own
                row.cells.append([])
                row.open = True
            return row.cells[-1]
        return self.parts

    def _may_open(self) -> bool:
        """Whether a row may begin: one of this table's ends first, or fewer than
        ``params.MAX_ROWS_OPEN`` rows are open (each row's text is copied into the cell holding it, once a level)."""
        return len(self.rows) < p.MAX_ROWS_OPEN or self.rows[-1].depth == self.tables

    def _end_rows(self, depth: int) -> None:
        """End the rows opened at table depth ``depth`` or deeper (unclosed ones too)."""
        while self.rows and self.rows[-1].depth >= depth:
            row = self.rows.pop()
            self._out().append(row.text())

    def _skipped_start(self, tag: str) -> bool:
        """Whether ``tag`` opens or stands in a skipped element (a script's, a style's)."""
        if tag in _SKIP_TAGS:
            self.skip.append(tag)
        return bool(self.skip)

    def _skipped_end(self, tag: str) -> bool:
        """Whether ``tag`` ends in a skipped element: the innermost one it matches closes (and
        anything left open in it)."""
        if not self.skip:
            return False
        if tag in self.skip:
            while self.skip and self.skip.pop() != tag:
                pass
        return True

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if self._skipped_start(tag):
            return
        elif tag == "br":
            self._out().append("\n")
        elif tag == "table":
            self._out().append("\n\n")
            self.tables += 1
        elif tag in ("tr", "td", "th") and not self._may_open():
            self._out().append(" " if tag != "tr" else "\n\n")  # a table nested too deep: as before
        elif tag == "tr" or (tag in ("td", "th") and not (self.rows and self.rows[-1].depth == self.tables)):
            self._end_rows(self.tables)
            self.rows.append(_Row(self.tables))
            if tag != "tr":
                self.rows[-1].cells.append([])
                self.rows[-1].open = True
        elif tag in ("td", "th"):
            self.rows[-1].cells.append([])
            self.rows[-1].open = True
        elif tag in _TABLE_PARTS and self.tables:
            self._end_rows(self.tables)
        elif tag in _BLOCK_TAGS:
            self._out().append("\n\n")

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        # <iframe/>, <br/>: never enters a skipped region.
        if not self.skip and tag == "br":
            self._out().append("\n")
        elif not self.skip and tag in _BLOCK_TAGS and tag not in _TABLE_PARTS:
            self._out().append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skipped_end(tag):
            return
        if tag in ("td", "th"):
            if self.rows and self.rows[-1].depth == self.tables:
                self.rows[-1].open = False
        elif tag == "table":
            if self.tables:
                self._end_rows(self.tables)
                self.tables -= 1
            self._out().append("\n\n")
        elif tag in _TABLE_PARTS and self.tables:
            self._end_rows(self.tables)
        elif tag in _BLOCK_TAGS:
            self._out().append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.rows and not self.rows[-1].open and not data.strip():
            return  # the spaces between a row's cells
        if not self.skip:
            self._out().append(re.sub(r"\s+", " ", data))

    def close(self) -> None:
        super().close()
        self._end_rows(0)  # rows a fragment left open


#: A table's parts that end the row before them (a row's end tag is optional).
_TABLE_PARTS = frozenset(["tr", "thead", "tbody", "tfoot"])


class _CellsSpaced(_Stripper):
    """The strip as it was before stop 56: a table's cells spaced, its rows (``tr``, a block) and
    parts paragraphs; everything else as :class:`_Stripper`.  Only for the key an older digest
    gave an entry keyed by its text (:func:`cells_spaced`)."""

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if self._skipped_start(tag):
            return
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        if not self.skip and tag == "br":
            self.parts.append("\n")
        elif not self.skip and tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if not self._skipped_end(tag) and tag in _BLOCK_TAGS:
            self.parts.append("\n\n")


#: Inline elements whose tags, with the block and skipped ones, make a tag in text an HTML tag.
_INLINE_TAGS = frozenset(
    ["a", "abbr", "b", "big", "br", "cite", "code", "em", "font", "i", "img", "mark", "q", "s",
     "small", "span", "strong", "sub", "sup", "time", "u"]
)
_KNOWN_TAGS = _BLOCK_TAGS | _INLINE_TAGS | _SKIP_TAGS
#: A tag as it reads in text: ``<p>``, ``</div>``, ``<img src="x" />``.
_TAG_TEXT = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(\s[^<>]*)?/?>")


def escaped_markup(text: str) -> bool:
    """Whether a fragment's text is itself HTML: markup escaped twice by its feed.

    Observations: some feeds escape their HTML twice (``&amp;lt;p&amp;gt;``), so
    after one tag strip the text reads ``<p>Department store ...</p><p>...``
    and the tags would be shown as words.  Prose that mentions a tag ("wrap it
    in <b>") mentions one or two, mid-sentence, and rarely closes them.

    How it works: the text is markup when it opens with a tag of an HTML element
    that has attributes or is closed somewhere in the text (``<p>...</p>``,
    ``<img src=...>``), or when it holds ``params.MARKUP_CLOSING`` or more closing block
    tags wherever they are.  Measured on the feed corpus (``../shared/corpus/feeds``:
    the 1,770 contents and summaries of three parser test suites): 17 texts qualify,
    each markup escaped twice (``<![CDATA[&lt;p&gt;...]]>``, a base64 summary of
    HTML source); no prose does.
    """
    tags = [m for m in _TAG_TEXT.finditer(text) if m.group(2).lower() in _KNOWN_TAGS]
    if not tags:
        return False
    first = tags[0]
    attributes = bool((first.group(3) or "").strip("/ \t\n"))
    closed = any(m.group(1) for m in tags)
    if first.start() == 0 and not first.group(1) and (attributes or closed):
        return True
    return sum(1 for m in tags if m.group(1) and m.group(2).lower() in _BLOCK_TAGS) >= p.MARKUP_CLOSING


def strip_fragment(fragment: str, *, spaced: bool = False) -> str:
    """``fragment``'s text (``spaced``: a table's cells spaced, as before stop 56)."""
    parser = _CellsSpaced() if spaced else _Stripper()
    # A NUL is read as U+FFFD, as lxml reads it (and a browser, in a tag): Python's parser
    # ends a tag name at a NUL, so '<script\x00>' (no script) was text, and with the NUL
    # dropped from the text it read '<script>'.
    parser.feed(fragment.replace("\x00", "\ufffd"))
    # Whatever is left unparsed starts an unterminated tag, comment or CDATA
    # section: a browser shows none of it, and neither do we.
    if parser.rawdata.lstrip().startswith("<"):
        parser.rawdata = ""
    parser.close()
    return normalize_text("".join(parser.parts))


def fragment_to_text(html: str, *, spaced: bool = False) -> str:
    """Plain text of a feed's HTML fragment, decoded once more when its feed escaped it twice
    (``spaced``: as before stop 56, :func:`cells_spaced`)."""
    text = strip_fragment(html, spaced=spaced)
    if not _TAG_TEXT.search(html) and escaped_markup(text):
        # escaped twice by the feed (no tag of its own: a fragment with real tags that
        # shows escaped ones quotes code, as a web-dev feed does): decoded once more
        text = strip_fragment(text, spaced=spaced)
    return text


#: A table's cell, or a part the strip before stop 56 read as a block (``tbody``, ``thead``,
#: ``tfoot``: text set in one with no cell ran together after it, "Row oneRow two"), as a tag or
#: as text escaped once more (a feed escaping its markup twice).
_CELL = re.compile(r"(?:<|&lt;)t(?:[dh]|body|head|foot)\b", re.I)


def cells_spaced(html: str) -> str | None:
    """:func:`fragment_to_text` of ``html`` as digest wrote it before stop 56, a table's cells
    spaced and each row a paragraph ("Station Crews Hours\n\nHarwick 4 6"), where it writes a
    row ``| Station | Crews | Hours |`` now; None when ``html`` holds no table cell (the same
    text).  An entry with neither id nor link is keyed by its text (``identity.article_key``):
    one holding a table had another key before, and was read again as new at the first poll
    after the upgrade (``prepare.prepare`` gives it that key as an alias)."""
    return fragment_to_text(html, spaced=True) if _CELL.search(html) else None
