"""A developing story's "what is new" line as the outputs show it (``digest.output.render``).

* :func:`shown_news`: the line, or "" where the heading or the excerpt under it already says it,
  unless the line is new by a figure the reader read the sentence without (stop 41: the excerpt
  holds the changed sentence and does not say what changed).
* :func:`news_parts`: the line in parts, the figures it is new by apart
  (``StoryView.whats_new_figures``), for the templates to mark; :func:`marked_md` writes them as
  Markdown, each part escaped (``escape_md``), the figures ``**strong**`` (``<strong>`` in HTML
  and the email): the mark is ours, never the feed's.
* :func:`outlet_said`, :func:`outlet_parts`: a line in the digest's own words about an outlet
  ("Coast News retracted its report"), the outlet apart.
"""

from __future__ import annotations

from typing import Any

from digest.output.sanitize import escape_md
from digest.records import one_line


def outlet_said(line: str, outlet: str) -> str | None:
    """Of a line in the digest's own words that opens with ``outlet`` ("Coast News retracted its
    report": ``StoryView.whats_new_outlet``), the rest, the pages' words; None for a line that
    does not (a version's own words)."""
    return line[len(outlet) + 1 :] if outlet and line.startswith(outlet + " ") else None


def outlet_parts(line: str, outlet: str) -> dict[str, str]:
    """The outlet a line in the digest's own words names (feed text, isolated in HTML) and the
    rest (:func:`outlet_said`); "" for a version's words."""
    said = outlet_said(line, outlet)
    return {"whats_new_outlet": outlet if said is not None else "", "whats_new_said": said or ""}


def shown_news(line: str, title: str, cut: str, figures: bool = False) -> str:
    """A developing story's "what is new" as the story shows it: "" when the heading or the
    excerpt under it already says it (the new version leads: its headline is the heading,
    its first sentence the excerpt's), unless it is new by ``figures`` the reader read the
    sentence without (the excerpt holds the changed sentence, and does not say what changed)."""
    line = one_line(line)
    return "" if line in (title, "") or (line.removesuffix(" …") in cut and not figures) else line


def news_parts(shown: str, line: str, figures: tuple[tuple[int, int], ...]) -> list[dict[str, Any]]:
    """The ``shown`` line (:func:`shown_news` of ``line``) in parts: each its ``text`` and whether
    it is one of the ``figures`` it is new by (``new``: (start, end) in ``line``), for the
    templates to mark; the line whole where it was not shown as it is."""
    if not shown or shown != line:
        return [{"text": shown, "new": False}] if shown else []
    parts, at = [], 0
    for start, end in figures:
        parts += [{"text": line[at:start], "new": False}, {"text": line[start:end], "new": True}]
        at = end
    return [p for p in [*parts, {"text": line[at:], "new": False}] if p["text"]]


def marked_md(parts: list[dict[str, Any]]) -> str:
    """A line's :func:`news_parts` as Markdown: each part escaped (``escape_md``, the spaces at
    its edges kept), the figures it is new by ``**strong**``."""
    out = []
    for p in parts:
        text, shown = p["text"], escape_md(p["text"])
        if p["new"]:
            out.append(f"**{shown}**")
        elif shown:
            out.append(text[: len(text) - len(text.lstrip())] + shown + text[len(text.rstrip()) :])
        else:
            out.append(text)  # spaces only
    line = "".join(out)  # "~50 dead, 5 ~20 hurt": escaped as the whole line would be
    return line.replace("~", "&#126;") if sum(p["text"].count("~") for p in parts) > 1 else line
