"""Our CSS written onto each element of a sanitized digest, for mail clients.

Mail clients drop ``<style>`` and keep ``style=""`` attributes, so the email's
HTML part carries :data:`EMAIL_STYLES` inline: by (tag, class), then by tag.
The input is already sanitized (``digest.output.sanitize.clean_html``); this
only adds ``style`` attributes of our own.
"""

from __future__ import annotations

from html import escape as html_escape
from typing import Any

#: Email CSS, by (tag, class) then tag.  Mail clients drop <style>; attributes stay.
EMAIL_STYLES: dict[tuple[str, str], str] = {
    ("h1", ""): "font-size:22px;line-height:1.3;margin:0 0 4px 0;color:#111111",
    ("p", "counts"): "font-size:14px;color:#555555;margin:0 0 8px 0",
    ("h2", ""): (
        "font-size:18px;line-height:1.35;margin:24px 0 4px 0;padding-top:16px;"
        "border-top:1px solid #dddddd;color:#111111"
    ),
    ("h3", "story"): (
        "font-size:18px;line-height:1.35;margin:24px 0 4px 0;padding-top:16px;"
        "border-top:1px solid #dddddd;color:#111111"
    ),
    ("h2", "section"): (
        "font-size:13px;letter-spacing:1px;text-transform:uppercase;color:#555555;"
        "margin:32px 0 0 0;padding-top:8px;border-top:3px solid #111111"
    ),
    # the first story under a section's heading: the heading's rule is its rule (as on the page,
    # ``h2.section + h3.story``), not a thin one again under it
    ("h3", "after-section"): "font-size:18px;line-height:1.35;margin:16px 0 4px 0;color:#111111",
    ("p", "meta"): "font-size:13px;color:#666666;margin:0 0 8px 0",
    ("p", "excerpt"): "font-size:15px;line-height:1.55;margin:0 0 8px 0;color:#222222",
    ("p", "also-label"): "font-size:13px;color:#555555;margin:8px 0 2px 0",
    ("p", "developing"): "font-size:14px;color:#a8480f;margin:0 0 6px 0",
    # a developing story's lead read the day before, cut short under the day's excerpt: muted
    ("p", "earlier"): "font-size:13px;line-height:1.5;color:#555555;margin:0 0 8px 0",
    ("ul", ""): "margin:0 0 8px 0;padding-left:20px;font-size:14px;line-height:1.5",
    ("p", "lede"): "font-size:15px;color:#444444",
    ("p", ""): "font-size:15px;line-height:1.55;margin:0 0 8px 0;color:#222222",
    ("a", ""): "color:#0b57d0;text-decoration:underline;word-break:break-word",
    ("strong", ""): "font-weight:600",
    # "new" on a version's line (``*new*``): as the page marks it (``p.meta em, li em``), upright
    # in the warning colour, not in the line's muted grey italics where it was hard to find
    ("em", "new-mark"): "font-style:normal;font-weight:600;color:#a8480f",
    # the line after the closing rule ("Generated ..."): small and muted, as the page's ``hr + p``
    ("hr", ""): "border:0;border-top:1px solid #dddddd;margin:24px 0 8px 0",
    ("p", "after-rule"): "font-size:13px;color:#555555;margin:0 0 8px 0",
    # a figure a developing story's line is new by (strong in the line's span)
    ("strong", "figure"): "font-weight:700;color:#111111;background:#fbe3cf",
    ("a", "in-h2"): "color:#111111;text-decoration:underline;text-decoration-color:#bbbbbb",
    # a date whole on its line (a version's time, a weekly day's count: each fits a phone's
    # line); not an inline block, after which Chromium breaks even before a no-break space:
    # "· adds nothing to Valley Wire" began a line (stop 61)
    ("span", "time"): "white-space:nowrap",
    # the heading's day, smaller: a long one ("Wednesday, 30 September 2026") fits a phone's line;
    # an inline block broken only when wider than the line (nowrap overflowed a phone), nothing after it
    ("span", "time-in-h1"): "display:inline-block;max-width:100%;font-size:17px",
    # a weekly digest's day and its count, its dot in it: as the heading's day (a long locale's
    # ran off a 320 px phone nowrap, stop 61 review)
    ("span", "time-per-day"): "display:inline-block;max-width:100%",
    ("p", "order"): "font-size:14px;color:#555555;margin:0 0 12px 0",
    ("p", "toc-label"): "font-size:14px;color:#555555;margin:0 0 2px 0",
    # a section's name in the contents, as its heading below is written (small capitals, muted)
    ("p", "toc-section"): "font-size:13px;letter-spacing:1px;text-transform:uppercase;color:#555555;margin:6px 0 2px 0",
    # the contents: a title per line, its link most of the line; 14px x 1.8 puts them 25px apart as
    # on the page (at 1.5, 21px: two 16px links closer than WCAG 2.5.8's 24px, stop 62)
    ("ol", ""): "margin:0 0 16px 0;padding-left:24px;font-size:14px;line-height:1.8",
    ("details", ""): "margin:0 0 8px 0;font-size:14px",
    ("summary", ""): "color:#555555;cursor:pointer",
    ("p", "failing-label"): "font-size:14px;color:#a8480f;margin:16px 0 2px 0;font-weight:600",
    ("p", "all-failed"): "font-size:15px;color:#a8480f",
    # a long day's email (digest.output.mailsize): what it shows in full, the titles after
    ("p", "fit"): "font-size:14px;color:#555555;margin:0 0 12px 0",
    ("p", "more-label"): "font-size:14px;color:#555555;margin:16px 0 2px 0",
    ("p", "more-left"): "font-size:14px;color:#555555;margin:0 0 8px 0",
    # stories of earlier digests another outlet carried since, one line each, after the day's
    ("p", "also-since"): "font-size:14px;color:#555555;margin:24px 0 2px 0;padding-top:12px;border-top:1px solid #dddddd",
    # a new source's backlog, one line each, after everything else (under its own h2.section)
    ("p", "backlog-label"): "font-size:14px;color:#555555;margin:12px 0 2px 0",
    # a title listed alone: the link's colour only (its underline is a link's own, its breaking
    # the email's), a few hundred of them fit where the full style took a fifth more
    ("a", "in-more"): "color:#0b57d0",
    # that list: each title is a link alone on its line, a finger's target: 14px x 1.8 puts the
    # lines 25px apart, as WCAG 2.5.8 asks of targets 24px apart (at 1.5, 21px: axe's target-size)
    ("ul", "more-list"): "margin:0 0 8px 0;padding-left:20px;font-size:14px;line-height:1.8",
}


