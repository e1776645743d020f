"""A link's text found by Python-Markdown without its scan of every character of the paragraph.

Observations
------------
* Python-Markdown (3.6+) finds the ``]`` closing a link's ``[`` by computing, for each index of
  the text, where its bracket closes (``LinkInlineProcessor._findBracketEnds``): a Python loop
  over every character, run again each time the text changes, which it does after each link
  or reference matched.  On a day of 3,000 generated stories it was 4.8 s of the page's 19 s
  (stop 65, "a huge first read"): every story's heading, contents line and outlet links.
* A link's text of ours has no ``[`` of its own: feed text reaches the Markdown escaped
  (``\\[``, ``sanitize.escape_md``), so its first ``]`` closes it.

How it works
------------
:func:`fast_links` gives each link and reference processor of a converter a ``getText`` that
looks for the first ``]`` after the ``[``: with no ``[`` before it, that is where the scan
would have closed the bracket (depth back below the ``[``'s), and the same triple is
returned; a ``[`` before it (nested brackets) or no ``]`` at all goes to the library's own
``getText``.  The HTML is the same byte for byte.
"""

from __future__ import annotations

import types
from typing import Any

import markdown
from markdown.inlinepatterns import LinkInlineProcessor


def _get_text(self: LinkInlineProcessor, data: str, index: int) -> tuple[str, int, bool]:
    close = data.find("]", index)
    if close >= 0 and data.find("[", index, close) < 0:
        return data[index:close], close + 1, True
    return LinkInlineProcessor.getText(self, data, index)


def fast_links(converter: markdown.Markdown) -> markdown.Markdown:
    """``converter`` with its link and reference processors' ``getText`` as above."""
    processors: Any = converter.inlinePatterns
    for proc in processors:
        if isinstance(proc, LinkInlineProcessor):
            proc.getText = types.MethodType(_get_text, proc)  # type: ignore[method-assign]
    return converter
