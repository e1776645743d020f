"""OPML: the list of feeds a reader exports, read safely.

Outlines with an ``xmlUrl`` (at any depth: categories nest) become
``{"name", "url"}``; non-http(s) URLs are skipped and duplicates dropped.
The XML is parsed with entity resolution, DTD loading and network access off.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from .errors import ParseError


def read_opml(data: bytes, *, source: str) -> list[dict[str, Any]]:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(source, f"not valid OPML: {exc}", kind="parse") from None
    if root is None or etree.QName(root).localname.lower() != "opml":
        raise ParseError(source, "not an OPML document (no <opml> root)", kind="parse")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for node in root.iter("{*}outline", "outline"):
        url = (node.get("xmlUrl") or node.get("xmlurl") or "").strip()
        if not url.lower().startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        name = (node.get("title") or node.get("text") or url).strip()
        out.append({"name": name, "url": url})
    return out
