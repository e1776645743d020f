"""Regrouping a new article's neighbourhood: plain functions over the engine's state.  Pure.

``digest.dedup.neighbours`` says how a neighbourhood is regrouped; this module
applies it to ``digest.dedup.state.EngineState``.

Observations
------------
* An article decided once, in arrival order, is decided on too little: the
  first report of a second event sees only the first event's reports.  So
  each new article's neighbourhood is re-clustered, and earlier articles may
  move (``Assignment.moved``); stores follow with ``move_article``.
* Most regroupings change nothing but the new article's place: that case is
  recognised on arrays and costs one ``EngineState.attach``.

How it works
------------
1. :func:`neighbour`: cosines of the new article to every member of its
   candidate stories (one gather, :func:`cosines.member_cosines`), a templated
   report of another event (alike in words, not in names) scaled down first
   (``cosines.template_gate``); its ``k`` nearest become its list, and it enters the
   lists it beats.  The stories it has a neighbour in, at most
   ``Params.region`` articles, closest first, are the neighbourhood.
2. :func:`regroup`: (a closest story of ``Params.region`` articles or more is
   joined through a sample, ``_join_large``, never regrouped whole)
   shared-neighbour similarity, capped for sparse
   neighbourhoods by the relative and words cosines (``caps.relative_cosine``),
   and in regions of ``Params.profile_size`` or fewer by the contrast of the
   pair's cosines to the others (``profile_cap``: two matches of one club) and,
   where both articles have few neighbours, by their own cosines (``young_cap``), and
   between crowded articles days apart (``crowd_cap``, ``Params.crowd_scale``);
   average linkage at ``Params.shared`` (``_cluster``), copies of one text
   one cluster from the start (their rows averaged; silent copies follow); two
   groups of one event joined when one says nothing the other does not
   (``digest.dedup.contained``).
3. ``_rebuild_region``: each group keeps the id of the old story it holds
   most of (older stories first) or takes its earliest article's id; stories
   left as they were are not touched; emptied stories are gone.

Special cases
-------------
* An article with no neighbour starts a story of its own (:func:`alone`).
* :func:`pair_link` gives ``explain`` the link two known articles have, :func:`pair_caps`
  each cap on it.
"""

from __future__ import annotations

import numpy as np

from .arrays import Story
from .caps import crowd_cap, profile_cap, relative_cosine, young_cap
from .contained import Terms, join_contained
from .cosines import member_cosines
from .doc import Assignment, Doc
from .neighbours import average_linkage, neighbour_sets, shared_similarity
from .offices import office_factor
from .params import LARGE_TRIED, Params
from .state import EngineState
from .storyclock import part_factor


def pair_caps(state: EngineState, a: str, b: str) -> dict[str, float]:
    """Each cap on two known articles' link (``digest.dedup.caps``) that applies to them, by
    name, in the order a regrouping applies them: ``relative_cosine`` always; the profile cap (over their stories and
    neighbours, as a regrouping around them sees them) in a region of 3 to ``profile_size``
    (``profile``); the young cap in a region of ``profile_size`` or fewer (``young``), and there
    the crowd cap (``crowd``, unless ``crowd_scale`` is 0)."""
    nums = np.array([state.num[a], state.num[b]], dtype=np.int32)
    p, nb = state.params, state.nb
    caps = {"relative_cosine": float(relative_cosine(state, nums)[0, 1])}
    col = state.col
    stories = [state.story_list[int(col.story[n])] for n in nums.tolist()]
    around = [nb.nums[nums].ravel()] + [np.frombuffer(st.members, dtype=np.int32) for st in stories if st]
    others = np.unique(np.concatenate(around).astype(np.int32))
    others = others[(others >= 0) & ~np.isin(others, nums)]
    others = others[~col.silent[others]]
    region = np.concatenate([nums, others]).astype(np.int32)
    if 3 <= region.size <= p.profile_size:
        caps["profile"] = float(profile_cap(state, region)[0, 1])
    if region.size <= p.profile_size:
        caps["young"] = float(young_cap(state, region)[0, 1])
        if p.crowd_scale > 0:
            caps["crowd"] = float(crowd_cap(state, region)[0, 1])
    return caps


