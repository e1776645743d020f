"""Would a hubness-corrected similarity (CSLS, mutual proximity) part two events of one kind?

Observations
------------
* The errors left in the dated close streams are siblings of one ECB+ topic
  (the IE patches, the Endangered Species rulings, the Turkmen elections)
  that share their topic's stock wording: every report of such a topic is
  close to every other, a dense region where each report is a "hub" for the
  rest.  Hubness corrections rescale a pair's similarity by how close each
  one is to its own neighbourhood, so that links in dense regions count less
  relative to the articles' own surroundings:
  CSLS (cross-domain similarity local scaling, Conneau et al. 2018)
  ``2 cos(a, b) - r_a - r_b``, ``r_x`` the mean cosine of x to its k nearest;
  mutual proximity (Schnitzer et al. 2012), empirical: the share of the other
  articles less similar to both a and b than they are to each other.
* At equal cosine, CSLS orders pairs by ``-(r_a + r_b)`` alone: it helps only
  if the errors sit in denser neighbourhoods than the right merges of equal
  cosine.  The engine's shared-neighbour similarity is itself a local,
  rank-based measure (a classical hubness reduction).
* It reads only the tuning splits: ECB+ dev (pairs of one topic, same event
  against sibling; the dated close streams) and GVC val.  Counted before
  building (stop 51).

How it works
------------
*pairs*: each report's vector is the engine's own terms
(``digest.dedup.terms.term_weights``, times the set's idf: ``benchmarks.
sentence_align``'s whole text) and ``benchmarks.pair_auc``'s tf-idf; ``r_x``
over every other report of the set (all topics); the AUC of same-event over
sibling pairs of one topic, all pairs and the 40% most alike by cosine.

*final*: the decisive count.  Each dev close stream (3 seeds) goes through
today's engine on the batch path (``digest.batch.dedupe_records``); the
engine's own unit vectors under its final idf (``EngineState.vectors``) give
the cosine of every pair of the stream, ``r_x`` over the whole stream (an
offline view: later articles count), and also the engine's own neighbour lists
(``r`` = mean of the kept neighbour cosines, at most ``Params.neighbours``).
Of the pairs of one topic the final stories hold, right merges (same event)
against errors (sibling pairs): the AUC of each measure, the AUC within 5
bins of the raw cosine and of the engine's link ("in strata": what the
correction adds at equal cosine, at equal link), per topic holding errors, and
how many right merges a bar at the errors' median would cut.  The engine's own
link (``Engine.pair_link``) is the reference the engine decides with.  The
correction's first use, choosing neighbours, is counted too: the engine's
shared-neighbour similarity over lists of each article's 8 best by cosine, by
CSLS and by mutual proximity; each list's same-event share; and the skewness
of the k-occurrence (how often an article is in others' lists: the usual
measure of hubness).

Counted before building, and not built (``docs/evaluation.md``, "Stop 51"):
the space has no hubs to correct (k-occurrence skewness 0.17), and the errors'
articles sit in *sparser* neighbourhoods than the right merges', so local
scaling ranks the errors over the right merges more, not less.

    python -m benchmarks.hubness [--seeds 0,1,2] [--jobs 2] [--alike 0.4] [--no-final]
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable, Hashable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
from scipy import sparse

from digest.batch import dedupe_records
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .common import load_ecb
from .dated import STREAMS, tuning_pair_sets
from .novelty import auc
from .pair_auc import MEASURES, pair_index
from .sentence_align import align_vectors

KS = (3, 5, 8, 10)
STRATA = 5


def local_mean(cos: np.ndarray, k: int) -> np.ndarray:
    """Each row's mean of its ``k`` largest entries, the diagonal left out (``r_x``)."""
    c = cos.copy()
    np.fill_diagonal(c, -np.inf)
    k = min(k, c.shape[1] - 1)
    return np.sort(c, axis=1)[:, -k:].mean(axis=1)


