"""HTML to plain text: whole pages (article extraction); feed fragments go to ``fragments``.

Observations
------------
* Feed ``content``/``summary`` HTML is already the article body (or a summary of
  it); it only needs its tags stripped.  Whole web pages (local ``.html`` files,
  fetched article pages) carry navigation, footers, comment sections and
  related-link lists around the body and need real article extraction.
* trafilatura is the most accurate extractor measured on the scrapinghub
  article-extraction benchmark (see ``benchmarks/extraction.py``), but it
  returns nothing for some short or unusual pages.
* Everything here is hostile: broken markup, huge documents, ``<script>``
  bodies, event-handler attributes, ``javascript:`` links.  Only text ever
  comes out, and no input makes these functions raise.

How it works
------------
* ``html_to_text(html, page=True)`` parses the page once, as it is written
  (:func:`load_page`: trafilatura's parser settings, not its loader, see below),
  removes its scripts and styles, reads the title (og:title, then ``<title>``,
  then ``<h1>``; a trailing `` | Site`` / `` - Site`` suffix is removed when the
  rest is long enough), and hands the tree to trafilatura (comments off, tables
  kept: measured best on the benchmark).  When trafilatura finds nothing, the
  fallback takes the ``<article>`` (else ``<main>``, else ``<body>``) with
  script, style, nav, header, footer, aside, form and the like removed, and
  strips its tags.
* trafilatura's loader (``load_html``) edits the markup before parsing it: it
  deletes control characters and takes the slash out of the first ``/>`` after
  ``<html`` on a line that ends in ``/>``.  Either can make a tag a browser (and
  lxml) does not read as ``<title>`` an open ``<title>`` (``<title\x01>``,
  ``<title/>``), whose text then runs over the next ``<script>``: the script's
  source became the page's title and, as trafilatura keeps a ``<title>`` in the
  body as text, its article text.  So the page is parsed as written; what
  lxml refuses to hold (control characters) is taken out of the parsed tree,
  and of the repairs only those that change no other tag are kept.
* ``html_to_text(html, page=False)`` is a feed fragment's tag strip
  (:mod:`digest.text.fragments`).
* Output: paragraphs separated by one blank line, runs of spaces collapsed,
  no empty paragraphs, no markup.
* ``extract_many`` runs page extraction in a process pool (the work is
  CPU-bound pure Python + lxml); small batches run in-process.

Special cases
-------------
* Input above ``MAX_INPUT_CHARS`` is cut before parsing (a truncated page
  still extracts; a 100 MB page does not stall the worker).
* trafilatura's cross-document ``deduplicate`` option is not used: it would
  make the output depend on which pages were seen before.
"""

from __future__ import annotations

import copy
import html as htmllib
import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from . import params as p
from .fragments import HIDDEN_TAGS, SPACES, fragment_to_text, normalize_text, strip_fragment

#: Characters of HTML processed at most (about 5 MB).
MAX_INPUT_CHARS = 5_000_000

#: Batches smaller than this are extracted in-process (pool start-up costs more).
POOL_MIN_BATCH = 8

#: What the fallback removes from a page's article (else main, else body) before its text is read.
_FALLBACK_DROP = [*HIDDEN_TAGS, "form", "nav", "header", "footer", "aside"]
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ")
#: Elements a browser never shows as text: removed from a page's tree before anything reads it.
_NEVER_TEXT = ("script", "style")
#: Characters lxml parses but refuses in a value it is given (not XML 1.0).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: A self-closed ``<html .../>`` (libxml2 ends the document there; a browser reads on).
_SELF_CLOSED_HTML = re.compile(r"<html\b[^<>]*?/\s*>", re.I)
#: A first-line doctype with a slash (``<!DOCTYPE html />``), which older libxml2 misread;
#: one whole token (no ``<`` inside), so removing it changes no other tag.
_SLASHED_DOCTYPE = re.compile(r"^< ?! ?DOCTYPE[^<>\n]*/[^<>\n]*>", re.I)

# -- pages -----------------------------------------------------------------------------


def clean_title(title: str | None) -> str | None:
    """Whitespace-normalize a page title and strip a `` | Site Name`` style suffix.

    The suffix (after the last separator) is removed only when it is short and
    what remains has at least three words, so "A - B" headlines survive.
    """
    if not title:
        return None
    title = SPACES.sub(" ", htmllib.unescape(title).replace("\n", " ")).strip()
    if not title:
        return None
    for sep in _TITLE_SEPARATORS:
        if sep in title:
            head, _, tail = title.rpartition(sep)
            if len(head.split()) >= p.TITLE_HEAD_WORDS and len(tail.split()) <= p.TITLE_SUFFIX_WORDS:
                title = head.strip()
            break
    return title[:500] or None


