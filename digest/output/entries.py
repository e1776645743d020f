"""What each stored version of a story is to its outlet, and which stands for which.

Observations
------------
* An outlet's versions of a story are not all reports: an entry updated in place is stored
  again as its revision (``digest.revisions``), a report taken back leaves a notice
  (``digest.text.notices``), and a report taken back may come back, as the entry's text again
  (the same guid) or as a new entry.  Listed alike, the reader saw the outlet report the story
  three times, or a report "removed" that its outlet had put back.
* The engine chooses a story's lead among all its versions, at each change: a day's digest
  rebuilt later (``digest build --date``) found the lead chosen with versions that arrived
  after the day (a notice taking the day's lead back), not the day's.

How it works
------------
* :func:`replaced`: of one entry, the latest version stands for the earlier ones.
  :func:`withdrawn`: a notice stands for its outlet's versions before it (:func:`before`:
  dated before it, as the engine reads it; a report read after its notice but dated before
  it is one it took back, :func:`read_after`).  :func:`restored`:
  a version of the outlet after its notice that is its report again (the same entry, the same
  headline as a report taken back, or nothing those did not say) puts the report back, and
  stands for the notices since the report stood (a removal, then a retraction).
* :func:`day_lead`: a day's lead as the day had it, where its digest's lead was not
  recorded (``days.record_leads``: a day written by an older digest, or one whose versions
  came after it was written).  Where no version arrived after the day,
  or nothing after it changed which of the day's versions may lead, the stored lead stands.
  Otherwise the lead is chosen again among the day's versions by the engine's rules
  (``digest.dedup.lead``) as far as the store keeps their figures: those their outlet took
  back, replaced in place or revised by a version of the day (the stored reason "revised later
  by its outlet", its reviser among the day's) are out, a truncated one while a full one is
  left; the best score and those within ``TIE`` of it, then source priority, fewer junk lines,
  the earliest publication, the higher score.  The scores are today's (the coverage of terms
  the later versions share), the cleanliness comparison is not redone: close enough to give
  back the day's lead where a later version took it away.
* :func:`kinds`: what each version is, for the archive's story page.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from ..dedup.params import TIE
from ..store.base import StoredArticle, aware
from ..text.notices import takedown
from .news import adds_nothing, is_notice, whats_new, words_read
from .reading import Read

#: The reasons the engine stores for a version out of the lead choice by a later one's doing.
_TAKEN_BACK, _REVISED = "removed or retracted by its outlet", "revised later by its outlet"


def arrival(v: StoredArticle) -> tuple[datetime, str]:
    """A version's place in arrival order."""
    return aware(v.fetched), v.key


def entry(v: StoredArticle) -> str:
    """The entry a version is of: its first article's key (``digest.revisions``)."""
    return v.revision_of or v.key


def replaced(versions: Iterable[StoredArticle]) -> set[str]:
    """The versions of an entry updated in place that a later revision of it replaces
    (``digest.revisions``: its page says the revision's text now): of one entry, the latest to
    arrive stands for it."""
    versions = list(versions)
    latest: dict[str, str] = {}
    for v in sorted(versions, key=arrival):
        latest[entry(v)] = v.key
    return {v.key for v in versions} - set(latest.values())


def before(v: StoredArticle, notice: StoredArticle) -> bool:
    """Whether ``notice`` takes ``v`` back, as the engine reads it (``dedup.lead.withdrawn``):
    ``v`` published before it; arrived before it when a time is unknown or the same.  A report
    read after its notice (a late feed's backlog) is still the report it took back."""
    if v.published is not None and notice.published is not None and v.published != notice.published:
        return aware(v.published) < aware(notice.published)
    return arrival(v) < arrival(notice)


def withdrawn(versions: list[StoredArticle], told: list[StoredArticle], back: Collection[str] = ()) -> set[str]:
    """The versions their outlet took back: each notice's (``told``: ``news.notices``) outlet's
    versions in the story before it (:func:`before`; a report put back, ``back``, only by a
    notice that arrived after it).  The notice stands for them in the listing, as an entry's
    latest text stands for the earlier ones (:func:`replaced`): "Also reported by" listed the
    retracted report as any other, and the notice as the outlet's second report of it."""
    notice_keys = {n.key for n in told}
    out = set()
    for n in told:
        out |= {v.key for v in versions if v.outlet_name == n.outlet_name and v.key not in notice_keys
                and (arrival(v) < arrival(n) if v.key in back else before(v, n))}
    return out