def mutual_proximity(cos: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Empirical mutual proximity of the pairs (i, j): the share of the other rows less similar
    to both than the two are to each other."""
    n = cos.shape[0]
    out = np.empty(i.size)
    for s in range(0, i.size, 2000):
        a, b = i[s : s + 2000], j[s : s + 2000]
        c = cos[a, b][:, None]
        below = (cos[a] < c) & (cos[b] < c)
        out[s : s + 2000] = below.sum(axis=1) / max(n - 2, 1)  # a and b themselves are never below
    return out


def mp_matrix(cos: np.ndarray) -> np.ndarray:
    """Empirical mutual proximity of every pair (diagonal -inf)."""
    n = cos.shape[0]
    c = cos.copy()
    np.fill_diagonal(c, -1.0)
    out = np.empty_like(c)
    for a in range(n):
        out[a] = ((c[a][None, :] < c[a][:, None]) & (c < c[a][:, None])).sum(axis=1) / max(n - 2, 1)
    np.fill_diagonal(out, -np.inf)
    return out


def shared_from(cos: np.ndarray, score: np.ndarray, i: np.ndarray, j: np.ndarray, k: int = 8,
                floor: float = 0.1, ratio: float = 0.5) -> np.ndarray:
    """The engine's shared-neighbour similarity of the pairs (i, j) (``digest.dedup.neighbours``:
    itself and its ``k`` best at ``floor`` or more, those at ``ratio`` of its nearest's cosine,
    ``|A & B| / min(|A|, |B|)``), the ``k`` best chosen by ``score`` instead of the cosine."""
    n = cos.shape[0]
    s = np.where(cos >= floor, score, -np.inf)
    np.fill_diagonal(s, -np.inf)
    top = np.argsort(-s, axis=1, kind="stable")[:, :k]
    ok = np.isfinite(np.take_along_axis(s, top, axis=1))
    tc = np.where(ok, np.take_along_axis(cos, top, axis=1), -1.0)
    ok &= tc >= ratio * tc.max(axis=1, keepdims=True)
    member = np.zeros((n, n), bool)
    rows = np.repeat(np.arange(n), k).reshape(n, k)
    member[rows[ok], top[ok]] = True
    member[np.arange(n), np.arange(n)] = True
    inter = (member[i] & member[j]).sum(axis=1)
    size = member.sum(axis=1)
    return inter / np.minimum(size[i], size[j])


def neighbour_lists(cos: np.ndarray, event: np.ndarray, watch: np.ndarray, k: int = 8) -> dict[str, tuple[float, ...]]:
    """Per ranking (cosine, CSLS at each k, mutual proximity): the share of each article's ``k``
    best others that are of its event, over all articles and over the ``watch`` ones (those in
    an error pair); and the skewness of the k-occurrence (how often each article is in others'
    lists: the usual measure of hubness; over about 1, a space has hubs)."""
    from scipy.stats import skew

    c = cos.copy()
    np.fill_diagonal(c, -np.inf)
    ranks = {"cosine": c}
    for kk in KS:
        r = local_mean(cos, kk)
        ranks[f"CSLS k={kk}"] = 2 * c - r[:, None] - r[None, :]
    ranks["mutual proximity"] = mp_matrix(cos)
    out: dict[str, tuple[float, ...]] = {}
    for name, s in ranks.items():
        top = np.argsort(-s, axis=1, kind="stable")[:, :k]
        hit = event[top] == event[:, None]
        nk = np.bincount(top.ravel(), minlength=cos.shape[0])
        out[name] = (float(hit.mean()), float(hit[watch].mean()) if watch.any() else float("nan"), float(skew(nk)))
    return out


def measures(cos: np.ndarray, i: np.ndarray, j: np.ndarray, nb_r: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per pair (i, j): raw cosine, CSLS at each k, -(r_i + r_j) at k = 8 (what CSLS adds at
    equal cosine), CSLS with ``r`` from the engine's own lists (``nb_r``, when given), mutual
    proximity, and the engine's shared-neighbour similarity over lists of the 8 best by cosine,
    by CSLS (k 5, 10) and by mutual proximity (the correction used to choose neighbours, its
    first use: retrieval)."""
    raw = cos[i, j]
    out = {"cosine": raw}
    for k in KS:
        r = local_mean(cos, k)
        out[f"CSLS k={k}"] = 2 * raw - r[i] - r[j]
        if k == 8:
            out["-(r_a + r_b) k=8"] = -(r[i] + r[j])
    if nb_r is not None:
        out["CSLS, engine lists"] = 2 * raw - nb_r[i] - nb_r[j]
    out["mutual proximity"] = mutual_proximity(cos, i, j)
    out["shared nbrs, cosine lists"] = shared_from(cos, cos, i, j)
    for k in (5, 10):
        r = local_mean(cos, k)
        out[f"shared nbrs, CSLS k={k} lists"] = shared_from(cos, 2 * cos - r[:, None] - r[None, :], i, j)
    out["shared nbrs, MP lists"] = shared_from(cos, mp_matrix(cos), i, j)
    return out