#: A site's name as a page states it (``og:site_name``, ``application-name``), compared with a
#: headline's first or last part: letters and digits only, in lower case ("the Guardian" is
#: "The Guardian", "SpaceNews.com" its own suffix).
_NOT_ALNUM = re.compile(r"[\W_]+")
#: A name that is an address ("https://www.newsnation.in"): its host's name, without "www."
#: and the top-level domain, is the site's name too ("News Nation").
_ADDRESS = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?([^/:\s]+?)\.[a-z]{2,}(?:[/:].*)?$", re.I)


def _name_key(name: str) -> str:
    return _NOT_ALNUM.sub("", name.casefold())


def without_site_name(title: str, names: Sequence[str | None]) -> str:
    """``title`` without the site's own name before or after a separator, where the page
    names its site (``names``: its ``og:site_name``, ``application-name``): "Nadal keeps Spain
    alive - Sportsnet.ca", "Meal Prep for A Little More Obsessed | The Beachbody Blog".

    ``og:title`` is the headline without the site's name on most pages, but not on all: of
    the 181 scrapinghub pages, 29 carried the site's name in it (stop 48 review), shown as
    the story's headline.  Only the name the page states goes, so "A - B" headlines survive
    whatever their length; a title that is the name alone is kept."""
    keys = set()
    for name in names:
        if name and (key := _name_key(name)):
            keys.add(key)
            if m := _ADDRESS.match(name.strip()):
                keys.add(_name_key(m.group(1)))
    if not keys:
        return title
    for sep in _TITLE_SEPARATORS:
        head, found, tail = title.rpartition(sep)
        if found and head.strip() and _name_key(tail) in keys:
            return head.strip()
        head, found, tail = title.partition(sep)
        if found and tail.strip() and _name_key(head) in keys:
            return tail.strip()
    return title


def as_heading(title: str, heading: str | None) -> str:
    """``title`` without the part after its last separator where what comes before it is the
    page's own heading (``heading``, its first ``<h1>``), letters and digits alike: "All-new
    2020 Sentra is what we really want from Nissan PH - Auto News" under the heading "All-new
    2020 Sentra is what we really want from Nissan PH".  The page whose ``og:title`` carries a
    site's part that it does not name in ``og:site_name`` says its headline in the ``<h1>``
    (4 of the 181 scrapinghub pages, stop 62 saved pages); a title whose heading differs is
    kept whole."""
    key = _name_key(heading or "")
    if not key:
        return title
    for sep in _TITLE_SEPARATORS:
        head, found, tail = title.rpartition(sep)
        # the site's part is a name's length, or shorter than the rest: a first <h1> that is the
        # site's or section's name ("Opinion | Why the council is wrong ...") left the headline
        # "Opinion" (stop 62 second review)
        words = len(tail.split())
        if found and _name_key(head) == key and (words <= p.SITE_PART_WORDS or words < len(head.split())):
            return head.strip()
    return title


#: Where a page's title is, best first: (elements, the attribute holding it; None: their text).
_TITLE_SOURCES = (
    ('//meta[@property="og:title"]', "content"),
    ('//meta[@name="twitter:title"]', "content"),
    ("//head/title", None),  # the document's; a stray one in the body is not it
    ("//title", None),
    ("//h1", None),
)


def _page_title(tree: Any) -> str | None:
    """The first non-empty of ``_TITLE_SOURCES``, one element's: a page with two ``<title>``
    or two ``<h1>`` had both joined into one title."""
    for path, attr in _TITLE_SOURCES:
        try:
            found = tree.xpath(path)
        except Exception:
            continue
        for el in found[:20]:
            raw = el.get(attr) if attr else " ".join(el.itertext())
            text = (raw or "").strip()
            if text:
                title = clean_title(text)
                return without_site_name(title, _site_names(tree)) if title else title
    return None


def _site_names(tree: Any) -> list[str | None]:
    """The site's names a page's tree states (``og:site_name``, ``application-name``)."""
    try:
        return [el.get("content") for el in tree.xpath(
            '//meta[@property="og:site_name"]|//meta[@name="application-name"]')[:4]]
    except Exception:
        return []


def _fallback_text(tree: Any) -> str:
    for xpath in ("//article", "//main", "//body"):
        nodes = tree.xpath(xpath)
        if nodes:
            node = copy.deepcopy(nodes[0])
            break
    else:
        node = copy.deepcopy(tree)
    for bad in node.xpath(" | ".join(f".//{t}" for t in _FALLBACK_DROP)):
        bad.drop_tree()
    from lxml import etree

    return strip_fragment(etree.tostring(node, encoding="unicode", method="html"))


