"""A seeded corpus of near-copies that share words unevenly: how many LSH bands an
article shares with each candidate (its votes) decides which stories the engine compares.

The examples do not show it (few candidates per article); these, from 30 sources of 10
entries drawn from 120 base stories, make 87 stories in one process.
"""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime
from pathlib import Path

from digest.dedup.doc import Doc

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _words() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.rglob("*"))
                    if p.is_file() and p.suffix in {".rss", ".atom", ".json", ".md", ".txt", ".html"})
    return sorted({w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)})


def entries(sources: int = 30, per_source: int = 10, seed: int = 7) -> list[list[dict[str, str]]]:
    """Per source, its JSON Feed items (id, title, content_text, url, date_published)."""
    rnd = random.Random(seed)
    words = _words()

    def some(n: int) -> str:
        return " ".join(rnd.choice(words) for _ in range(n))

    base = [(some(8).capitalize(), " ".join(some(15).capitalize() + "." for _ in range(8)))
            for _ in range(120)]
    out = []
    for s in range(sources):
        items = []
        for j in range(per_source):
            title, body = rnd.choice(base)
            if rnd.random() < 0.4:
                body = f"{body} {some(6)}."
            else:
                title = f"{title} {rnd.choice(words)}"
            items.append({"id": f"s{s}-{j}", "title": title, "content_text": body,
                          "url": f"https://s{s}.example/{j}",
                          "date_published": f"2026-11-20T{(s * 10 + j) % 20:02d}:{j:02d}:00Z"})
        out.append(items)
    return out


def docs(**kw: int) -> list[Doc]:
    """The corpus as engine documents, in source order."""
    return [Doc(it["id"], it["title"], it["content_text"], source=f"Source {s}",
                published=datetime.fromisoformat(it["date_published"]).replace(tzinfo=UTC).timestamp())
            for s, items in enumerate(entries(**kw)) for it in items]


def write_feeds(folder: Path, **kw: int) -> str:
    """The corpus as JSON Feed files in ``folder``; the ``sources:`` block naming them."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["sources:"]
    for s, items in enumerate(entries(**kw)):
        path = folder / f"s{s}.json"
        path.write_text(json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": f"S{s}",
                                    "items": items}), encoding="utf-8")
        lines += [f"  - name: Source {s}", f"    path: {path}"]
    return "\n".join(lines) + "\n"
