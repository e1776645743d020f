"""Speed and memory of the dedup engine at 10k, 100k and 1M articles, against datasketch.

Observations
------------
* The engine's work per article is: normalise and tokenise the clean text,
  fingerprint it (weighted terms, MinHash of the salient terms), propose
  candidates (LSH query), find its nearest neighbours among their members,
  regroup the neighbourhood (``digest.dedup.regrouping``), choose the lead,
  and index the article.  This
  benchmark measures exactly ``Engine.add`` on clean text, on one core (no
  multiprocessing inside a measurement).
* The baseline is the straightforward datasketch pipeline: a
  ``MinHash(num_perm=128)`` per article updated token by token with the
  engine's own tokens, then ``MinHashLSH`` (same threshold, same number of
  permutations) query then insert.  It only proposes candidates; it neither
  verifies nor clusters, so the ratio understates the engine's advantage.
* ECB+ has 982 articles; 1M articles are generated from them.  Each
  generated *story* is one ECB+ article in a "world" of its own (world 0 keeps
  the real names; in world w every capitalised word and every number is
  replaced through a per-world mapping, so stories of different worlds are
  different events of the same kind, sharing generic words but not names).
  (A word keeps its punctuation: "Niyazov," becomes "Grisefgri,".)
  Each story has 1-5 *versions*: sentences dropped and swapped, a few words
  substituted, numbers nudged, a different title.  Versions of a story arrive
  close together (stories are emitted in shuffled blocks).  All of it is
  seeded: the same sizes give the same articles.
* Articles are stamped 8.64 s apart (10,000 a day), so the engine's 3-day
  window applies as it would in a large deployment.

How it works
------------
* Each size runs in a fresh child process (``--child``), so its memory
  figures are its own: *retained* memory is the growth of the resident set
  (RSS, from /proc) from just before the first article to after the last
  (after a garbage collection), divided by the articles indexed: bytes per
  indexed article.  *Peak* memory is the child's peak RSS (``ru_maxrss``)
  minus the RSS before the first article.  RSS, not tracemalloc: tracemalloc
  would slow the engine several times over and miss numpy's allocations.
* Speed is only worth having with the grouping intact, so each size also
  prints how the stream was grouped (``stream_quality``): event pair
  precision (an event is an ECB+ event in one world), the recall of a
  story's versions, and the stories that mix worlds.
* Time is the sum of the ``Engine.add`` calls only (article generation is
  excluded); articles/s = articles / that time.
* Query cost: after indexing N articles, 2,000 further generated articles
  are only *queried* (``index.query`` alone, and ``Engine.nearest``:
  propose, then the cosines to every member of the candidate stories: what
  comes before the regrouping), giving µs per query at that index size and the mean
  number of keys the index returned.
* The baseline runs in its own child at the sizes given to ``--baseline``
  (default 10k and 100k; 1M is skipped by default because it takes over an
  hour); the ratio is engine articles/s over baseline articles/s.
* At the same sizes a *floor* runs (``run_floor``): proposing alone, as
  cheaply as CPython does it (whitespace split, a dict of ids, a MinHash of
  24 words, a dict of lists as LSH), and nothing else.  What the engine
  costs beyond it is what normalising, weighting, verifying and clustering
  cost.

    python -m benchmarks.speed [--sizes 10000,100000,1000000] [--baseline 10000,100000]
                               [--quick] [--json FILE]

``--quick`` is ``--sizes 2000 --baseline 2000``.  ``--json`` writes
``{"figures": {...}, "detail": {...}}``; speed floors are machine-dependent
and deliberately not gated.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import itertools
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .common import ECB, ROOT, mixed_stories, pairwise

DAY = 86400.0
#: Seconds between two generated articles (10,000 a day).
STEP = DAY / 10_000
QUERY_SAMPLE = 2000

_SENT = re.compile(r"(?<=[.!?])\s+")
_CAP = re.compile(r"^[A-Z][a-zA-Z'\-]+$")
_NUM = re.compile(r"^\d[\d,.]*$")
_EDGES = re.compile(r"^([^\w]*)(.*?)([^\w]*)$", re.S)
_SYLLABLES = (
    "ka ro mi ta ne vo lu sa di ber gan tor vel mar sin dra el qua fen hol "
    "zu pe ri ko ash lin dor mun tev ira bo cal sef orn ula gri pax yen wu"
).split()
_KEEP = frozenset("The A An In On At Of For And But Or It He She They We I This That "
                  "His Her Their Its As By To From With After Before When While".split())


def _h(*parts: object) -> int:
    data = "\x1f".join(map(str, parts)).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _name(word: str, world: int) -> str:
    h = _h(word, world)
    syl = [_SYLLABLES[(h >> (6 * i)) % len(_SYLLABLES)] for i in range(2 + h % 2)]
    return "".join(syl).capitalize()


class Generator:
    """Deterministic varied articles from the ECB+ corpus (see the module docstring)."""

    def __init__(self, rows: list[dict[str, Any]], seed: int = 0) -> None:
        self.rows = [
            (r["title"].split(), [s.split() for s in _SENT.split(r["text"]) if s.strip()])
            for r in rows
        ]
        #: Each row's ECB+ event (an event of world w is (w, event)).
        self.events = [str(r.get("event", i)) for i, r in enumerate(rows)]
        vocab = sorted({w for _, sents in self.rows for s in sents for w in s if w.isalpha() and w.islower()})
        self.vocab = vocab
        self.seed = seed
        self._world_cache: dict[tuple[int, int], tuple[list[str], list[list[str]]]] = {}

    def _world(self, row: int, world: int) -> tuple[list[str], list[list[str]]]:
        key = (row, world)
        hit = self._world_cache.get(key)
        if hit is not None:
            return hit
        title, sents = self.rows[row]
        if world:
            def tr(token: str) -> str:
                # the word inside its punctuation: "Niyazov," is a name as much as "Niyazov"
                m = _EDGES.match(token)
                assert m is not None  # every part may be empty: it always matches
                lead, w, tail = m.groups()
                if _CAP.match(w) and w not in _KEEP:
                    return lead + _name(w, world) + tail
                if _NUM.match(w):
                    return lead + str(_h(w, world) % 10_000) + tail
                return token

            title = [tr(w) for w in title]
            sents = [[tr(w) for w in s] for s in sents]
        if len(self._world_cache) > 512:
            self._world_cache.clear()
        self._world_cache[key] = (title, sents)
        return title, sents

    def _version(self, story: int, v: int, rng: random.Random) -> tuple[str, str]:
        row = story % len(self.rows)
        title, sents = self._world(row, story // len(self.rows))
        if v == 0:
            return " ".join(title), " ".join(" ".join(s) for s in sents)
        sents = [s for s in sents if rng.random() > 0.15] or sents[:1]
        sents = list(sents)
        for _ in range(rng.randint(0, 2)):
            if len(sents) > 2:
                i = rng.randrange(len(sents) - 1)
                sents[i], sents[i + 1] = sents[i + 1], sents[i]
        vocab = self.vocab
        out = []
        for s in sents:
            words = list(s)
            for _ in range(max(1, len(words) // 20)):
                i = rng.randrange(len(words))
                w = words[i]
                if w.isalpha() and w.islower():
                    words[i] = vocab[rng.randrange(len(vocab))]
                elif w.isdigit() and rng.random() < 0.5:
                    words[i] = str(int(w) + 1)
            out.append(" ".join(words))
        if v % 2 and len(sents) > 1:
            new_title = " ".join(sents[0][: 12])
        else:
            new_title = " ".join(w for w in title if rng.random() > 0.2)
        return new_title, " ".join(out)

    def articles(self) -> Iterator[tuple[str, str, str, float]]:
        """The endless stream of (id, title, text, published); the same for the same seed."""
        made = 0
        block = 0
        while True:
            rng = random.Random(_h(self.seed, block))
            # a block: 70 stories of 1-5 versions each, shuffled together
            items: list[tuple[int, int]] = []
            for s in range(block * 70, block * 70 + 70):
                items.extend((s, v) for v in range(1 + _h(self.seed, "versions", s) % 5))
            rng.shuffle(items)
            for s, v in items:
                title, text = self._version(s, v, random.Random(_h(self.seed, s, v)))
                yield f"s{s}v{v}", title, text, 1.6e9 + made * STEP
                made += 1
            block += 1


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _load_rows() -> list[dict[str, Any]]:
    if not ECB.is_file():
        raise SystemExit(f"{ECB}: ECB+ corpus not found (set DIGEST_SHARED to the shared folder)")
    return [json.loads(line) for line in ECB.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_engine(n: int) -> dict[str, Any]:
    from digest.dedup.engine import Doc, Engine
    from digest.dedup.index import MemoryIndex

    gen = Generator(_load_rows())
    engine = Engine()
    # warm the caches (stemmer, term ids) outside the measurement? No: a cold
    # engine is what a worker starts with; only the background prior is loaded.
    engine.idf.idf(0)
    gc.collect()
    rss0 = _rss()
    spent = 0.0
    clock = time.perf_counter
    stream = gen.articles()
    for aid, title, text, published in itertools.islice(stream, n):
        doc = Doc(id=aid, title=title, text=text, published=published)
        t0 = clock()
        engine.add(doc)
        spent += clock() - t0
    gc.collect()
    rss1 = _rss()
    peak = _peak()
    stories = len(engine.stories())
    quality = stream_quality(engine, gen, n)
    # query cost at this index size: articles that are queried, not added
    qt = ct = 0.0
    keys = 0
    sample = list(itertools.islice(stream, QUERY_SAMPLE))
    fast = isinstance(engine.index, MemoryIndex)
    for aid, title, text, published in sample:
        doc = Doc(id="q" + aid, title=title, text=text, published=published)
        fp = engine.fingerprint(doc)
        t0 = clock()
        found = engine.index.query_num(fp.signature) if fast else list(engine.index.query(fp))
        t1 = clock()
        engine.nearest(doc, fp)
        ct += clock() - t1
        qt += t1 - t0
        keys += len(set(np.asarray(found).tolist())) if fast else len(found)
    return {
        "articles": n,
        "seconds": spent,
        "articles_per_s": n / spent if spent else 0.0,
        "stories": stories,
        **quality,
        "retained_bytes": rss1 - rss0,
        "bytes_per_article": (rss1 - rss0) / n,
        "peak_bytes": peak - rss0,
        "query_us": 1e6 * qt / len(sample),
        "candidates_us": 1e6 * ct / len(sample),
        "keys_per_query": keys / len(sample),
    }


def stream_quality(engine: Any, gen: Generator, n: int) -> dict[str, float]:
    """How the engine grouped the first ``n`` generated articles.  An event is an ECB+ event
    in one world: event pair precision (pairs in one story that are one event), the recall of
    a story's versions (pairs of versions of one generated story kept together), and the
    stories that mix worlds (templated reports of different events merged).  The ids are
    generated again rather than kept during the run, which would count in its memory."""
    rows = len(gen.rows)
    pred: dict[str, str] = {}
    story: dict[str, int] = {}
    for aid, *_ in itertools.islice(gen.articles(), n):
        pred[aid] = engine.story_of(aid)
        story[aid] = int(aid[1:].split("v")[0])
    event = {aid: (s // rows, gen.events[s % rows]) for aid, s in story.items()}
    return {
        "event_pair_precision": pairwise(pred, event)[0],
        "version_pair_recall": pairwise(pred, story)[1],
        "stories_mixing_worlds": mixed_stories(pred, {aid: s // rows for aid, s in story.items()}),
    }


def run_baseline(n: int) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    from digest.dedup.engine import Params
    from digest.dedup.params import NUM_PERM, SEED
    from digest.dedup.terms import tokens

    gen = Generator(_load_rows())
    lsh = MinHashLSH(threshold=Params().lsh_threshold, num_perm=NUM_PERM)
    gc.collect()
    rss0 = _rss()
    spent = 0.0
    clock = time.perf_counter
    keys = 0
    for aid, title, text, _published in itertools.islice(gen.articles(), n):
        t0 = clock()
        m = MinHash(num_perm=NUM_PERM, seed=SEED)
        for tok in tokens(title, text):
            m.update(tok.to_bytes(8, "little"))
        keys += len(lsh.query(m))
        lsh.insert(aid, m)
        spent += clock() - t0
    gc.collect()
    rss1 = _rss()
    return {
        "articles": n,
        "seconds": spent,
        "articles_per_s": n / spent if spent else 0.0,
        "retained_bytes": rss1 - rss0,
        "bytes_per_article": (rss1 - rss0) / n,
        "peak_bytes": _peak() - rss0,
        "keys_per_query": keys / n,
    }


def run_floor(n: int) -> dict[str, Any]:
    """Proposing alone, as cheaply as CPython does it: split the text on whitespace, look each
    word up in a dict of ids, MinHash the first ``SALIENT_TERMS`` distinct ones (numpy), then
    LSH query and insert in a dict of band -> list (the most recent ``BUCKET_CAP`` proposed).
    No normalising, weighting, verifying or clustering: what an engine costs beyond this
    floor is what deciding costs."""
    from digest.dedup.engine import Params
    from digest.dedup.fingerprint import fast_signature
    from digest.dedup.index import MemoryIndex
    from digest.dedup.params import BUCKET_CAP, SALIENT_TERMS

    gen = Generator(_load_rows())
    bands = MemoryIndex(Params().lsh_threshold).b
    ids: dict[str, int] = {}
    lsh: dict[int, list[int]] = {}
    spent = 0.0
    proposed = 0
    clock = time.perf_counter
    for num, (_aid, title, text, _published) in enumerate(itertools.islice(gen.articles(), n)):
        t0 = clock()
        words = dict.fromkeys(f"{title} {text}".lower().split())
        first = [ids.setdefault(w, len(ids)) for w in itertools.islice(words, SALIENT_TERMS)]
        sig = fast_signature(np.array(first, dtype=np.uint32))[:bands].tolist()
        found: list[int] = []
        for band, value in enumerate(sig):
            members = lsh.setdefault(band << 32 | value, [])
            found += members[-BUCKET_CAP:]
            members.append(num)
        spent += clock() - t0
        proposed += len(found)
    return {"articles": n, "seconds": spent, "articles_per_s": n / spent if spent else 0.0,
            "keys_per_query": proposed / n}


def _child(kind: str, n: int) -> dict[str, Any]:
    # one core: numpy's BLAS would otherwise spread the regrouping's matrix products over all
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.speed", "--child", kind, str(n)],
        capture_output=True, text=True, cwd=ROOT, check=False, env=env,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{kind} at {n}: child failed\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _sizes(text: str) -> list[int]:
    return [int(float(x)) for x in text.split(",") if x.strip()]


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--baseline", default="10000,100000", help="sizes for the datasketch baseline ('' = none)")
    ap.add_argument("--quick", action="store_true", help="--sizes 2000 --baseline 2000")
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind, n = args.child[0], int(args.child[1])
        runs = {"engine": run_engine, "baseline": run_baseline, "floor": run_floor}
        res = runs[kind](n)
        print(json.dumps(res))
        return 0
    sizes, base_sizes = _sizes(args.sizes), _sizes(args.baseline)
    if args.quick:
        sizes, base_sizes = [2000], [2000]
    print("engine: Engine.add on clean text, one core; memory is RSS (retained growth / peak over start)")
    figures: dict[str, float] = {}
    engine: dict[int, dict[str, Any]] = {}
    base: dict[int, dict[str, Any]] = {}
    for n in sizes:
        r = engine[n] = _child("engine", n)
        print(f"  {_label(n):>5}: {r['articles_per_s']:8.0f} articles/s  {r['bytes_per_article']:7.0f} B/article "
              f"retained  peak {r['peak_bytes'] / 2**20:7.1f} MiB  {r['stories']} stories  "
              f"query {r['query_us']:.0f} µs ({r['keys_per_query']:.0f} keys)  "
              f"propose+neighbours {r['candidates_us']:.0f} µs", flush=True)
        print(f"         grouping: event pair precision {r['event_pair_precision']:.3f}, version pair recall "
              f"{r['version_pair_recall']:.3f}, {r['stories_mixing_worlds']} stories mixing worlds", flush=True)
    for n in base_sizes:
        r = base[n] = _child("baseline", n)
        line = (f"  baseline {_label(n):>5}: {r['articles_per_s']:8.0f} articles/s  "
                f"{r['bytes_per_article']:7.0f} B/article  ({r['keys_per_query']:.0f} keys/query)")
        if n in engine:
            line += f"  engine/baseline {engine[n]['articles_per_s'] / r['articles_per_s']:.1f}x"
        print(line, flush=True)
    for n in base_sizes:
        r = _child("floor", n)
        ratio = r["articles_per_s"] / base[n]["articles_per_s"]
        figures[f"speed_floor_ratio_to_baseline_{_label(n)}"] = ratio
        print(f"  floor    {_label(n):>5}: {r['articles_per_s']:8.0f} articles/s  = {ratio:.1f}x the baseline: "
              "proposing alone (split, dict ids, MinHash of 24 words, dict LSH query+insert; "
              "no normalising, weighting, verifying or clustering)", flush=True)
    skipped = [n for n in sizes if n not in base]
    if skipped:
        print(f"  baseline not run at {', '.join(map(_label, skipped))} (too slow; --baseline to add)")
    for n, r in engine.items():
        figures[f"speed_articles_per_s_{_label(n)}"] = r["articles_per_s"]
        figures[f"speed_bytes_per_article_{_label(n)}"] = r["bytes_per_article"]
        figures[f"speed_query_us_{_label(n)}"] = r["query_us"]
        figures[f"speed_event_pair_precision_{_label(n)}"] = r["event_pair_precision"]
        if n in base:
            figures[f"speed_ratio_to_baseline_{_label(n)}"] = r["articles_per_s"] / base[n]["articles_per_s"]
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"figures": figures, "detail": {"engine": engine, "baseline": base}}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