def _repaired(html: str) -> str:
    """``html`` with trafilatura's two markup repairs, each confined to the one tag it mends."""
    html = _SLASHED_DOCTYPE.sub("", html, count=1)
    found = _SELF_CLOSED_HTML.search(html, 0, 4096)
    if found:
        tag = found.group()
        html = html[: found.start()] + tag[: tag.rindex("/")] + ">" + html[found.end() :]
    return html


def _parse(markup: str | bytes) -> Any:
    import lxml.html
    from trafilatura.utils import HTML_PARSER

    try:
        return lxml.html.fromstring(markup, parser=HTML_PARSER)
    except ValueError:  # a str with an encoding declaration: parsed as UTF-8 bytes
        return _parse(markup.encode("utf-8", "surrogatepass")) if isinstance(markup, str) else None
    except Exception:
        return None


def _xml_safe(elements: list[Any]) -> None:
    """Take out of every name, text and value the characters lxml refuses to be given.

    A tag or attribute named with one is no element we know: the tag becomes a
    ``span`` (a browser shows an unknown element's text inline), the attribute goes.
    """
    for el in elements:
        if _NOT_XML.search(el.tag):
            el.tag = "span"
        if el.text and _NOT_XML.search(el.text):
            el.text = _NOT_XML.sub("", el.text)
        if el.tail and _NOT_XML.search(el.tail):
            el.tail = _NOT_XML.sub("", el.tail)
        attrs = list(el.attrib.items())
        if any(_NOT_XML.search(name + value) for name, value in attrs):
            el.attrib.clear()  # (lxml refuses such a name even to delete it)
            for name, value in attrs:
                if not _NOT_XML.search(name):
                    el.set(name, _NOT_XML.sub("", value))


def load_page(html: str) -> Any:
    """The page's tree as lxml (like a browser) reads ``html``, its scripts and styles removed.

    ``None`` when it is no page: what trafilatura's ``load_html`` rejects (a
    fragment that is one element and does not say ``html`` at its start), or a
    script or style alone.  Parsed with trafilatura's parser settings (they
    extract better than a plain lxml.html tree: F1 0.960 vs 0.957 on the
    benchmark) and ``lxml.html.fromstring``'s shapes, as ``load_html`` does,
    but from the markup as written (see the module's notes).
    """
    says_html = "html" in html[:50].lower()
    html = _repaired(html)
    tree = _parse(html)
    if tree is None or len(tree) < 1:
        tree = _parse(html.encode("utf-8", "surrogatepass"))
    if tree is None or (not says_html and len(tree) < 2):
        return None
    if tree.tag in _NEVER_TEXT:
        return None
    # The whole document: libxml2 puts what follows an unrepaired '<html/>' beside the root.
    if _NOT_XML.search(html):
        _xml_safe(tree.xpath("//*"))
    for el in tree.xpath(" | ".join(f"//{t}" for t in _NEVER_TEXT)):
        if el.getparent() is None:
            el.clear(keep_tail=True)
        else:
            el.drop_tree()
    return tree


#: Attributes a page's start tag keeps at most.  libxml2's HTML parser looks each attribute up
#: among the tag's others, quadratic in their number: a full-text page's ``<p`` of 300,000 (2.7 MB,
#: under the fetch cap) held the run for many minutes (20,000: 1.8 s).  A page's tags have a few.
MAX_TAG_ATTRIBUTES = 1000
#: A start tag (a quoted value may hold ``<`` and ``>``, as libxml2 reads it), possessive: no backtracking.
_TAG = re.compile(r"""<([A-Za-z][^\s/<>"']*+)((?:[^<>"']++|"[^"]*+"|'[^']*+'|["'])*+)>""")
_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")


#: What libxml2 reads as no tags: a comment, and a script's or a style's text (its start tag,
#: group 1 less its ``<``, is one).  Possessive runs and one ``<`` first, no lazy ``.*?`` and no
#: re.I: this form reads the scrapinghub pages in 25 ms where those took 485 (every page read).
_NO_TAGS = re.compile(r"<(?:!--(?:[^-]++|-(?!->))*+(?:-->|\Z)"
                      r"|(([sS][cC][rR][iI][pP][tT]|[sS][tT][yY][lL][eE])\b[^>]*+>)"
                      r"(?:[^<]++|<(?!/(?i:\2)\s*>))*+(?:</(?i:\2)\s*>|\Z))")


