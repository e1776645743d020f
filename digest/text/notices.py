"""Notices by which an outlet takes its report back: "This article has been removed."  Pure.

Observations
------------
* An outlet that removes or retracts a report publishes, as a new entry under the story's
  headline (or its own), a short notice: "This article has been removed.", "This story is no
  longer available.", "Coast News has retracted this article, which reported ...",
  "Editor's note: This article has been retracted. An investigation found ...".  Read as
  text, the first was a copy of the story (no passage, the headline repeats) and the second
  "what's new", while the report taken back stayed the story's lead.
* News about a removal or a retraction names what was removed ("The ministry removed the
  report from its website", "The journal retracted the study"), not *this* text: the notice
  speaks of itself ("this article", "its report").
* Measured for false positives (``python -m benchmarks.notices``): no text of the stories
  corpora (ECB+, GVC), the extraction benchmark's article bodies or the feeds corpus's
  entries is taken for a notice.

How it works
------------
:func:`takedown` reads a cleaned article: a text of at most ``NOTICE_WORDS`` words (a notice
says little else; a text without one is read in its headline) whose first sentence, after an
optional label ("Editor's note:", "Retraction:", "Update:"), says that this
article/story/report/post/page has been removed, taken down, withdrawn, deleted, unpublished
or retracted, is no longer available, or that someone (an outlet, "we") has removed or
retracted this article.  It answers ``"removed"`` or ``"retracted"`` (a retraction disowns
the report; a removal only takes it down), else None.
"""

from __future__ import annotations

import functools
import re

from .params import NOTICE_WORDS

__all__ = ["REMOVED", "RETRACTED", "takedown"]

REMOVED = "removed"
RETRACTED = "retracted"

_WHAT = r"(?:article|story|report|post|page|piece|content|item)"
_REMOVED = r"(?:removed|taken\s+down|withdrawn|deleted|unpublished|pulled)"
_LABEL = r"(?:(?:editor'?s'?\s+note|note|update|retraction|notice|removed|retracted)\s*[:\u2013\u2014-]\s*)?"
#: What may follow "this article has been removed": the sentence's end, a reason or agent, or
#: "from this site"; not another place ("removed from the print edition" is news of the text).
_TAIL = (r"(?=\s*(?:[.!,;:()\u2013\u2014-]|$)|\s+(?:at|because|as|pending|following|due|for|after|while|by|on|"
         r"permanently|temporarily|until)\b|\s+from\s+(?:this|our|the)\s+(?:site|website|web\s*site|page|app|platform)\b)")
#: "This article has been removed", "This story is no longer available", "We have retracted this article".
_NOTICE = re.compile(
    rf"^\W*{_LABEL}(?:"
    rf"this\s+{_WHAT}\s+(?:has\s+been|was|had\s+been|is\s+being|is\s+now)\s+(?P<passive>{_REMOVED}|retracted){_TAIL}"
    rf"|this\s+{_WHAT}\s+is\s+no\s+longer\s+(?P<gone>available)"
    rf"|[\w'’&.\- ]{{1,60}}?\s+(?:has|have|had)\s+(?P<active>removed|retracted|withdrawn|taken\s+down)\s+this\s+{_WHAT}"
    r")\b",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def takedown(title: str, text: str) -> str | None:
    """``"removed"``, ``"retracted"``, or None: whether the article is its outlet's notice
    taking its report back (see the module docstring).  A notice's answer is kept for the last
    1,024 asked (:func:`_notice`): a day's view asks it of each version several times (stop 65:
    30,750 asks of ~7,000 versions for the index's 31 days)."""
    if len(text) > 20 * NOTICE_WORDS:  # an article's text: not split to be counted (each stored one is read)
        return None  # (nor kept: 1,024 texts of up to MAX_TEXT_CHARS held ~200 MB in ``digest serve``)
    return _notice(title, text)


@functools.lru_cache(maxsize=1024)
def _notice(title: str, text: str) -> str | None:
    """:func:`takedown` of a text short enough to be a notice."""
    body = " ".join(text.split()) or " ".join(title.split())
    if not body or len(body.split()) > NOTICE_WORDS:
        return None
    end = _SENTENCE_END.search(body)
    m = _NOTICE.match(body[: end.end()] if end else body)
    if m is None:
        return None
    verb = (m.group("passive") or m.group("active") or "").lower()
    return RETRACTED if verb == "retracted" else REMOVED
