"""Review (stop 39): docs/design.md's invariants against the code, where no test held them.

Invariant 1 says the same input in the same order gives the same story ids *in any process*:
no test ran two processes (Python salts its string hashes per process, so an id or an order
that leaned on a set of strings would differ).  Invariant 4 says the engine is rebuilt with
the articles of the last *two* windows: the tests checked that the oldest leave, not that
the second window stays.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from digest.engines import rebuilt_engine
from digest.records import Entry
from digest.runreport import RunReport
from tests.support.config import MakeApp
from tests.support.fixtures import NOW

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
STORIES = FIXTURES / "stories"


def _records() -> list[dict[str, str]]:
    """The story fixtures as ``digest dedupe`` input: two quakes, two matches of one club, two
    council decisions, a derby; the versions of one event apart in the order, so stories regroup."""
    out = []
    for n, f in enumerate(sorted(STORIES.glob("*.txt"), key=lambda p: (p.stem[-1], p.stem))):
        title, _, text = f.read_text(encoding="utf-8").partition("\n")
        out.append({"id": f.stem, "title": title, "text": text.strip(), "source": f"S{n % 4}",
                    "published": f"2026-11-{10 + n % 5:02d}T09:00:00Z"})
    return out


@pytest.mark.slow  # seconds by design (two `digest dedupe` processes): CI runs it (--run-slow), the README's run not
def test_the_same_input_gives_the_same_story_ids_in_two_processes(tmp_path: Path) -> None:
    """Invariant 1: ``digest dedupe`` in two processes with different string-hash salts."""
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")

    def run(seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "digest", "dedupe", str(data)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120, check=True)
        return done.stdout

    first = run("1")
    assert first == run("4242")
    stories = {json.loads(line)["story"] for line in first.splitlines()}
    assert 1 < len(stories) < len(_records())  # some versions joined, some stories stayed apart


def test_a_rebuilt_engine_holds_the_articles_of_the_last_two_windows(tmp_path: Path, make_app: MakeApp) -> None:
    """Invariant 4: rebuilt at ``end`` with a window of one day, the engine holds the articles
    of the last two days (a story open now has a version in the last; the one before is its
    context) and none older."""
    title, _, body = (STORIES / "quake_a1.txt").read_text(encoding="utf-8").partition("\n")
    sources = "  - name: Coast News\n    path: " + str(FIXTURES / "feeds" / "coast.rss") + "\n"
    end = NOW
    with make_app(tmp_path, sources, "dedup:\n  window_days: 1\n") as app:
        src = app.cfg.sources[0]
        ages = {"inside the first window": 0.5, "inside the second window": 1.5, "before both": 2.5}
        for n, (name, days) in enumerate(ages.items()):
            when = end - timedelta(days=days)
            entry = Entry(source=src.name, title=f"{title} ({name})", url=f"https://coast.example/{n}",
                          entry_id=f"e{n}", text=body, published=when)
            app.ingest(src, [entry], fetched=when, report=RunReport())
        keys = {a.title.rsplit("(", 1)[1].rstrip(")"): a.key
                for a in app.store.articles_since(end - timedelta(days=10))}
        engine = rebuilt_engine(app.cfg, app.store, end)
        assert keys["inside the first window"] in engine
        assert keys["inside the second window"] in engine
        assert keys["before both"] not in engine