def uncrowded(html: str) -> str:
    """``html`` with each start tag of more than ``MAX_TAG_ATTRIBUTES`` attributes bare (its name).

    Comments and the text of scripts and styles are left as they are: a script's string
    ``'<bo"+'dy onload="...">'`` read as a tag whose quoted values paired with the page's quotes
    to its end, 187 KB of "attributes", and the page was cut to its first 27 KB (a scrapinghub
    page: extraction F1 0.967 to 0.964)."""

    def bare(m: re.Match[str]) -> str:
        attrs = m.group(2)
        if len(attrs) < 2 * MAX_TAG_ATTRIBUTES:  # too short to hold that many (`` a`` is two characters)
            return m.group(0)
        return f"<{m.group(1)}>" if len(_QUOTED.sub(" ", attrs).split()) > MAX_TAG_ATTRIBUTES else m.group(0)

    out, at = [], 0
    for m in _NO_TAGS.finditer(html):
        out.append(_TAG.sub(bare, html[at:m.start()]))
        start = m.group(1) and f"<{m.group(1)}"
        out.append(_TAG.sub(bare, start) + m.group(0)[len(start):] if start else m.group(0))
        at = m.end()
    out.append(_TAG.sub(bare, html[at:]))
    return "".join(out)


def lone_cells(text: str) -> str:
    """``text`` (trafilatura's, a line a block) with each table row of one cell holding text
    written as that text, and rows of empty cells left out.  A layout table's row is a row to
    trafilatura: a page held in one (thespacereview.com) read "| | Seeking a bigger role for a
    big rocket by Jeff Foust ... | |", and its excerpt began "| | Seeking ..." (stop 56: 1 of the
    181 scrapinghub pages; ``fragments._Row`` reads a feed's table alike)."""
    out = []
    for line in text.split("\n"):
        bare = line.strip()
        if len(bare) > 1 and bare[0] == bare[-1] == "|":
            cells = [c.strip() for c in bare[1:-1].split("|")]
            full = [c for c in cells if c]
            if len(full) == 1 and full[0].strip("-: "):
                line = full[0]
            elif not full:
                continue
        out.append(line)
    return "\n".join(out)


def _page_to_text(html: str, url: str | None) -> tuple[str, str | None]:
    import trafilatura

    html = uncrowded(html)
    tree = load_page(html)
    if tree is None:
        return strip_fragment(html), None
    title = _page_title(tree)
    extracted = None
    try:
        # The tree is handed over (trafilatura may modify it); the fallback reparses.
        extracted = trafilatura.extract(
            tree,
            url=url,
            favor_precision=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            output_format="txt",
        )
    except Exception:
        extracted = None
    if extracted and extracted.strip():
        # trafilatura puts one block per line: make each a paragraph.
        return normalize_text(lone_cells(extracted).replace("\n", "\n\n")), title
    fallback = load_page(html)
    return (_fallback_text(fallback) if fallback is not None else strip_fragment(html)), title


def html_to_text(html: str, *, url: str | None = None, page: bool) -> tuple[str, str | None]:
    """Plain text and title of ``html``; ``("", None)`` when nothing can be read.

    ``page=True``: a whole web page (article extraction).  ``page=False``: a
    feed HTML fragment (tag strip; the title is always ``None``).
    Never raises.
    """
    try:
        if not html or not isinstance(html, str):
            return "", None
        html = html[:MAX_INPUT_CHARS]
        if page:
            return _page_to_text(html, url)
        return fragment_to_text(html), None
    except Exception:  # hostile input must never stop a run
        return "", None


def _extract_page(item: tuple[str, str | None]) -> tuple[str, str | None]:
    html, url = item
    return html_to_text(html, url=url, page=True)


def extract_many(
    pages: Sequence[tuple[str, str | None]], *, workers: int | None = None
) -> list[tuple[str, str | None]]:
    """``html_to_text(html, url=url, page=True)`` for each ``(html, url)``, in input order.

    Uses a process pool of ``workers`` processes (default: all cores) when the
    batch is large enough to pay for it; otherwise runs in-process.
    """
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n <= 1 or len(pages) < POOL_MIN_BATCH:
        return [_extract_page(p) for p in pages]
    n = min(n, len(pages))
    chunk = max(1, len(pages) // (n * 4))
    with ProcessPoolExecutor(max_workers=n, initializer=_exit_with_parent, initargs=(os.getpid(),)) as pool:
        return list(pool.map(_extract_page, pages, chunksize=chunk))


def _exit_with_parent(parent: int) -> None:
    """A pool worker's start: exit when ``parent`` is gone.  A parent killed (``kill -9``, an
    OOM kill) cannot stop its pool, whose workers would wait for work for ever."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