def pair_factors(state: EngineState, a: str, b: str) -> dict[str, float]:
    """Each factor under 1 on two known articles' link, by name, as ``_region_similarity``
    applies them after the caps: ``time`` (published further apart than ``Params.time_grace``,
    ``EngineState.time_factor``) and ``places`` (each opening names a place the other never
    mentions, ``EngineState.place_factor``) and ``clock`` (both openings state the event's time
    of day and none agrees, ``EngineState.clock_factor``) and ``offices`` (one office, two
    holders, or one person elected and in office: ``digest.dedup.offices``).  Empty: the link
    counts fully."""
    nums = np.array([state.num[a], state.num[b]], dtype=np.int32)
    out: dict[str, float] = {}
    for name, f in (("time", state.time_factor(nums)), ("places", state.place_factor(nums)),
                    ("clock", state.clock_factor(nums)),
                    ("offices", office_factor(state.params.office_factor, state.offices, nums))):
        if f is not None and float(f[0, 1]) < 1.0:
            out[name] = float(f[0, 1])
    return out


def story_gap(state: EngineState, a: str, b: str) -> float | None:
    """Seconds between one known article's publication and the other's story (before its first
    version or after its latest, as ``EngineState.open`` measures it), the less of the two ways:
    beyond ``Params.window`` neither story was open to the other, so they were never compared.
    None when either is undated or its story is."""
    col, sc = state.col, state.scol
    gaps = []
    for x, y in ((a, b), (b, a)):
        t, s = col.published[state.num[x]], col.story[state.num[y]]
        gaps.append(max(sc.first[s] - t, t - sc.last[s]))
    if any(np.isnan(g) for g in gaps):  # (min() of a NaN depends on the order)
        return None
    return max(float(min(gaps)), 0.0)


def pair_link(
    state: EngineState, a: str, b: str, caps: dict[str, float] | None = None,
    factors: dict[str, float] | None = None,
) -> tuple[float, float, float]:
    """Two known articles' shared-neighbour similarity, the cap on it (the least of
    ``pair_caps``; ``caps``: those already read), and the link the regrouping uses: their
    minimum times ``pair_factors`` (``factors``: those already read), as near as two articles
    tell it (a regrouping's region is the stories around its new article, so its third
    articles may differ)."""
    nums = np.array([state.num[a], state.num[b]], dtype=np.int32)
    nb = state.nb
    sets = neighbour_sets(nums, nb.nums[nums], nb.sims[nums], state.params.neighbour_ratio)
    shared = float(shared_similarity(sets)[0, 1])
    cap = min((pair_caps(state, a, b) if caps is None else caps).values())
    link = min(shared, cap)
    for f in (pair_factors(state, a, b) if factors is None else factors).values():
        link *= f
    return shared, cap, link


def neighbour(
    state: EngineState, num: int, vidx: np.ndarray, val: np.ndarray, sts: list[Story], copies: list[int]
) -> list[Story]:
    """Update the neighbour lists with article ``num``; the stories it has a neighbour in
    (closest first).  Copies of one text are neighbours whatever the cosine; its source's own
    words are no evidence between it and the source's other articles (:func:`cosines`)."""
    if not sts:
        state.nb.set(num, np.zeros(0, np.int32), np.zeros(0, np.float32))
        return []
    own = state.own_terms(state.sources[int(state.col.source[num])], vidx)
    members, sims = member_cosines(state, vidx, val, sts, own)
    ok = sims >= state.params.neighbour_floor
    if copies:
        copy = np.isin(members, np.array(copies, dtype=np.int32))
        sims[copy], ok[copy] = 1.0, True
    near, nsims = members[ok], sims[ok].astype(np.float32)
    state.nb.set(num, near, nsims)
    state.nb.offer(num, near, nsims)
    best: dict[int, float] = {}
    story_of = state.col.story
    for m, x in zip(near.tolist(), nsims.tolist(), strict=True):
        s = int(story_of[m])
        best[s] = max(best.get(s, -1.0), x)
    out = [st for st in sts if st.num in best]
    out.sort(key=lambda st: (-best[st.num], st.seq))
    return out


def alone(state: EngineState, num: int, doc: Doc) -> Assignment:
    """Article ``num`` starts a story of its own."""
    story = state.new_story(doc.id, doc.published)
    state.attach(story, num, doc.published)
    return Assignment(doc.id, story.id, True, touched=(story.id,))


