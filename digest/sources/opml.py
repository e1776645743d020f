"""OPML: the list of feeds a reader exports, read safely.

Observations
------------
Readers export subscriptions as OPML: ``<outline>`` elements with an
``xmlUrl``, nested under category outlines.  Attribute case varies
(``xmlUrl``, ``xmlurl``), names sit in ``title`` or ``text``, and exports
carry duplicates and non-feed links (``mailto:``, ``javascript:``, local
paths).

How it works
------------
* lxml parses with entity resolution, DTD loading and network access off
  and ``huge_tree`` off (libxml2's own size limits stay on): no entity ever
  expands and nothing is fetched or opened.
* Every ``outline`` at any depth with an http(s) ``xmlUrl`` (attribute name
  matched case-insensitively) becomes ``{"name": ..., "url": ...}``, in
  document order.  The name is ``title``, else ``text``, else its host and path
  (``naming.site_name``: it was the whole URL, a password in it, stop 63), its entities decoded
  where the reader escaped them twice (``text="AT&amp;amp;T"``: "AT&T", as a feed's own
  title is, ``fields.title_text``; it was added as "AT&amp;T", stop 55).  The
  folder outlines around it become its ``category`` (``News / Local``), its ``htmlUrl`` (an
  http(s) one) its ``site``.
* :func:`read_opml_report` also says, for each outline not taken, why (no
  URL, not http(s), listed twice); :func:`write_opml` writes the reverse
  (``digest export-opml``).
* An outline with no URL at all (neither ``xmlUrl`` nor a page's ``htmlUrl``/``url``) and
  nothing inside is no subscription: an empty folder, or a reader's own settings (Tiny Tiny
  RSS writes its preferences, labels and filters as ~100 such outlines under ``tt-rss-prefs``,
  ``tt-rss-labels``, ``tt-rss-filters``).  They are counted, not said one by one
  (:func:`passed_line`), nor counted among the list's feeds (the readers review: a TT-RSS
  export printed "(an outline without a name): no feed URL" 28 times and "added 3 of 31
  feeds").  One with a page's URL and no feed's is said, with what to do (``digest add`` it).
* An outline with an ``xmlUrl`` and outlines inside is a feed and a folder: its own feeds
  are taken too (the outer one's name their folder), and what is not a feed inside it is the
  feed's items, passed over in silence (Overcast writes each podcast's episodes so).  Before,
  the feeds inside were lost without a word (the readers review).
* Duplicates are dropped by the feed their URL reads (:func:`digest.text.identity.feed_key`:
  ``http``/``https``, ``www.`` and a trailing ``/`` aside), the first one wins.  A feed in
  two folders (Feedly and Inoreader export a feed once per folder it is in) is said so: it
  keeps the first folder as its category (it said "listed twice in the file").

Special cases
-------------
* Ill-formed XML, a root that is not ``<opml>``, or an empty document raise
  :class:`ParseError` naming the source and the problem.
* A valid OPML file without feeds returns ``[]``.
* An ``xmlUrl`` with a space or a control character in it (``&#133;``, NEL, a line break to
  YAML 1.1) is not a feed URL: it is said not added (stop 47 review: one was written to
  ``feeds.yaml`` folded into another URL, which the next import added again).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ..errors import ParseError, without_password
from ..records import TITLE_CHARS
from ..text.identity import feed_key
from ..text.shown import shorten
from .fields import title_text, visible_name
from .naming import site_name

#: An OPML document's start: a byte-order mark, the XML declaration, comments and a doctype
#: may come before the ``<opml`` root element.
_OPML_START = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]{0,300}\?>\s*)?(?:<!--.{0,2000}?-->\s*|<!DOCTYPE[^>]{0,300}>\s*)*<opml[\s>]",
    re.I | re.S,
)


def is_opml(data: bytes) -> bool:
    """Whether ``data`` starts as an OPML document (its root element is ``<opml>``): a list
    of feeds, neither a feed nor an article."""
    return _OPML_START.match(data[:4096]) is not None


def _attr(node: Any, name: str) -> str:
    for key, value in node.attrib.items():
        if isinstance(key, str) and key.lower() == name:
            return str(value).strip()
    return ""


@dataclass
class OpmlReport:
    """What an OPML document lists: its feeds, and what is not taken."""

    #: ``{"name", "url"[, "category"]}`` in document order.
    feeds: list[dict[str, Any]] = field(default_factory=list)
    #: One line per outline that is not taken and looks like a subscription, saying why.
    skipped: list[str] = field(default_factory=list)
    #: Of those, the outlines with a page's URL and no feed's (a list of saved articles has only those).
    pages: int = 0
    #: The name (or its folder's) of each outline with no URL at all: not a subscription.
    passed: list[str] = field(default_factory=list)
    #: Of ``skipped``, the feeds listed again (in another folder, or twice): one feed each, not
    #: counted again among the list's feeds.
    repeated: int = 0
    #: Of those, the ones in another folder: (their line's index in ``skipped``, the feed's key,
    #: its name, the folder, the first one's folder), the line said "added once" until the
    #: configuration is compared (:func:`listed_again`; stop 62: a feed there already was "added once").
    again: list[tuple[int, str, str, str, str]] = field(default_factory=list)


def passed_line(passed: list[str]) -> str:
    """One line for the outlines with no URL at all, naming a few (``""`` when none)."""
    if not passed:
        return ""
    shown = few([repr(n) for n in dict.fromkeys(n for n in passed if n)])
    one = len(passed) == 1
    return (f"{len(passed)} {'outline' if one else 'outlines'} with no URL at all passed over (empty folders, "
            f"or the reader's own settings){': ' + shown if shown else ''}")


#: How many names a line of ``digest import-opml`` lists before "and N more" (a list may hold
#: hundreds of folders, TT-RSS's settings ~100 outlines): a display limit, not a tuned figure.
FEW_NAMES = 3


def few(names: list[str], shown: int = FEW_NAMES) -> str:
    """``names`` joined by ", ", the first ``shown`` only and "and N more" (``""`` for none)."""
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def categories_line(categories: list[str], existed: set[str]) -> str:
    """What ``digest import-opml`` says of the folders its added feeds got as categories
    (``""``: none): each of them (:func:`few`), and those that were categories already.  It
    named the new categories only: "the list's folders are the new feeds' categories (World)"
    of a list whose other folder, Tech, a configured source had already (stop 50)."""
    if not categories:
        return ""
    old = [c for c in categories if c in existed]
    folders = "folder is the new feeds' category" if len(categories) == 1 else "folders are the new feeds' categories"
    if old == categories:
        had = "a category already" if len(old) == 1 else "all of them categories already"
    elif old:
        had = f"{few(old)} {'was a category' if len(old) == 1 else 'were categories'} already"
    else:
        had = ""
    return (f"the list's {folders} ({few(categories)}{'; ' + had if had else ''}): "
            "the digest shows them as sections (a story of no category under 'Other')")


def _folder(category: str) -> str:
    return f"in the folder {category!r}" if category else "outside any folder"


def listed_again(name: str, category: str, where: str, there: str | None = None, *, unread: bool = False) -> str:
    """The line of a feed listed again in another folder (``category``; first in ``where``):
    added once, in the first one's folder, or there already (as the source ``there``), or
    (``unread``: ``import-opml --check`` could not read it) not added (stop 62 review: it was
    "added once" beside its own "HTTP 404" line)."""
    if unread:
        return f"{name}: listed again {_folder(category)}: not added either (it could not be read)"
    if there is not None:
        return f"{name}: listed again {_folder(category)}: there already (as {there!r})"
    return f"{name}: listed again {_folder(category)}: added once, {_folder(where)} (a source has one category)"


def read_opml(data: bytes, *, source: str) -> list[dict[str, Any]]:
    """The feeds listed in an OPML document: ``[{"name", "url"[, "category"]}]``."""
    return opml_report(data, source=source).feeds


def read_opml_report(data: bytes, *, source: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The feeds of an OPML document, and one line for each outline that is not taken, saying
    why (the outlines with no URL at all in one line, :func:`passed_line`)."""
    report = opml_report(data, source=source)
    line = passed_line(report.passed)
    return report.feeds, report.skipped + ([line] if line else [])


