"""A developing story's "what is new" line as the outputs show it (``digest.output.render``).

* :func:`shown_news`: the line, or "" where the heading or the excerpt under it already says it,
  unless the line is new by a figure the reader read the sentence without (stop 41: the excerpt
  holds the changed sentence and does not say what changed).
* :func:`news_parts`: the line in parts, the figures it is new by apart
  (``StoryView.whats_new_figures``), each with the figure it took the place of, for the
  templates to mark; :func:`marked_md` writes them as Markdown, each part escaped
  (``escape_md``), the figures ``**strong**`` (``<strong>`` in HTML and the email) and followed
  by the earlier one, "**4,400** (was 4,000)": the mark and the words are ours, never the
  feed's.  :func:`plain_news` writes them as plain text.
* :func:`after_line`: where a line new by figures opens the lead, the excerpt goes on after it
  (it said the sentence again, its figure unmarked, under the line).
* :func:`outlet_said`, :func:`outlet_parts`: a line in the digest's own words about an outlet
  ("Coast News retracted its report"), the outlet apart, and the page's words after it, if any
  (a report put back at 4,000 homes where its outlet said 4,400 before taking it back).
"""

from __future__ import annotations

from typing import Any

from digest.output.sanitize import escape_md
from digest.text.shown import headline


def outlet_said(line: str, outlet: str) -> str | None:
    """Of a line in the digest's own words that opens with ``outlet`` ("Coast News retracted its
    report": ``StoryView.whats_new_outlet``), the rest, the pages' words; None for a line that
    does not (a version's own words)."""
    return line[len(outlet) + 1 :] if outlet and line.startswith(outlet + " ") else None


#: Between a line in the digest's own words about an outlet and what the outlet's page says
#: that the reader had not read: "Coast News restored its report: about 4,000 homes ...".
OURS_END = ": "


def outlet_parts(line: str, outlet: str, figures: tuple[tuple[int, int, str | None], ...] = ()) -> dict[str, Any]:
    """The outlet a line in the digest's own words names (feed text, isolated in HTML), the
    rest of our words (:func:`outlet_said`), and the page's words after them, if any
    (``OURS_END``), in :func:`news_parts` (``figures``: in ``line``, as ``news_parts``'s);
    "" and [] for a version's words."""
    said = outlet_said(line, outlet)
    if said is None:
        return {"whats_new_outlet": "", "whats_new_said": "", "whats_new_more": []}
    ours, sep, more = said.partition(OURS_END)  # our words hold no OURS_END: taken_back's
    at = len(line) - len(more)
    more_figures = tuple((a - at, b - at, was) for a, b, was in figures if a >= at)
    return {"whats_new_outlet": outlet, "whats_new_said": ours,
            "whats_new_more": news_parts(more, more, more_figures) if sep else []}


def shown_news(line: str, title: str, cut: str, figures: bool = False) -> str:
    """A developing story's "what is new" as the story shows it: "" when the heading or the
    excerpt under it already says it (the new version leads: its headline is the heading,
    its first sentence the excerpt's), unless it is new by ``figures`` the reader read the
    sentence without (the excerpt holds the changed sentence, and does not say what changed)."""
    line = headline(line)  # a new headline as the heading shows one (its site's part cut)
    return "" if line in (title, "") or (line.removesuffix(" …") in cut and not figures) else line


def after_line(text: str, line: str) -> str | None:
    """Of a lead's ``text`` that opens with the whole ``line`` (a line new by figures: the lead's
    first sentence, a toll changed in it), what follows it: the excerpt under the line goes on
    from there, where it said the line's sentence again without its mark.  None where the text
    does not open with it (another version's line; a line cut, "… ")."""
    flat = " ".join(text.split())
    return flat[len(line):].strip() if line and not line.endswith(" …") and flat.startswith(line) else None