def regroup(state: EngineState, num: int, doc: Doc, near: list[Story]) -> Assignment:
    """Regroup the new article and the stories near it (``digest.dedup.neighbours``)."""
    p = state.params
    nodes = _nodes(state, near[0])
    if nodes >= p.region:
        return _join_large(state, num, doc, near)
    region: list[Story] = [near[0]]
    size = 1 + nodes
    for st in near[1:]:
        nodes = _nodes(state, st)
        if size + nodes > p.region:
            break
        region.append(st)
        size += nodes
    nums = np.concatenate(
        [np.array([num], np.int32)] + [np.frombuffer(st.members, dtype=np.int32) for st in region]
    )
    labels = _cluster(state, nums)
    old = state.col.story[nums]  # story numbers (the new article's is not set yet)
    old[0] = -1
    groups: dict[int, list[int]] = {}
    for pos, lab in enumerate(labels.tolist()):
        groups.setdefault(lab, []).append(pos)
    olds, labs = old[1:].tolist(), labels[1:].tolist()
    # no old story split, no two old stories in one group
    whole = len(set(olds)) == len(set(zip(olds, labs, strict=True))) == len(set(labs))
    if whole:  # nothing moves: the article joins one story or starts its own
        mates = [q for q in groups[int(labels[0])] if q]
        if not mates:
            return alone(state, num, doc)
        joined = state.story_list[int(old[mates[0]])]
        assert joined is not None
        state.attach(joined, num, doc.published)
        return Assignment(doc.id, joined.id, False, touched=(joined.id,))
    return _rebuild_region(state, num, doc, nums, labels, old, groups, region)


def _nodes(state: EngineState, st: Story) -> int:
    """The story's articles that are clustered (its silent copies follow their groups)."""
    members = np.frombuffer(st.members, dtype=np.int32)
    return members.size - int(np.count_nonzero(state.col.silent[members]))


def _cluster(state: EngineState, nums: np.ndarray) -> np.ndarray:
    """Average linkage of the articles ``nums`` at ``Params.shared``: a cluster label each
    (``_grouped``); then, with ``Params.story_clock_factor`` under 1, a report whose stated
    time of day most of its group's stating reports contradict (``digest.dedup.storyclock``)
    has its links to its group counted that share, and the region is grouped again, once."""
    labels = _grouped(state, nums)
    p = state.params
    if p.story_clock_factor >= 1.0:
        return labels
    damp = part_factor(p.story_clock_factor, labels, [state.clocks.get(n) for n in nums.tolist()], p.story_clock_least,
                       state.col.group[nums])
    return labels if damp is None else _grouped(state, nums, damp)


def _grouped(state: EngineState, nums: np.ndarray, damp: np.ndarray | None = None) -> np.ndarray:
    """Average linkage of the articles ``nums`` at ``Params.shared`` over their similarity
    (times ``damp``, per pair of ``nums``, when given): a cluster label each.

    Copies of one text are one cluster from the start: their rows of the similarity are
    averaged into one (what average linkage would do had it merged them first; a tie at 1
    would not keep them together once one of them merged with a third article).  A silent
    copy (``silent.add_silent``) is left out of that average: it only follows its group,
    unless no other copy of its group is among ``nums``."""
    col = state.col
    group = col.group[nums]
    keys, first, inv = np.unique(group, return_index=True, return_inverse=True)
    if not state.groups or keys.size == nums.size:
        sim = _region_similarity(state, nums)
        return linkage(state.params, sim if damp is None else sim * damp, col.published[nums], col.story[nums],
                       _terms_of(state, nums))
    rank = np.argsort(np.argsort(first))  # clusters in order of first appearance
    owner_of = rank[inv.reshape(-1)]
    silent = col.silent[nums]
    node = ~silent | ~np.isin(group, group[~silent])
    sim = _region_similarity(state, nums[node])
    if damp is not None:
        sim = sim * damp[np.ix_(node, node)]
    owner = owner_of[node]
    counts = np.bincount(owner, minlength=keys.size).astype(np.float64)
    rows = np.zeros((keys.size, sim.shape[1]))
    np.add.at(rows, owner, sim)
    merged = np.zeros((keys.size, keys.size))
    np.add.at(merged.T, owner, rows.T)
    merged /= np.outer(counts, counts)
    np.fill_diagonal(merged, 1.0)
    times = np.full(keys.size, np.inf)
    np.minimum.at(times, owner, np.nan_to_num(col.published[nums[node]], nan=np.inf))
    times[np.isinf(times)] = np.nan
    old = np.full(keys.size, -1, dtype=np.int64)
    old[owner] = col.story[nums[node]]
    rep = np.full(keys.size, -1, dtype=np.int64)  # each cluster's first clustered article
    for pos in range(int(node.sum()) - 1, -1, -1):
        rep[owner[pos]] = nums[node][pos]
    return linkage(state.params, merged, times, old, _terms_of(state, rep.astype(np.int32)))[owner_of]


