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
  document order.  The name is ``title``, else ``text``, else the URL.
* Duplicates are dropped by canonical URL (:func:`digest.text.identity.canonical_url`),
  the first one wins.

Special cases
-------------
* Ill-formed XML, a root that is not ``<opml>``, or an empty document raise
  :class:`ParseError` naming the source and the problem.
* A valid OPML file without feeds returns ``[]``.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..errors import ParseError
from ..text.identity import canonical_url
from .feeds import plain


def _attr(node: Any, name: str) -> str:
    for key, value in node.attrib.items():
        if isinstance(key, str) and key.lower() == name:
            return str(value).strip()
    return ""


def read_opml(data: bytes, *, source: str) -> list[dict[str, Any]]:
    """The feeds listed in an OPML document: ``[{"name", "url"}]``."""
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
        line = str(exc).splitlines()[0][:200] if str(exc) else "syntax error"
        raise ParseError(source, f"not valid OPML: {line}") from None
    except (ValueError, MemoryError) as exc:
        raise ParseError(source, f"not valid OPML: {type(exc).__name__}") from None
    if root is None or not isinstance(root.tag, str) or etree.QName(root).localname.lower() != "opml":
        raise ParseError(source, "not an OPML document (no <opml> root element)")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for node in root.iter():
        if not isinstance(node.tag, str) or etree.QName(node).localname.lower() != "outline":
            continue
        url = _attr(node, "xmlurl")
        if not url.lower().startswith(("http://", "https://")) or any(c in url for c in " \r\n\t"):
            continue
        key = canonical_url(url)
        if key in seen:
            continue
        seen.add(key)
        name = plain(_attr(node, "title") or _attr(node, "text"), is_html=False) or url
        out.append({"name": name, "url": url})
    return out