def read_after(versions: list[StoredArticle], told: list[StoredArticle]) -> set[str]:
    """The versions a notice (``told``) had taken back before they were read: published before
    a notice of their outlet that arrived before them.  No news: the outlet had already said
    it took the report back."""
    return {v.key for v in versions for n in told
            if v.outlet_name == n.outlet_name and v.key != n.key and arrival(n) < arrival(v) and before(v, n)}


def _same_report(v: StoredArticle, taken: list[StoredArticle], told: list[StoredArticle]) -> bool:
    """Whether ``v`` is the report its outlet took back (``taken``, by the notices ``told``)
    again: the same entry, a headline of one of them, or nothing they did not say."""
    if entry(v) in {entry(t) for t in (*taken, *told)}:
        return True
    heads = {" ".join(t.title.split()).casefold() for t in taken}
    return " ".join(v.title.split()).casefold() in heads or (bool(taken) and adds_nothing(v, taken))


def restored(versions: list[StoredArticle]) -> dict[str, tuple[str, ...]]:
    """The versions that put back a report their outlet took back, each with the notices it
    undoes (key: keys): every notice of the outlet since its report stood, a removal and a
    retraction after it alike.  A later notice takes the report back again."""
    out: dict[str, tuple[str, ...]] = {}
    seen: dict[str, list[StoredArticle]] = {}
    pending: dict[str, list[StoredArticle]] = {}
    for v in sorted(versions, key=arrival):
        outlet = v.outlet_name
        if is_notice(v):
            pending.setdefault(outlet, []).append(v)
            continue
        # a notice published before every report of its outlet read took none of them back
        # (:func:`before`): a report's revision after it puts nothing back
        told = [n for n in pending.get(outlet, []) if any(before(s, n) for s in seen.get(outlet, []))]
        if told and _same_report(v, seen.get(outlet, []), told):
            out[v.key] = tuple(n.key for n in pending[outlet])
            del pending[outlet]
        seen.setdefault(outlet, []).append(v)
    return out


def undone(back: dict[str, tuple[str, ...]]) -> set[str]:
    """The notices the reports put back undo (``back``: :func:`restored`)."""
    return {n for told in back.values() for n in told}


def _detail(v: StoredArticle, key: str) -> object:
    return (v.score_detail or {}).get(key)


def _out_by_day(day: list[StoredArticle]) -> set[str]:
    """The day's versions out of its lead choice by the day's own versions: taken back by a
    notice of the day, replaced in place, revised by a later version of their outlet."""
    notices = [v for v in day if is_notice(v)]
    notice_keys = {n.key for n in notices}
    out = replaced(day) | withdrawn(day, notices, restored(day))
    for v in day:
        if _detail(v, "reason") == _REVISED and any(
            w.outlet_name == v.outlet_name and arrival(w) > arrival(v) and not w.truncated and w.key not in notice_keys
            for w in day
        ):
            out.add(v.key)
    return out


def day_lead(day: list[StoredArticle], lead_key: str, *, later: bool) -> StoredArticle:
    """The lead of a day whose versions were ``day`` (``later``: some arrived after it; the
    story's stored lead: ``lead_key``).  See the module docstring."""
    by_key = {v.key: v for v in day}
    out = _out_by_day(day)
    current = by_key.get(lead_key)
    stale = any(_detail(v, "reason") in (_TAKEN_BACK, _REVISED) and v.key not in out for v in day)
    if current is not None and (not later or (current.key not in out and not stale)):
        return current
    kept = [v for v in day if v.key not in out] or day
    kept = [v for v in kept if not v.truncated] or kept
    best = max(v.score or 0.0 for v in kept)
    close = [v for v in kept if (v.score or 0.0) >= best * (1 - TIE)]

    def key(v: StoredArticle) -> tuple[float, int, float, float, str]:
        published = aware(v.published).timestamp() if v.published is not None else float("inf")
        return (-v.priority, len(v.junk or []), published, -(v.score or 0.0), v.key)

    return min(close, key=key)


