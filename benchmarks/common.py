"""Shared helpers for the benchmarks: corpus loading, splits, clustering metrics."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping
from math import comb
from pathlib import Path
from typing import Any

SHARED = Path(os.environ.get("DIGEST_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
ECB = SHARED / "corpus" / "stories" / "ecbplus.jsonl"


def load_ecb(split: str) -> list[dict[str, Any]]:
    """ECB+ articles of a split: ``dev`` = odd topics, ``test`` = even topics."""
    rows = [json.loads(line) for line in ECB.read_text(encoding="utf-8").splitlines() if line.strip()]
    odd = split == "dev"
    return [r for r in rows if (int(r["topic"]) % 2 == 1) == odd]


def bcubed(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (per-item averages)."""
    pc: dict[Hashable, set[str]] = defaultdict(set)
    gc: dict[Hashable, set[str]] = defaultdict(set)
    for i in pred:
        pc[pred[i]].add(i)
        gc[gold[i]].add(i)
    p = r = 0.0
    for i in pred:
        inter = len(pc[pred[i]] & gc[gold[i]])
        p += inter / len(pc[pred[i]])
        r += inter / len(gc[gold[i]])
    n = len(pred)
    p, r = p / n, r / n
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def ari(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> float:
    """Adjusted Rand index (Hubert and Arabie)."""
    ids = list(pred)
    n = len(ids)
    cont = Counter((pred[i], gold[i]) for i in ids)
    a = Counter(pred[i] for i in ids)
    b = Counter(gold[i] for i in ids)
    index = sum(comb(v, 2) for v in cont.values())
    sa = sum(comb(v, 2) for v in a.values())
    sb = sum(comb(v, 2) for v in b.values())
    expected = sa * sb / comb(n, 2) if n > 1 else 0.0
    top = (sa + sb) / 2
    return 1.0 if top == expected else (index - expected) / (top - expected)


def pairwise(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> tuple[float, float]:
    """Pairwise precision and recall."""
    ids = list(pred)
    cont = Counter((pred[i], gold[i]) for i in ids)
    tp = sum(comb(v, 2) for v in cont.values())
    pp = sum(comb(v, 2) for v in Counter(pred[i] for i in ids).values())
    gp = sum(comb(v, 2) for v in Counter(gold[i] for i in ids).values())
    return (tp / pp if pp else 1.0), (tp / gp if gp else 1.0)


def mixed_stories(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> int:
    """How many predicted stories hold articles of more than one gold event."""
    events: dict[Hashable, set[Hashable]] = defaultdict(set)
    for i in pred:
        events[pred[i]].add(gold[i])
    return sum(1 for e in events.values() if len(e) > 1)
