"""Making hostile feed text safe to show: URLs, Markdown, HTML, and a checker.

Observations
------------
Everything that came from a feed (titles, texts, outlet names, URLs) may be
written by an attacker.  The digest is read in a browser, in mail clients and
as plain Markdown, so each output needs its own kind of escaping:

* URLs: browsers drop ASCII tab/CR/LF *anywhere* in a URL and leading or
  trailing C0 controls and spaces, so ``"java\\tscript:alert(1)"`` and
  ``" javascript:..."`` are ``javascript:`` URLs.  :func:`safe_url` applies the
  same normalisation before looking at the scheme, keeps only absolute
  ``http``/``https`` URLs with a host, and percent-encodes the characters that
  would end a Markdown link destination or an HTML attribute early
  (space, quotes, ``<>()[]`` in path/query/fragment, backtick, backslash).
* Markdown: :func:`escape_md` backslash-escapes Python-Markdown's escapable
  characters (so ``[x](javascript:...)`` stays text, ``{: .cls}`` never becomes
  an ``attr_list``) but ``!`` and ``(``: with ``[`` and ``]`` escaped no link or
  image forms, so those two only in ``![`` and ``](``; writes ``& < >`` as entities (Python-Markdown passes raw HTML
  through; entities are shown literally), escapes ``#`` everywhere (ATX
  headings drop trailing ``#``) and the other block markers (``-``, ``+``,
  ``1.``, ``=``) only at the start of a line (after dropping indentation,
  which would make a code block, and trailing spaces, a ``<br>``), to keep the Markdown
  file readable.  Tildes become ``&#126;`` when a value has two (GFM's strikethrough pairs
  them; ``\\~`` would show its backslash in Python-Markdown); control characters and
  noncharacters are dropped (:data:`NOT_TEXT`).
* HTML: :func:`clean_html` runs nh3 (ammonia) with a short allowlist: text
  tags, ``a href`` with ``http``/``https``/``mailto`` only (relative URLs are
  dropped, except a ``#fragment`` within the page: the table of contents; ``h2``
  may carry an ``id``), a fixed set of our own CSS classes, no images at all (so no
  tracking pixels and no external requests), ``rel="noopener noreferrer nofollow"``
  on every link.  Script/style/template/etc. are removed *with their content*.
* :func:`find_active_content` is the independent check used by the tests and
  the corpus benchmark.  It parses twice, with ``lxml.html`` (a tree, the way
  a browser builds one) and with the stdlib tokenizer, and reports the union:
  script/iframe/object/embed/form/base elements, ``on*`` attributes,
  ``javascript:``/``vbscript:``/``data:`` URLs in any URL-bearing attribute,
  ``<style>`` outside ``<head>``, ``<meta http-equiv>`` other than
  Content-Security-Policy, and ``url()``/``@import``/``expression()`` in CSS.

Special cases: ``None``/empty URLs give ``None``; entity-encoded schemes
(``java&#x09;script:``) are decoded by the parsers before the check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit, urlunsplit

import nh3

from ..text.shown import one_line, shows_something

# -- URLs -------------------------------------------------------------------

_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_EDGE = "".join(chr(c) for c in range(0x21))  # C0 controls and space
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Safe in path/query/fragment: RFC 3986 unreserved + sub-delims minus ( ) ' ,
# plus ':@/?#%&=' ; everything else (space, quotes, <>()[]`\{}|^) is encoded.
_URL_SAFE = "-._~!$&*+,;=:@/?%"


def safe_url(url: str | None) -> str | None:
    """``url`` as an absolute http(s) URL safe inside Markdown/HTML, else None."""
    if not url:
        return None
    u = _TAB_NEWLINE.sub("", url).strip(_EDGE)
    if not u or _CONTROL.search(u):
        return None
    try:
        parts = urlsplit(u)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    netloc = parts.netloc
    if any(c in netloc for c in " \"'<>`\\{}|^()"):
        return None
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path, safe=_URL_SAFE),
            quote(parts.query, safe=_URL_SAFE),
            quote(parts.fragment, safe=_URL_SAFE),
        )
    )


# -- Markdown ---------------------------------------------------------------

#: What opens inline markup, backslash-escaped: Python-Markdown's ESCAPED_CHARS minus the block
#: markers handled below, but for ``!`` and ``(``.  With every ``[`` and ``]`` escaped no link,
#: image or reference can form (Python-Markdown, CommonMark, GFM), so a ``!`` is escaped only
#: before a ``[`` (``![``, an image's opening) and a ``(`` only after a ``]`` (``](``, a link's
#: destination, even to a reader that ignores the backslash); "Vote passes (narrowly)!" stays.
#: ('|' and '~' are not escapable there; '~~~' at a line's start, a CommonMark fence, is below.)
_MD_INLINE = re.compile(r"[\\`*_{}\[\]#]|!(?=\[)|(?<=\])\(")
#: Spaces and tabs at a line's edges (stripped line by line: a regex over a long run of spaces
#: inside a line, ``[ \t]+$``, is quadratic).
_LINE_EDGE_CHARS = " \t\f\v"
_MD_LINE_START = re.compile(r"^([ \t]*)([+\-=>~]|\d+(?=[.)]))", re.MULTILINE)
#: An ``&`` that would be read as an entity (``&amp;``, ``&#39;``); a lone one ("Fish & chips")
#: is shown as it is.
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
#: Not text: C0 controls but tab and newline (CR too: lines are split on a newline only), DEL, C1
#: controls and the noncharacters.  An HTML5 parser reports each as a parse error; shown by
#: ``cat`` from the Markdown file, ESC/BEL/CSI (``\x1b]8;;URL\x07`` a link, ``\x9b31m`` a
#: colour) act on the terminal.  Feed text is cleaned of C0 controls before it is stored
#: (``digest.text.prepare``); a source's error, its configured name and C1/noncharacters are not.
NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


def shown_title(value: str | None) -> str:
    """The operator's ``title:`` as every output shows it (the page's ``<title>`` and heading,
    the text part, the subject, the Atom feed, the archive's pages, an OPML export): on one
    line, its bidi runs closed within it (``text.shown.one_line``), its control characters and
    noncharacters left out (:data:`NOT_TEXT`), as a feed's title is.  ``"Te\\x9bst"`` in the
    YAML reached the HTML ``<title>`` and the subject as a CSI, an unclosed U+202E turned the
    date after it around (stop 57).  A title nobody sees (only a U+202E, a U+009B, a zero-width
    space) is ``""``, as an empty one: each output's own ("digest"), not an invisible heading
    (stop 57 review)."""
    shown = one_line(NOT_TEXT.sub("", " ".join((value or "").split())))
    return shown if shows_something(shown) else ""
#: A ``<`` that could open markup (a tag, a comment, an autolink, ``<1@x.y>`` an e-mail link):
#: any but one before a space ("1 < 2"); before spaces and a letter too ("< script>": no tag to
#: HTML or Markdown, but one to a reader or a lax filter downstream; the fuzz run's).  At the
#: end of the text too: what follows is not the text's, and a line's parts are escaped one by
#: one ("Toll <" then "**12**" then "@x.y>", a changed figure: ``<**12**@x.y>`` an e-mail link
#: to CommonMark and Python-Markdown); before a line's end or a tab (Python-Markdown's
#: ``<\n@x.y>`` is one).
_MD_OPEN = re.compile(r"<(?=[^ ]|\s+[A-Za-z!/?]|\s*\Z)")


def escape_md(text: object) -> str:
    """Escape ``text`` so Markdown shows it literally and it carries no HTML, and the
    Markdown file still reads as the text: only an ``&`` that would make an entity and a
    ``<`` that could open markup become entities ("Fish & chips" stays; it was "Fish &amp;
    chips" in the ``.md`` file); a ``>`` is escaped at a line's start (a quote) only."""
    s = NOT_TEXT.sub("", "" if text is None else str(text))
    # Leading indentation makes code blocks, two trailing spaces make <br>.
    s = "\n".join(line.strip(_LINE_EDGE_CHARS) for line in s.split("\n"))
    s = _MD_OPEN.sub("&lt;", _MD_ENTITY.sub("&amp;", s))
    s = _MD_INLINE.sub(r"\\\g<0>", s)
    if s.count("~") > 1:  # GFM strikes out "~50 dead, ~20 hurt" (one tilde or two a side)
        s = s.replace("~", "&#126;")
    # Block markers only matter at the start of a line.
    s = _MD_LINE_START.sub(_escape_line_start, s)
    return s


def _escape_line_start(m: re.Match[str]) -> str:
    lead, mark = m.group(1), m.group(2)
    if mark.isdigit():  # "1984. A year" must not become an ordered list
        return f"{lead}{mark}\\"
    if mark == "=":  # setext underline; '\\=' is not an escape in Python-Markdown
        return f"{lead}&#61;"
    if mark == "~":  # "~~~" opens a code fence in CommonMark, to the end of the file
        return f"{lead}&#126;"
    return f"{lead}\\{mark}"


# -- HTML -------------------------------------------------------------------

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "div", "em", "footer",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "li", "ol", "p",
        "pre", "q", "s", "section", "small", "span", "strong", "sub", "summary", "sup",
        "time", "ul",
    }
)  # fmt: skip
#: Our own class names (templates/CSS); anything else is dropped.
ALLOWED_CLASSES: dict[str, set[str]] = {
    "p": {"counts", "meta", "excerpt", "also-label", "lede", "developing", "order", "toc-label",
          "failing-label", "all-failed", "toc-section", "per-day", "muted",
          "fit", "more-label", "more-left", "also-since", "backlog-label", "earlier"},
    "ul": {"also"},
    "details": {"more"},
    "h2": {"story", "developing", "section", "backlog"},
    "h3": {"story", "developing"},
    "h1": {"title"},
    "span": {"source", "time", "outlet", "dated", "at"},
}
_DROP_WITH_CONTENT = {
    "script", "style", "template", "iframe", "noscript", "textarea", "title",
    "xmp", "noembed", "noframes", "object", "embed", "applet", "svg", "math",
    "select", "option",
}  # fmt: skip
LINK_REL = "noopener noreferrer nofollow"