def _more_list(listing: Any) -> bool:
    """Whether ``listing`` is a ``ul``, the list of titles after ``p.more-label``."""
    label = listing.getprevious() if listing is not None and listing.tag == "ul" else None
    return label is not None and label.tag == "p" and "more-label" in (label.get("class") or "").split()


def _in_more(link: Any) -> bool:
    """Whether ``link`` is a title in a list of titles after ``p.more-label``."""
    item = link.getparent()
    return item is not None and item.tag == "li" and _more_list(item.getparent())


def _after_section(heading: Any) -> bool:
    """Whether ``heading`` comes straight after a section's heading (``h2.section``)."""
    before = heading.getprevious()
    return before is not None and before.tag == "h2" and "section" in (before.get("class") or "").split()


def inline_styles(html: str) -> str:
    """Write :data:`EMAIL_STYLES` onto the elements of a sanitized fragment."""
    import lxml.html

    if not html.strip():
        return html
    wrapper = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in wrapper.iter():
        if not isinstance(el.tag, str) or el is wrapper:
            continue
        classes = (el.get("class") or "").split()
        parent = el.getparent()
        if el.tag == "a" and parent is not None and parent.tag in ("h2", "h3"):
            classes.append("in-h2")
        if el.tag == "a" and _in_more(el):
            classes.append("in-more")
        if el.tag == "ul" and _more_list(el):
            classes.append("more-list")
        if el.tag == "strong" and parent is not None and parent.tag == "span":
            classes.append("figure")
        if el.tag == "em" and parent is not None and (
            parent.tag == "li" or (parent.tag == "p" and "meta" in (parent.get("class") or "").split())
        ):
            classes.append("new-mark")
        before = el.getprevious()
        if el.tag == "p" and before is not None and before.tag == "hr":
            classes.append("after-rule")
        if el.tag == "h3" and "story" in classes and _after_section(el):
            classes.insert(0, "after-section")
        if "time" in classes and parent is not None and parent.tag == "h1":
            classes.insert(0, "time-in-h1")
        if "time" in classes and parent is not None and "per-day" in (parent.get("class") or "").split():
            classes.insert(0, "time-per-day")
        style = next(
            (EMAIL_STYLES[(el.tag, c)] for c in classes if (el.tag, c) in EMAIL_STYLES),
            EMAIL_STYLES.get((el.tag, "")),
        )
        if style:
            el.set("style", style)
    inner = html_escape(wrapper.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in wrapper
    )
    return inner