def from_line(text: str, line: str) -> str:
    """Of a new version's ``text``, what follows from where it says its "what is new" ``line``
    (a passage the earlier versions did not hold, further in: the entry's excerpt opens with the
    news, stop 63); the text whole where it opens with the line, or does not say it whole."""
    said = " ".join(line.removesuffix(" …").split())
    flat = " ".join(text.split())
    at = flat.find(said) if said else -1
    return flat[at:] if at > 0 else text


def before_line(text: str, line: str) -> str | None:
    """Of a day's version's ``text`` from its first passage with news (``reading.first_news``),
    what comes before it says its "what is new" ``line`` (a line cut short, "… ", by its start):
    the entry's excerpt stops there, as the line over it says the rest (stop 64: the line's
    sentence was said twice in one entry, in the line and again in the excerpt after the
    opening's news).  None where the text opens with the line or does not say it."""
    said = " ".join(line.removesuffix(" …").removesuffix("…").split())
    flat = " ".join(text.split())
    at = flat.find(said) if said else -1
    return flat[:at].strip() if at > 0 else None


def news_parts(
    shown: str, line: str, figures: tuple[tuple[int, int, str | None], ...]
) -> list[dict[str, Any]]:
    """The ``shown`` line (:func:`shown_news` of ``line``) in parts: each its ``text``, whether
    it is one of the ``figures`` it is new by (``new``: (start, end) in ``line``) and the figure
    it took the place of (``was``: "4,000" for "4,400", None where no one figure was), for the
    templates to mark; the line whole where it was not shown as it is."""
    if not shown or shown != line:
        return [{"text": shown, "new": False, "was": None}] if shown else []
    parts: list[dict[str, Any]] = []
    at = 0
    for start, end, was in figures:
        parts += [{"text": line[at:start], "new": False, "was": None},
                  {"text": line[start:end], "new": True, "was": was}]
        at = end
    return [p for p in [*parts, {"text": line[at:], "new": False, "was": None}] if p["text"]]


def was_said(was: str) -> str:
    """What follows a figure changed, in the line's parts: " (was 4,000)" (``was``: as written,
    escaped by the caller where the line is Markdown)."""
    return f" (was {was})"


def plain_news(parts: list[dict[str, Any]]) -> str:
    """A line's :func:`news_parts` as plain text (the email's text part): each figure changed
    followed by the one it took the place of, "4,400 (was 4,000) homes"."""
    return "".join(p["text"] + (was_said(p["was"]) if p["new"] and p["was"] else "") for p in parts)


def _mid_line(text: str) -> str:
    """``escape_md`` of a part of a line that follows "**Developing**: " (never at a line's
    start: a ">" or "1." there opens no quote or list, and is not escaped)."""
    return escape_md("x" + text)[1:]


def marked_md(parts: list[dict[str, Any]], ours: str = "") -> str:
    """A line's :func:`news_parts` as Markdown: each part escaped (``escape_md`` as text in
    the middle of a line, the spaces at its edges kept), the figures it is new by
    ``**strong**``, each followed by the one it took the place of: "**4,400** (was 4,000)".

    ``ours``: for HTML, the pages' language: "(was 4,000)" is the digest's words in a line
    marked in the feed's (``lang="de"``: "was" read as German), in a right-to-left line read
    from its other end; it is set apart in a ``<span>`` of that language, left to right."""
    out = []
    for p in parts:
        text, shown = p["text"], _mid_line(p["text"].strip())
        if p["new"]:
            was = _mid_line(p["was"]) if p["was"] else ""
            if was and ours:
                was = f' <span lang="{ours}" dir="ltr">{was_said(was).strip()}</span>'
            elif was:
                was = was_said(was)
            out.append(f"**{shown}**{was}")
        elif shown:
            out.append(text[: len(text) - len(text.lstrip())] + shown + text[len(text.rstrip()) :])
        else:
            out.append(text)  # spaces only
    line = "".join(out)  # "~50 dead, 5 ~20 hurt": escaped as the whole line would be
    return line.replace("~", "&#126;") if sum(p["text"].count("~") for p in parts) > 1 else line
