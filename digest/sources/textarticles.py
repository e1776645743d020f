"""A ``.txt`` or ``.md`` article's title and plain body.  Pure.

How it works
------------
* ``.txt``: the first non-empty line is the title, the rest the text
  (:func:`text_article`).
* ``.md``: the first heading (ATX ``#`` or setext ``===``), else the first
  non-empty line, is the title; the body is rendered with Markdown and
  reduced to plain text (:func:`markdown_article`).
* A title stated apart (front matter) takes the first line out of the text only where
  that line repeats it, as a heading in Markdown (:func:`under_title`).

Special cases
-------------
* A first line (of a ``.txt``, or of a ``.md`` without a heading) longer than a title can
  be is the article's first paragraph: it stays in the text and the title is left to the
  cleaning step (its first sentence).
* A Markdown paragraph whose link and tag scans would read more than ``_MD_SCAN``
  characters, alone or with the file's others, is its text, escaped: Python-Markdown's
  scans are quadratic in unclosed ``[`` and ``<``, and in the links of one paragraph.  One
  over ``_MD_LINES_AT`` is first read a line at a time (a list or table of links, one a line).
"""

from __future__ import annotations

import html
import re

from ..records import TITLE_CHARS
from .feeds import plain

_ATX = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")


def text_article(text: str) -> tuple[str, str]:
    """(title, body) of a text article: its first non-empty line, and the rest."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip():
            title = plain(line, is_html=False)
            if len(title) > TITLE_CHARS:  # a paragraph, not a title: keep it in the text
                return "", "\n".join(lines[i:]).strip()
            return title, "\n".join(lines[i + 1 :]).strip()
    return "", ""


def under_title(text: str, title: str, markdown: bool) -> str:
    """The plain body of an article whose title is stated apart (front matter): all of the
    text, less its first line when that repeats the title (as a heading, in Markdown)."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None:
        head, taken = (_heading(lines, first) if markdown else None) or (lines[first], 1)
        if markdown:
            head = _md_plain(head.strip())
        if plain(head, is_html=False).casefold() == title.casefold():
            lines = lines[:first] + lines[first + taken :]
    return _md_body(lines) if markdown else "\n".join(lines).strip()


def _heading(lines: list[str], first: int) -> tuple[str, int] | None:
    """(Markdown source, lines taken) of the heading on line ``first`` (ATX ``#`` or setext
    ``===``), or None."""
    m = _ATX.match(lines[first])
    if m:
        return m.group(1), 1
    if first + 1 < len(lines) and _SETEXT.match(lines[first + 1]):
        return lines[first], 2
    return None


#: Python-Markdown scans from each ``[`` (a link's) to the ``]`` that closes it, to the end of
#: its paragraph where none does, and from each ``<`` (a tag's) on: 150 unclosed ``[`` before a
#: paragraph's megabyte took 42 s, 100,000 ``[`` nested in 200 KB hours.  A paragraph whose scans
#: would read more characters than this, alone or with the file's others (:func:`_md_costly`), is
#: not read as Markdown: it is its text, escaped.  Each link (a ``[`` closed) costs its whole
#: paragraph once more: 1,000 links on one line (7 KB) took 2.4 s, 2,000 reference links 15 s.
_MD_SCAN = 5_000_000
#: A paragraph whose scans would read more than this is read a line at a time (:func:`_by_lines`:
#: a list or table of 500 links, 27 KB, took 2 s read whole and 0.04 s so).
_MD_LINES_AT = 500_000
_MD_PARAGRAPHS = re.compile(r"(\n[ \t]*\n)")
#: What starts an inline match besides links and tags, and how many characters copied cost one scanned.
_MD_INLINE = ("*", "_", "`", "\\", "&")
_MD_COPY = 100
_MD_MARKS = re.compile(r"\]\(|[\[\]<>()]")


def _md_scan(part: str) -> int:
    """The characters the link and tag scans of ``part`` read, about: from each ``[`` to the
    ``]`` closing it (nested ones too), from each ``](`` (a link's address) to the ``)``
    balancing it, from each ``<`` to the next ``>``, each to the end when nothing closes it.
    Linear: a regular expression finds the marks, each is looked at once."""
    read, closed, brackets, tags = 0, 0, list[int](), list[int]()
    parens: list[int | None] = []  # each open ``(``: where a link's address starts, else None
    for m in _MD_MARKS.finditer(part):
        mark, at = m.group(), m.start()
        if mark in ("](", "("):
            if mark == "](" and brackets:
                read += at - brackets.pop()
                closed += 1
            parens.append(at if mark == "](" else None)
        elif mark == ")":
            start = parens.pop() if parens else None
            read += at - start if start is not None else 0
        elif mark == "[":
            brackets.append(at)
        elif mark == "]" and brackets:
            read += at - brackets.pop()
            closed += 1
        elif mark == "<":
            tags.append(at)
        elif tags:
            read += at * len(tags) - sum(tags)
            tags.clear()
    links = [at for at in parens if at is not None]
    # each inline match (emphasis, code, an escape, an entity) is cut out of the paragraph's
    # text, copied whole: cheaper a character than a scan, but 40,000 ``*a*`` (160 KB) took 8 s
    inline = sum(map(part.count, _MD_INLINE)) * len(part) // _MD_COPY
    # each link (or a ``[...]`` that may be one) found is cut out and the paragraph scanned again
    inline += closed * len(part)
    return inline + read + len(part) * (len(brackets) + len(tags) + len(links)) - sum(brackets) - sum(tags) - sum(links)