def _terms_of(state: EngineState, nums: np.ndarray) -> Terms:
    """Rows ``idx`` of ``nums`` -> each article's term indices (read only when asked)."""

    def read(idx: np.ndarray) -> list[np.ndarray]:
        terms, _w, runs = state.gather_bytes(nums[idx])
        return [terms[a : a + n] for a, n in zip(runs.starts.tolist(), runs.lens.tolist(), strict=True)]

    return read


def linkage(
    p: Params, sim: np.ndarray, times: np.ndarray, old: np.ndarray, terms: Terms | None = None
) -> np.ndarray:
    """Average linkage of ``sim`` at ``Params.shared`` (``times``: publication, ``old``: the
    story each article is in before this regrouping, -1 for none), then a check of early
    versions: where a group's earliest article precedes all its (``lead_peers`` or more)
    others by over ``lead_gap`` and leaves versions of its own story for them, its links to
    them count ``lead_factor`` and the articles are grouped again.  The first report of an
    event comes within hours of it; one published a day before every other report, whose
    own story stays elsewhere, reports an earlier event of the same kind (an original
    report its follow-ups join days later keeps its story: it is not parted from it)."""
    labels, cut = _linked(p, sim, times, old)
    # the join reads the links the linkage cut on: an early version's, counted less, do not join
    # its group to the later event's again (``sim`` there undid the check of early versions)
    return labels if terms is None else join_contained(p, cut, labels, terms)