_FRAGMENT = re.compile(r"#[\w-]{1,200}")


def _in_page(url: str) -> str | None:
    """A relative URL is kept only when it is a link within the page (``#a-story``)."""
    return url if _FRAGMENT.fullmatch(url) else None


def clean_html(html: str) -> str:
    """Sanitize an HTML fragment with nh3 using the digest's allowlist."""
    return str(
        nh3.clean(
            html,
            tags=set(ALLOWED_TAGS),
            clean_content_tags=_DROP_WITH_CONTENT,
            attributes={"a": {"href", "title", "dir"}, "abbr": {"title"}, "time": {"datetime"},
                        "h2": {"id", "dir"}, "h3": {"id", "dir"}, "p": {"dir"}, "strong": {"dir"}, "span": {"dir", "lang"}},
            url_schemes={"http", "https", "mailto"},
            url_relative=_in_page,
            link_rel=LINK_REL,
            allowed_classes=ALLOWED_CLASSES,
            strip_comments=True,
        )
    )


# -- Checker ----------------------------------------------------------------

_ACTIVE_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet",
    "form", "base", "portal", "fencedframe",
}  # fmt: skip
_URL_ATTRS = {
    "href", "src", "action", "formaction", "data", "poster", "background",
    "cite", "longdesc", "codebase", "manifest", "ping", "xlink:href", "srcset",
    "dynsrc", "lowsrc", "icon", "archive", "classid", "profile", "usemap",
}  # fmt: skip
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
_BAD_CSS = re.compile(r"url\s*\(|@import|expression\s*\(|javascript:|behavior\s*:", re.I)