def told_order(arrived: datetime | None, published: datetime | None, key: str) -> tuple[datetime, datetime, str]:
    """The order in which versions were told: by arrival, those read in one poll by publication
    (the wire's original before its copies: by key, a copy read with it came "earlier"), then
    key.  No arrival known (a view's version may lack it): its publication stands for it."""
    at = arrived or published or datetime.min.replace(tzinfo=UTC)
    return aware(at), aware(published or at), key


def kinds(versions: list[StoredArticle], lead_key: str) -> dict[str, list[str]]:
    """What each version is, as the archive's story page says it: the lead; an entry's revision
    (updated in place) or its earlier text; a notice taking the report back, a report so taken
    back, a report restored; a copy (adds nothing to the versions that arrived before it; a lead
    that adds nothing is said whose copy it is: the story shows it, it never "adds nothing")."""
    ordered = sorted(versions, key=arrival)
    notices = [v for v in ordered if is_notice(v)]
    back = restored(ordered)
    gone = undone(back)
    taken = withdrawn(ordered, [n for n in notices if n.key not in gone], back)
    earlier_text = replaced(ordered)
    out: dict[str, list[str]] = {}
    read = Read()  # what the versions before said, gathered as they come
    seen: set[str] = set()
    # versions read in one poll in the order they were published: the wire's original before the
    # copies of it (by key, a copy read with it was "earlier", the original its copy)
    told = sorted(versions, key=lambda v: told_order(v.fetched, v.published, v.key))
    for i, v in enumerate(told):
        said = ["lead"] if v.key == lead_key else []
        if (what := takedown(v.title, v.text)) is not None:
            said.append(f"{'retraction' if what == 'retracted' else 'removal'} notice"
                        + ("; undone since" if v.key in gone else ""))
        elif v.key in back:
            said.append("report restored")
        elif v.revision_of:
            said.append("revision: the entry updated in place")
        elif read.grams and adds_nothing(v, [], read, seen):
            # the lead is what the story shows: never "adds nothing", whose copy it may be
            said.append(_repeats(v, told[:i]) if v.key == lead_key else "copy: adds nothing to the earlier versions")
        if v.key in earlier_text:
            said.append("earlier text, updated since")
        if v.key in taken:
            said.append("taken back by its outlet")
        out[v.key] = said
        read.add(v)
        seen |= words_read([v])
    return out


def revision_adds(versions: list[StoredArticle], v: StoredArticle) -> str:
    """What a revision (an entry updated in place) says that its entry's texts read before it
    did not, in one line as a developing story's (:func:`digest.output.news.whats_new`); "" for a
    version that is no revision, a notice (its row says it), or whose news is its new headline
    alone (its row shows that).
    The story page showed a revision and its earlier text with one excerpt when the change came
    after the excerpt's end (a paragraph added): what changed was on the day page only."""
    if not v.revision_of or is_notice(v):
        return ""
    earlier = [w for w in versions if entry(w) == entry(v) and arrival(w) < arrival(v)]
    if not earlier:
        return ""
    line = whats_new([v], earlier, " ".join(v.title.split()))
    return "" if line == " ".join(v.title.split()) else line


def _repeats(lead: StoredArticle, earlier: list[StoredArticle]) -> str:
    """What a lead that repeats the versions before it is, for :func:`kinds`: "copy of Harbor
    Herald's earlier version" (the first one that says all it says), else "copy of the earlier
    versions" (what it says is spread over several); not "adds nothing": the story shows it."""
    first = next((e for e in earlier if not is_notice(e) and adds_nothing(lead, [e])), None)
    name = " ".join((first.outlet_name if first is not None else "").split())
    return f"copy of {name}'s earlier version" if name else "copy of the earlier versions"


def heading_of(lead: StoredArticle, versions: list[StoredArticle]) -> str:
    """The story's heading (a digest's, its page's): its lead's headline; where the lead is its
    outlet's notice taking its report back (the story's one outlet retracted it), the headline
    of the report it took back (the notice's own, "Article removed", names no story)."""
    if not is_notice(lead):
        return lead.title
    gone = withdrawn(versions, [lead])  # the outlet's versions it took back
    taken = [v for v in versions if v.key in gone and not is_notice(v)]
    return max(taken, key=arrival).title if taken else lead.title