def _parse(data: bytes, source: str) -> Any:
    if not data or not data.strip():
        raise ParseError(source, "not valid OPML: empty document", kind="empty")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=False,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        # libxml2's own words and place, without lxml's "(<string>, line 1)" after them
        line = (getattr(exc, "msg", None) or str(exc) or "syntax error").splitlines()[0][:200]
        raise ParseError(source, f"not valid OPML: {line}") from None
    except (ValueError, MemoryError) as exc:
        raise ParseError(source, f"not valid OPML: {type(exc).__name__}") from None
    if root is None or not isinstance(root.tag, str) or etree.QName(root).localname.lower() != "opml":
        raise ParseError(source, "not an OPML document (no <opml> root element)")
    return root


def _web_url(url: str) -> bool:
    """An http(s) URL with no space or control character in it (a NEL, a line break: YAML 1.1
    folds them)."""
    return url.lower().startswith(("http://", "https://")) and url.isprintable() and not any(c.isspace() for c in url)


def _is_outline(node: Any) -> bool:
    return isinstance(node.tag, str) and etree.QName(node).localname.lower() == "outline"


def opml_report(data: bytes, *, source: str) -> OpmlReport:
    """The feeds of an OPML document, and what is not taken (:class:`OpmlReport`).

    A feed inside folder outlines gets ``category``: the folders' names, outermost
    first, joined by `` / ``.
    """
    root = _parse(data, source)
    report = OpmlReport()
    out, skipped = report.feeds, report.skipped
    seen: dict[str, tuple[str, str]] = {}  # a feed's key: its name and folders, the first time

    def walk(node: Any, folders: tuple[str, ...], in_feed: bool = False) -> None:
        for child in node:
            if not _is_outline(child):
                walk(child, folders, in_feed)  # <body>, or anything a tool wrapped them in
                continue
            label = visible_name(title_text(_attr(child, "title") or _attr(child, "text"), is_html=False))
            url = _attr(child, "xmlurl")
            inner = any(_is_outline(c) for c in child)
            if not url:
                if inner:
                    walk(child, (*folders, label) if label else folders, in_feed)  # a folder
                elif not in_feed:  # under a feed: its items (Overcast's episodes), not subscriptions
                    page = next((u for u in (_attr(child, "htmlurl"), _attr(child, "url"))
                                 if u.lower().startswith(("http://", "https://"))), "")
                    if page:
                        report.pages += 1
                        skipped.append(f"{label or page[:80]}: no feed URL (xmlUrl), only a page's: {page[:200]} "
                                       "('digest add' that page finds the feed it links)")
                    else:
                        report.passed.append(label or (folders[-1] if folders else ""))
                continue
            take(label, url, folders, _attr(child, "htmlurl"))
            if inner:  # a feed that is a folder too: its feeds are taken, its items passed over
                walk(child, (*folders, label) if label else folders, True)

    def take(label: str, url: str, folders: tuple[str, ...], site: str = "") -> None:
        if not _web_url(url):  # a local file or folder (no scheme, or file:): said as ``digest add`` says it
            scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]+):", url)  # not "C:" (a drive)
            local = scheme is None or scheme.group(1).lower() == "file"
            skipped.append(f"{label or url[:80]}: not an http(s) feed URL: {url[:80]!r}"
                           + (" (a local file or folder is a source's 'path:')" if local else ""))
            return
        key = feed_key(url)
        category = shorten(" / ".join(folders), TITLE_CHARS)  # 256 folders deep
        if key in seen:
            report.repeated += 1
            first, where = seen[key]
            if where != category:  # a reader's feed in two folders (Feedly, Inoreader: tags)
                report.again.append((len(skipped), key, label or without_password(url), category, where))
                skipped.append(listed_again(label or without_password(url), category, where))
            else:
                skipped.append(f"{label or without_password(url)}: listed twice in the file (as {first!r} first)")
            return
        name = label or site_name(url)  # not the URL: its password, its token (stop 63)
        seen[key] = (name, category)
        feed: dict[str, Any] = {"name": name, "url": url}
        if category:
            feed["category"] = category
        if _web_url(site):  # the site's page: kept for the export (``site:``)
            feed["site"] = site
        out.append(feed)

    walk(root, ())
    return report


def write_opml(sources: list[dict[str, Any]], *, title: str) -> bytes:
    """An OPML 2.0 document of ``[{"name", "url"[, "category"][, "site"]}]``: a folder outline
    per category (``a / b`` nests), feeds in the order given, a site's page as ``htmlUrl``."""
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(opml, "body")
    folders: dict[tuple[str, ...], Any] = {(): body}
    for src in sources:
        path = tuple(p.strip() for p in (src.get("category") or "").split(" / ") if p.strip())
        for i in range(1, len(path) + 1):
            if path[:i] not in folders:
                folders[path[:i]] = etree.SubElement(folders[path[: i - 1]], "outline", text=path[i - 1])
        outline = etree.SubElement(folders[path], "outline", type="rss", text=src["name"], title=src["name"],
                                   xmlUrl=src["url"])
        if src.get("site"):
            outline.set("htmlUrl", src["site"])
    etree.indent(opml, space="  ")
    return bytes(etree.tostring(opml, xml_declaration=True, encoding="utf-8", pretty_print=True))