def _md_costly(parts: list[str]) -> set[int]:
    """The paragraphs of ``parts`` read as their text: the costliest to scan (:func:`_md_scan`)
    while the whole file's scans would read more than ``_MD_SCAN`` (many paragraphs each under
    it add up)."""
    cost = [_md_scan(p) for p in parts]
    total, out = sum(cost), set()
    for i in sorted(range(len(parts)), key=lambda i: -cost[i]):
        if total <= _MD_SCAN:
            break
        total -= cost[i]
        out.add(i)
    return out


def _by_lines(part: str) -> str:
    """``part`` with its lines set apart as paragraphs of their own where no ``[`` is left open
    (a link written over two lines stays whole): each line's links are then found in that line
    alone, not in the whole paragraph again (a list or table of links, one a line)."""
    out: list[str] = []
    depth = 0
    for line in part.split("\n"):
        out.append(line)
        depth = max(depth + line.count("[") - line.count("]"), 0)
        out.append("\n" if depth else "\n\n")
    return "".join(out[:-1])


def _md_html(src: str) -> str:
    import markdown

    parts = _MD_PARAGRAPHS.split(src)
    if any(_md_scan(part) > _MD_LINES_AT for part in parts):
        parts = [_by_lines(part) if i % 2 == 0 and _md_scan(part) > _MD_LINES_AT else part
                 for i, part in enumerate(parts)]
        src = "".join(parts)
        parts = _MD_PARAGRAPHS.split(src)
    costly = _md_costly(parts)
    if not costly:
        out: str = markdown.markdown(src)
        return out
    done: list[str] = []
    run: list[str] = []
    for i, part in enumerate(parts):
        if i in costly:
            if run:
                done.append(markdown.markdown("".join(run)))
                run = []
            done.append(f"<p>{html.escape(part, quote=False)}</p>")
        else:
            run.append(part)
    if run:
        done.append(markdown.markdown("".join(run)))
    return "\n".join(done)


def _md_plain(src: str) -> str:
    return plain(_md_html(src))


def _md_body(lines: list[str]) -> str:
    """Markdown lines as plain text."""
    from ..text.extract import html_to_text

    body, _ = html_to_text(_md_html("\n".join(lines)), page=False)
    return body.strip()


#: A link in Python-Markdown's HTML: its address (escaped) and its words (HTML).
_A = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
#: At most this many of a note's links are kept (each its words and address).
MAX_LINKS = 50


def markdown_links(text: str) -> tuple[tuple[str, str], ...]:
    """The http(s) links a Markdown article writes as ``[words](https://...)`` (or a reference
    link): each (its words as plain text, its address), in order, those whose words are not the
    address itself (a bare or ``<...>`` URL stays in the text as it is).  The text keeps the
    words alone; the digest's pages link them again in the note's excerpt (stop 63)."""
    out: dict[tuple[str, str], None] = {}  # in order, each once (a list's ``in`` took minutes on 20,000 links)
    for m in _A.finditer(_md_html(text)):
        url, words = html.unescape(m.group(1)).strip(), " ".join(plain(m.group(2)).split())
        if words and words != url and url.lower().startswith(("http://", "https://")):
            out[(words, url)] = None
            if len(out) == MAX_LINKS:
                break
    return tuple(out)


def markdown_article(text: str) -> tuple[str, str]:
    """(title, plain body) of a Markdown article."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return "", ""
    heading = _heading(lines, first)
    if heading:
        title_src, taken = heading
        rest = lines[first + taken :]
    else:
        # No heading first: look for the first ATX heading further down.
        title_src, rest = lines[first], lines[first + 1 :]
        for i in range(first, len(lines)):
            h = _ATX.match(lines[i])
            if h:
                title_src, rest = h.group(1), lines[:i] + lines[i + 1 :]
                break
        else:
            if len(lines[first].strip()) > TITLE_CHARS:  # a paragraph: keep it in the text
                return "", _md_body(lines[first:])
    return _md_plain(title_src.strip()), _md_body(rest)