def _linked(p: Params, sim: np.ndarray, times: np.ndarray, old: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average linkage with the check of early versions (``linkage``): the labels, and the
    similarity they were cut on (``sim``, or its copy with an early version's links damped)."""
    labels = average_linkage(sim, p.shared)
    if p.lead_gap <= 0 or sim.shape[0] <= p.lead_peers:
        return labels, sim
    damped = None
    for lab in np.unique(labels).tolist():
        idx = np.flatnonzero(labels == lab)
        t = times[idx]
        if idx.size <= p.lead_peers or np.isnan(t).any():
            continue
        order = np.argsort(t, kind="stable")
        first, rest = int(idx[order[0]]), idx[order[1:]]
        if float(t[order[1]] - t[order[0]]) <= p.lead_gap or old[first] < 0:
            continue
        if not ((old == old[first]) & (labels != lab)).any():  # not parted from its story
            continue
        if damped is None:
            damped = sim.copy()
        damped[first, rest] *= p.lead_factor
        damped[rest, first] *= p.lead_factor
    return (labels, sim) if damped is None else (average_linkage(damped, p.shared), damped)


def _region_similarity(state: EngineState, nums: np.ndarray) -> np.ndarray:
    """Shared-neighbour similarity of the articles ``nums``, capped by ``caps.relative_cosine``
    (copies of one text are kept together by ``_cluster``), times the time factor and the
    places factor (``EngineState.place_factor``: two openings naming places the other never
    mentions) and the clock factor (``EngineState.clock_factor``: two openings stating event
    times of day none of which agree) and the offices factor (``digest.dedup.offices``: one
    office named with two holders, one person elected in one and in office in the other)."""
    nb = state.nb
    sets = neighbour_sets(nums, nb.nums[nums], nb.sims[nums], state.params.neighbour_ratio)
    sim = np.minimum(shared_similarity(sets), relative_cosine(state, nums))
    if 3 <= nums.size <= state.params.profile_size:
        sim = np.minimum(sim, profile_cap(state, nums, sim > 0))
    if nums.size <= state.params.profile_size:
        sim = np.minimum(sim, young_cap(state, nums))
        if state.params.crowd_scale > 0:
            sim = np.minimum(sim, crowd_cap(state, nums))
    factor = state.time_factor(nums)
    if factor is not None:
        sim = sim * factor
    places = state.place_factor(nums)  # openings naming places the other never mentions
    if places is not None:
        sim = sim * places
    clock = state.clock_factor(nums)  # openings stating event times none of which agree
    if clock is not None:
        sim = sim * clock
    offices = office_factor(state.params.office_factor, state.offices, nums)  # one office, two holders
    return sim if offices is None else sim * offices


def _join_large(state: EngineState, num: int, doc: Doc, near: list[Story]) -> Assignment:
    """The closest story has ``Params.region`` clustered articles or more (a story a
    thousand outlets carry in their own words): regrouping it whole would cost its size
    squared for every new version.  Such a story is settled: the new article is clustered
    with a sample of it (``_groups_with_sample``) and joins it if it groups with any of
    them; the story itself is never split here.  When it does not, the next large story
    near it is tried the same way (an aftershock's report may be closest to the main
    quake's story), ``LARGE_TRIED`` of them at most; then the stories near it that are not
    large are regrouped as usual."""
    p = state.params
    large = [st for st in near if _nodes(state, st) >= p.region][:LARGE_TRIED]  # near[0] first
    for big in large:
        if _groups_with_sample(state, num, big):
            state.attach(big, num, doc.published)
            return Assignment(doc.id, big.id, False, touched=(big.id,))
    rest = [st for st in near if _nodes(state, st) < p.region]
    return regroup(state, num, doc, rest) if rest else alone(state, num, doc)


def _groups_with_sample(state: EngineState, num: int, big: Story) -> bool:
    """Whether article ``num`` groups with a sample of the large story ``big``: its
    neighbours there, then the most recent versions, ``Params.region`` articles in all."""
    p = state.params
    mine = state.nb.nums[num]
    mine = mine[mine >= 0]
    mine = mine[state.col.story[mine] == big.num]  # its neighbours in the story
    members = np.frombuffer(big.members, dtype=np.int32)
    recent = members[~state.col.silent[members]][-(p.region - 1) :]
    sample = np.concatenate([mine, recent[~np.isin(recent, mine)]])[: p.region - 1]
    labels = _cluster(state, np.concatenate([[num], sample]).astype(np.int32))
    return bool((labels[1:] == labels[0]).any())


def _rebuild_region(
    state: EngineState, num: int, doc: Doc, nums: np.ndarray, labels: np.ndarray, old: np.ndarray,
    groups: dict[int, list[int]], region: list[Story],
) -> Assignment:
    """Apply a regrouping that moves articles: each group keeps the id of the old story it
    holds most of (older stories first), or takes its earliest article's id."""
    by_num = {st.num: st for st in region}
    overlap: dict[tuple[int, int], int] = {}
    for lab, g in groups.items():
        for q in g:
            if q:
                key = (lab, int(old[q]))
                overlap[key] = overlap.get(key, 0) + 1
    chosen: dict[int, Story] = {}
    used: set[int] = set()
    for (lab, snum), _n in sorted(overlap.items(), key=lambda kv: (-kv[1], by_num[kv[0][1]].seq)):
        if lab not in chosen and snum not in used:
            chosen[lab], used = by_num[snum], used | {snum}
    old_ids = {st.num: st.id for st in region}
    kept = set(old_ids.values())
    gone = [st for st in region if st.num not in used]
    for st in gone:
        state.drop_story(st)
    taken = state.stories  # a new story's id is taken as it is made
    for lab in sorted(groups):
        if lab in chosen:
            continue
        members = sorted(int(nums[q]) for q in groups[lab])
        sid = next((i for m in members if (i := state.ids[m]) not in taken), "")
        if not sid:
            sid = f"{state.ids[members[0]]}~{state.seq + 1}"
        chosen[lab] = state.new_story(sid, None)
    state.col.story[num] = -1
    moved: list[tuple[str, str]] = []
    changed: list[str] = []
    for lab in sorted(groups):
        g, st = groups[lab], chosen[lab]
        members = sorted(int(nums[q]) for q in g)
        if st.id in kept and members == sorted(st.members):
            continue  # a story the regrouping left as it was
        for q in g:
            if q and old_ids[int(old[q])] != st.id:
                moved.append((state.ids[int(nums[q])], st.id))
        state.rebuild(st, members)
        changed.append(st.id)
    story = chosen[int(labels[0])]
    return Assignment(
        doc.id, story.id, story.id not in kept,
        merged=tuple(st.id for st in gone), moved=tuple(sorted(moved)), touched=tuple(changed),
    )