def _scheme_of(value: str) -> str:
    v = _TAB_NEWLINE.sub("", value).strip(_EDGE).lower()
    # Character references are decoded by both parsers; backslash escapes in
    # CSS are not our concern here.
    return v


def _check_element(
    tag: str, attrs: Iterable[tuple[str, str | None]], in_head: bool, out: list[str]
) -> None:
    tag = tag.lower()
    attr_map: dict[str, str] = {}
    for name, value in attrs:
        attr_map[name.lower()] = value or ""
    if tag in _ACTIVE_TAGS:
        out.append(f"<{tag}> element")
    if tag == "style" and not in_head:
        out.append("<style> outside <head>")
    if tag == "meta" and "http-equiv" in attr_map:
        equiv = attr_map["http-equiv"].strip().lower()
        if equiv != "content-security-policy":
            out.append(f"<meta http-equiv={equiv!r}>")
    if tag == "link":
        out.append("<link> element (external resource)")
    for name, value in attr_map.items():
        if name.startswith("on"):
            out.append(f"event handler attribute {name} on <{tag}>")
        elif name in _URL_ATTRS:
            candidates = value.split(",") if name in ("srcset", "ping", "archive") else [value]
            for cand in candidates:
                v = _scheme_of(cand)
                for bad in _BAD_SCHEMES:
                    if v.startswith(bad):
                        out.append(f"{bad} URL in {name} of <{tag}>")
        elif name == "style" and _BAD_CSS.search(value):
            out.append(f"active CSS in style attribute of <{tag}>")
        elif name in ("srcdoc", "formaction"):
            out.append(f"{name} attribute on <{tag}>")


def _check_lxml(html: str, out: list[str]) -> None:
    import lxml.etree
    import lxml.html

    if not html.strip():
        return
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return
    for el in root.iter():
        if not isinstance(el.tag, str):  # comments, processing instructions
            continue
        in_head = any(a.tag == "head" for a in el.iterancestors())
        _check_element(el.tag, el.attrib.items(), in_head, out)
        if el.tag == "style" and _BAD_CSS.search(el.text or ""):
            out.append("url()/@import/expression() in <style>")


class _Tokens(HTMLParser):
    def __init__(self, out: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.out = out
        self.in_head = False
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        self.in_style = tag == "style"
        _check_element(tag, attrs, self.in_head, self.out)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        if tag == "style":
            self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style and _BAD_CSS.search(data):
            self.out.append("url()/@import/expression() in <style>")


def find_active_content(html: str) -> list[str]:
    """Problems a browser would act on in ``html`` (empty list: none found)."""
    found: list[str] = []
    _check_lxml(html, found)
    tok = _Tokens(found)
    tok.feed(html)
    tok.close()
    return list(dict.fromkeys(found))
