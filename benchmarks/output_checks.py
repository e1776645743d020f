"""What counts as active content or an outside request in each output digest writes.

Observations
------------
* A digest page is safe when nothing in it runs, loads or submits: no script or event
  handler (``digest.output.sanitize.find_active_content``), no element that fetches a
  resource, every link http(s), mailto or the page's own, and no more ``<style>``,
  ``<meta>`` or ``<link>`` than the template has itself.
* The same checks judge the feed corpus (``benchmarks.hostile_output``), the fuzz run
  (``benchmarks.fuzz_feed``) and the tests (``tests/test_hostile.py``,
  ``tests/test_properties.py``): one definition of "inert" for all.

How it works
------------
:func:`html_findings` (HTML pages and fragments; ``site_links`` admits the web archive's own
links, feed ``<link>`` and search box), :func:`markdown_findings` (raw HTML in Markdown, then
the Markdown converted without a sanitizer), :func:`json_findings` (every ``url`` safe),
:func:`atom_findings` (links, and the HTML ``content`` inert).  Each returns its findings
as short lines; none is a pass.  Any of them also reports ``PASSWD``, the first line of
``/etc/passwd``, wherever it appears.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

from digest.output.sanitize import find_active_content, safe_url

#: The first line of ``/etc/passwd``: a file read through an entity or XInclude shows it.
PASSWD = "root:x:0:0"
#: Elements that load something or take input: never in a digest.
_RESOURCE_TAGS = {
    "img", "picture", "source", "video", "audio", "track", "input", "button",
    "textarea", "select", "svg", "math", "image", "use", "marquee", "canvas",
}  # fmt: skip
_COUNTED = ("style", "meta", "link")
#: A link to a story of the page: its id, or the id percent-encoded (lxml writes it so).
_IN_PAGE = re.compile(r"#(?:[\w-]|%[0-9A-Fa-f]{2})+")
_TAG_OPEN = re.compile(r"<\s*(script|iframe|object|embed|form|base|style|meta|img|link)\b", re.I)


#: The controls of the web archive's own search box (a GET form to /search).
_SEARCH_CONTROLS = {("input", "search", "q"), ("input", "date", "since"), ("button", "submit", None)}


def site_search_form(root: Any) -> Any:
    """The web archive's own search box, when it is the page's only form and has that shape
    exactly (GET to /search; a text box, a day, a button); else None."""
    forms = [el for el in root.iter() if isinstance(el.tag, str) and el.tag.lower() == "form"]
    if len(forms) != 1:
        return None
    form = forms[0]
    controls = {(el.tag, el.get("type"), el.get("name")) for el in form.iter("input", "button", "select", "textarea")}
    attrs = set(form.attrib) - {"class", "role", "style"}
    ok = (form.get("action"), form.get("method"), attrs) == ("/search", "get", {"action", "method"})
    return form if ok and controls <= _SEARCH_CONTROLS else None


def _resource_findings(root: Any, baseline: dict[str, int], site_links: bool) -> list[str]:
    out: list[str] = []
    counts = dict.fromkeys(_COUNTED, 0)
    ours = site_search_form(root) if site_links else None
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in counts:
            counts[tag] += 1
        if ours is not None and tag in ("input", "button") and ours in el.iterancestors():
            continue
        if tag in _RESOURCE_TAGS:
            out.append(f"<{tag}> element")
        if el.get("src") is not None or el.get("srcset") is not None:
            out.append(f"src attribute on <{tag}>")
        for name in ("href", "action", "formaction", "xlink:href"):
            value = el.get(name)
            if value is None or (tag == "link" and site_links and value == "/feed.atom"):
                continue
            v = "".join(value.split()).lower()
            if v.startswith(("http://", "https://", "mailto:")):
                continue
            if _IN_PAGE.fullmatch(value):  # the digest's contents: a link to one of its stories
                continue
            if site_links and v.startswith("/") and not v.startswith("//"):
                continue
            out.append(f"{name}={value[:60]!r} on <{tag}> (not http/https)")
    for tag, n in counts.items():
        if n > baseline.get(tag, 0):
            out.append(f"{n - baseline.get(tag, 0)} extra <{tag}> element(s)")
    return out


def tag_counts(page: str) -> dict[str, int]:
    """How many ``<style>``/``<meta>``/``<link>`` elements a page has (the template's own)."""
    import lxml.html

    if not page.strip():
        return dict.fromkeys(_COUNTED, 0)
    root = lxml.html.document_fromstring(page)
    return {t: sum(1 for _ in root.iter(t)) for t in _COUNTED}


def html_findings(
    page: str, baseline: dict[str, int] | None = None, *, site_links: bool = False
) -> list[str]:
    """Active content or external requests in an HTML page or fragment.

    ``baseline``: element counts of the same template rendered empty
    (:func:`tag_counts`); ``site_links``: allow the web archive's own
    site-relative links, its feed autodiscovery ``<link>`` and its search box
    (:func:`site_search_form`).
    """
    import lxml.html

    found = [
        p
        for p in find_active_content(page)
        if not (site_links and p.startswith("<link>"))  # checked below against the baseline
    ]
    if page.strip():
        try:
            root = lxml.html.document_fromstring(page)
        except Exception as exc:
            return [*found, f"unparseable HTML: {type(exc).__name__}"]
        if site_links and site_search_form(root) is not None:
            found.remove("<form> element")
        found += _resource_findings(root, baseline or {}, site_links)
    if PASSWD in page:
        found.append("contents of /etc/passwd")
    return list(dict.fromkeys(found))


def markdown_findings(md: str) -> list[str]:
    """Raw HTML, or links/images that are not http(s), in Markdown (also once converted)."""
    import markdown

    found = [f"raw <{m.group(1).lower()}> in Markdown" for m in _TAG_OPEN.finditer(md)]
    converted = markdown.markdown(md)
    found += html_findings(converted)
    if PASSWD in md:
        found.append("contents of /etc/passwd")
    return list(dict.fromkeys(found))


def _walk(doc: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield path, k, v
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _walk(v, f"{path}[{i}]")


def json_findings(text: str) -> list[str]:
    """JSON must parse; every ``url`` is null or an http(s) URL that :func:`safe_url` keeps."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        return [f"JSON does not parse: {exc}"]
    found = []
    for path, key, value in _walk(doc):
        if (
            key == "url"
            and value is not None
            and (not isinstance(value, str) or safe_url(value) != value)
        ):
            found.append(f"{path}.url={str(value)[:60]!r} is not a safe http(s) URL")
    if PASSWD in text:
        found.append("contents of /etc/passwd")
    return found


ATOM = "{http://www.w3.org/2005/Atom}"


def atom_findings(text: str, site: str) -> list[str]:
    """The Atom feed parses, links are http(s), its HTML ``content`` is inert."""
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        return [f"Atom does not parse: {exc}"]
    found = []
    for link in root.iter(f"{ATOM}link"):
        href = link.get("href") or ""
        if safe_url(href) is None and not href.startswith(site):
            found.append(f"Atom link {href[:60]!r} is not http(s)")
    for content in root.iter(f"{ATOM}content"):
        if content.get("type") == "html":
            found += [f"Atom content: {p}" for p in html_findings(content.text or "")]
        elif len(content):
            found.append("Atom content carries XML elements")
    if PASSWD in text:
        found.append("contents of /etc/passwd")
    return list(dict.fromkeys(found))
