"""The articles that add nothing to a story: each joins it silently.  Plain functions of the
engine's state (``digest.dedup.state.EngineState``), as the regrouping is.

* **Copies** (:func:`copies_of`): known articles whose body (with its title) is the same word
  sequence as the new one's, or its opening, naming the same things (``digest.dedup.copies``),
  within the window.  A copy of the same text as one of them, or a truncated summary of a known
  text, adds nothing (:func:`adds_nothing`).
* **Notices** (:func:`notice_home`): a notice ("Retracted: ...", "Article removed") finds the
  report it takes back.
* Either joins its story and its copy group, and nothing else (:func:`add_silent`): thirty
  outlets carrying one wire text would otherwise fill every neighbour list with copies, and the
  rewrites of the same event would share no neighbour with them.
"""

from __future__ import annotations

import re

import numpy as np

from .arrays import Story
from .copies import CopySketch, is_named_copy
from .cosines import cosines
from .doc import Assignment, Doc, title_key
from .fingerprint import Fingerprint
from .params import BUCKET_CAP, PADDED_TEXT, SAME_LENGTH, SAME_TEXT
from .state import EngineState

__all__ = ["add_silent", "adds_nothing", "copies_of", "notice_home"]

#: A label a notice's headline may carry before the headline it takes back ("Retracted: ...").
_NOTICE_LABEL = re.compile(r"^\W*(?:retract(?:ed|ion)|removed|withdrawn|deleted|taken down)\s*[:\u2013\u2014-]\s*", re.I)


def copies_of(s: EngineState, doc: Doc, sk: CopySketch, idx: np.ndarray) -> list[int]:
    """Known articles this one copies (or that copy it): the same word sequence
    (``digest.dedup.copies``) naming the same things (``names_shared``); within the window."""
    if not sk.keys:
        return []
    found = np.unique(s.copy_keys.query(np.array(sk.keys, dtype=np.uint64), BUCKET_CAP))
    if found.size:  # stories quiet for longer than the window are closed
        found = found[s.open(s.col.story[found], doc.published)]
    out = []
    for other in found.tolist():
        osk = s.sketch_of(other)
        if osk is None:
            continue
        if is_named_copy(sk, osk, idx, s.member_terms(other)[0]):
            out.append(other)
    return out


def adds_nothing(s: EngineState, doc: Doc, fp: Fingerprint, copies: list[int]) -> Story | None:
    """The story of the copies found, when the article adds nothing to them and they are
    all in that story; else None.  It adds nothing when it is the same text as one of them
    (cosine at least ``SAME_TEXT`` under the current idf and not over ``SAME_LENGTH`` times
    as long: a clean version a paragraph longer adds that paragraph, whatever the cosine),
    or the same text with site lines the cleaner left around it (``PADDED_TEXT``, when it
    carries site junk, ``Doc.junk``, and is no shorter than the longest full copy), or a
    truncated summary (``Doc.truncated``) no longer than the longest: the opening of a
    text already known.  A version with other sentences, an update from a clean page, or
    an untruncated shorter one keeps its own place in the clustering."""
    if not copies:
        return None
    col = s.col
    story = col.story[copies]
    if (story != story[0]).any():
        return None
    home = s.story_list[int(story[0])]
    if doc.truncated and fp.words <= int(col.words[copies].max()):
        return home
    vidx, val, _w = s.vector(fp)
    nums = np.array(copies, dtype=np.int32)
    sims = cosines(s, vidx, val, nums)
    if float(sims.max()) >= SAME_TEXT and fp.words <= SAME_LENGTH * int(col.words[nums].max()):
        return home
    # padded: the cleaner found site junk in it, and it is no shorter than the full copies
    # (a copy that is cut, a feed summary, is an opening: the text after it adds something)
    full = ~col.truncated[nums]
    if doc.junk > 0 and full.any() and fp.words >= int(col.words[nums[full]].max()):
        return home if float(sims[full].max()) >= PADDED_TEXT else None
    return None


def notice_home(s: EngineState, doc: Doc) -> tuple[int, Story] | None:
    """The article a notice takes back (``Doc.notice``): its outlet's latest one under the
    notice's headline ("Retracted:" and the like before it aside), in a story.  A notice
    is a few words under a headline its outlet used before, which the engine reads as no
    title: clustered, it was a story of its own.  It joins that article's story as a silent
    copy of it (it follows the article when the story is regrouped).  A notice that
    revises an entry (``Doc.revises``: the site replaced the item's text and headline, "Article
    removed") takes back the entry's article, whatever its headline."""
    if not doc.notice:
        return None
    num = s.entries.get(doc.revises, s.num.get(doc.revises)) if doc.revises else None  # its latest text
    if num is None:
        key = title_key(doc.source, _NOTICE_LABEL.sub("", doc.title))
        num = s.titles.get(key) if key is not None else None
        if num is not None and s.col.notice[num]:  # a notice's own headline ("Article removed"): no report's
            num = None
    story = s.story_list[int(s.col.story[num])] if num is not None and s.col.story[num] >= 0 else None
    return (num, story) if num is not None and story is not None else None


def add_silent(
    s: EngineState, doc: Doc, fp: Fingerprint, idx: np.ndarray, copies: list[int], story: Story
) -> Assignment:
    """A copy that adds nothing joins its copies' story and their copy group, and nothing
    else: it is not indexed, counts in no document frequency, is nobody's neighbour and is
    clustered with its copy group, and it is not in the copy lookup.  However many outlets
    carry one text, the stories around it are grouped as if one did (and each further copy
    costs only its copy test and one cosine)."""
    num = s.new_num(doc, fp, idx, fp.weights, fp.top)
    s.col.silent[num] = True
    for o in copies:
        s.union(num, o)
    # no copy keys: later copies find the text it copies (so more than ``BUCKET_CAP``
    # copies do not crowd the one they copy out of the lookup)
    s.nb.set(num, np.zeros(0, np.int32), np.zeros(0, np.float32))
    s.attach(story, num, doc.published)
    return Assignment(doc.id, story.id, False, touched=(story.id,))