def strata_auc(score: np.ndarray, pos: np.ndarray, by: np.ndarray) -> float:
    """AUC of ``pos`` over the rest within STRATA quantile bins of ``by``, averaged over bins
    holding both (what ``score`` tells at equal ``by``)."""
    edges = np.quantile(by, np.linspace(0, 1, STRATA + 1))
    bins = np.clip(np.searchsorted(edges, by, side="right") - 1, 0, STRATA - 1)
    vals = [auc(list(score[(bins == b) & pos]), list(score[(bins == b) & ~pos])) for b in range(STRATA)
            if ((bins == b) & pos).any() and ((bins == b) & ~pos).any()]
    return float(np.mean(vals)) if vals else float("nan")


# -- the gold pairs ----------------------------------------------------------------------------


def pairs_table(rows: list[dict[str, Any]], group: Callable[[dict[str, Any]], Hashable], alike_share: float) -> list[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    i, j, same = pair_index(rows, group)
    part, kwargs = MEASURES["words (reference)"]
    spaces = {
        "engine terms": align_vectors(rows, 3).whole,
        "pair_auc tf-idf": TfidfVectorizer(sublinear_tf=True, **kwargs).fit_transform([part(r) for r in rows]),
    }
    lines = [f"  pairs {same.size} ({int(same.sum())} same event)"]
    for space, x in spaces.items():
        cos = np.asarray((x @ x.T).toarray())
        ms = measures(cos, i, j)
        alike = ms["cosine"] >= np.quantile(ms["cosine"], 1.0 - alike_share)
        lines.append(f"  {space}: {'measure':30} {'AUC all':>8} {'AUC alike':>10} {'in strata':>10}")
        for name, m in ms.items():
            lines.append(f"  {'':{len(space) + 1}} {name:30} {auc(list(m[same]), list(m[~same])):8.3f} "
                         f"{auc(list(m[alike & same]), list(m[alike & ~same])):10.3f} "
                         f"{strata_auc(m[alike], same[alike], ms['cosine'][alike]):10.3f}")
    return lines


# -- the engine's own errors -------------------------------------------------------------------


def final_pairs(job: tuple[str, str, int]) -> dict[str, Any]:
    """One dev stream and seed through today's engine: per pair of one topic, its class (merged
    or apart, same or sibling), topic and measures under the engine's own vectors."""
    name, split, seed = job
    records = STREAMS[name](split, seed)
    engine = Engine(Params())
    story = {str(o["id"]): str(o["story"]) for o in dedupe_records(records, engine)}
    state = engine.state
    ids = [str(r["id"]) for r in records]
    nums = np.array([state.num[a] for a in ids], dtype=np.int32)
    terms, val, _w, runs = state.vectors(nums)
    x = sparse.csr_matrix((val, (runs.owner, terms)), shape=(len(ids), int(terms.max()) + 1))
    cos = np.asarray((x @ x.T).toarray())
    nb = state.nb.sims[nums].astype(np.float64)
    kept = nb >= 0  # empty slots are -1
    nb_r = np.where(kept, nb, 0.0).sum(axis=1) / np.maximum(kept.sum(axis=1), 1)
    topic = {str(r["id"]): int(r["topic"]) for r in load_ecb("dev")}
    gold = {str(r["id"]): str(r["event"]) for r in records}
    pi, pj = [], []
    for a, b in itertools.combinations(range(len(ids)), 2):
        if topic[ids[a]] == topic[ids[b]]:
            pi.append(a)
            pj.append(b)
    i, j = np.array(pi), np.array(pj)
    ms = measures(cos, i, j, nb_r)
    merged = np.array([story[ids[a]] == story[ids[b]] for a, b in zip(pi, pj, strict=True)])
    same = np.array([gold[ids[a]] == gold[ids[b]] for a, b in zip(pi, pj, strict=True)])
    link = np.full(i.size, np.nan)
    for k in np.flatnonzero(merged | (same & (cos[i, j] >= 0.3))):
        link[k] = engine.pair_link(ids[i[k]], ids[j[k]])[2]
    ms["engine link"] = link
    watch = np.zeros(len(ids), bool)
    err = merged & ~same
    watch[i[err]] = watch[j[err]] = True
    lists = neighbour_lists(cos, np.array([gold[a] for a in ids]), watch)
    return {"seed": seed, "merged": merged, "same": same, "topic": np.array([topic[ids[a]] for a in pi]),
            "measures": ms, "lists": lists, "watched": int(watch.sum())}


def final_table(runs: list[dict[str, Any]]) -> list[str]:
    merged = np.concatenate([r["merged"] for r in runs])
    same = np.concatenate([r["same"] for r in runs])
    topic = np.concatenate([r["topic"] for r in runs])
    names = list(runs[0]["measures"])
    ms = {n: np.concatenate([r["measures"][n] for r in runs]) for n in names}
    m_same, m_sib = merged & same, merged & ~same
    lines = [f"  merged same {int(m_same.sum())}, merged sibling {int(m_sib.sum())}, apart same "
             f"{int((~merged & same).sum())}, apart sibling {int((~merged & ~same).sum())}",
             f"  {'measure':30} {'AUC merged':>10} {'in strata':>10} {'med. err':>9} {'med. right':>10} "
             f"{'right < err median':>19} {'strata link':>11}  per topic (right / err)"]
    err_topics = sorted({int(t) for t in topic[m_sib]})
    cos = ms["cosine"][merged]
    link = ms["engine link"][merged]
    for n in names:
        m = ms[n]
        right, err = m[m_same], m[m_sib]
        bar = float(np.median(err))
        cut = int((right < bar).sum())
        per = " ".join(
            f"t{t} {auc(list(m[m_same & (topic == t)]), list(m[m_sib & (topic == t)])):.3f}" for t in err_topics)
        lines.append(f"  {n:30} {auc(list(right), list(err)):10.3f} "
                     f"{strata_auc(m[merged], same[merged], cos):10.3f} {bar:9.3f} {np.median(right):10.3f} "
                     f"{cut:6}/{right.size:<6} ({cut / max(right.size, 1):5.1%}) "
                     f"{strata_auc(m[merged], same[merged], link):11.3f}  {per}")
    counts = " ".join(f"t{t} {int((m_same & (topic == t)).sum())}/{int((m_sib & (topic == t)).sum())}"
                      for t in err_topics)
    lines.append(f"  topics holding errors, right / err pairs: {counts}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--alike", type=float, default=0.4, help="share of pairs, most alike by cosine, judged apart")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-final", action="store_true", help="the gold pairs only, no engine runs")
    args = ap.parse_args(argv)
    for name, rows, group in tuning_pair_sets():
        print(name)
        print("\n".join(pairs_table(rows, group, args.alike)))
    if args.no_final:
        return 0
    seeds = [int(s) for s in args.seeds.split(",")]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(final_pairs, [("ecb-close", "dev", s) for s in seeds]))
    print(f"== ecb-close dev, final stories, seeds {args.seeds}: right merges (same event) over errors "
          f"(sibling pairs merged); in strata: within 5 bins of the raw cosine; engine link: Engine.pair_link")
    print("\n".join(final_table(runs)))
    print("== neighbour lists of the same streams (k = 8, the whole stream): same-event share of each "
          "article's 8 best, all articles / those in an error pair; k-occurrence skewness")
    for r in runs:
        print(f"  seed {r['seed']} ({r['watched']} articles in error pairs): " + "; ".join(
            f"{n} {a:.3f} / {b:.3f}, skew {sk:.2f}" for n, (a, b, sk) in r["lists"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
