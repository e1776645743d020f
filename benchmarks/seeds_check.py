"""CI check: the five seed articles (../shared/seeds) are one story with five outlets.

Runs the real pipeline (``digest run`` then ``digest build --format json``)
twice: with each file as its own source (five outlets), and with the folder
as one source.  Fails unless the first gives exactly one story whose "also
reported by" holds the other four outlets, and whose lead text contains none
of the site-junk lines listed below.  The list is the *check's* knowledge of
the seeds (what a person would call junk in them); the product never sees it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SHARED = Path(os.environ.get("DIGEST_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
SEEDS = SHARED / "seeds"
JUNK = [
    "WhatsApp Group Join Now",
    "Telegram Group Join Now",
    "Leave a Reply",
    "Your email address will not be published",
    "Spread the love",
    "Views:",
    "Website | + posts",
    "Whether writing about complex technical topics",
    "Share this",
    "IAMBEST Networks",
    "Live Stream",
    "Latest Version",
    "The Hubli Express is on WhatsApp",
    "SOURCE: Ref Image",
    "Zelenskyy Denounces Russian 'Genocide'",
    "Coal Controversy: NATO Member",
]


def run_digest(config: str, workdir: Path) -> dict:
    cfg = workdir / "feeds.yaml"
    cfg.write_text(config, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    cmd = [sys.executable, "-m", "digest"]
    r = subprocess.run([*cmd, "run", "--config", str(cfg), "--quiet"], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit(f"digest run failed ({r.returncode}):\n{r.stderr}")
    r = subprocess.run(
        [*cmd, "build", "--config", str(cfg), "--format", "json", "-o", "-"],
        capture_output=True, text=True, env=env, check=False,
    )
    if r.returncode != 0:
        raise SystemExit(f"digest build failed ({r.returncode}):\n{r.stderr}")
    return json.loads(r.stdout)


def check(label: str, digest: dict, outlets: int) -> list[str]:
    problems = []
    stories = digest["stories"]
    if len(stories) != 1:
        problems.append(f"{label}: expected 1 story, got {len(stories)}: {[s['title'] for s in stories]}")
        return problems
    story = stories[0]
    sources = {story["lead"]["source"]} | {a["source"] for a in story["also"]}
    if len(sources) != outlets:
        problems.append(f"{label}: expected {outlets} outlets, got {len(sources)}: {sorted(sources)}")
    text = story["lead"]["text"] + "\n" + story["lead"]["title"]
    for junk in JUNK:
        if junk.lower() in text.lower():
            problems.append(f"{label}: lead ({story['lead']['source']}) contains junk {junk!r}")
    print(
        f"{label}: 1 story, {len(sources)} outlets, lead={story['lead']['source']} "
        f"({len(story['lead']['text'].split())} clean words): {story['title']!r}"
    )
    return problems


def main() -> int:
    files = sorted(SEEDS.glob("*.txt"))
    if len(files) != 5:
        print(f"seeds: expected 5 files in {SEEDS}, found {len(files)}", file=sys.stderr)
        return 1
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp, "five")
        work.mkdir()
        srcs = "".join(f"  - name: outlet-{f.stem[:3]}\n    path: {f}\n" for f in files)
        problems += check("five sources", run_digest(f"sources:\n{srcs}output_dir: out\n", work), 5)
        work = Path(tmp, "folder")
        work.mkdir()
        one = f"sources:\n  - name: seeds\n    path: {SEEDS}\noutput_dir: out\n"
        problems += check("one folder source", run_digest(one, work), 1)
    for p in problems:
        print("FAIL", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
