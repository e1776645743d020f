"""A huge day's writing: seconds to render a day of many stories, against baselines in this process.

How it works
------------
* The day is GENERATED (synthetic, no real news): ``--stories`` one-version stories whose titles
  and texts are made-up words (seeded), as a first read of a 20,000-item feed gives
  (stop 65 review: 19,499 stories, an 18 MB page).  No store: the view is made here.
* Each rendering is the digest's files' (``render_markdown`` and ``render_html``: what
  ``digest run`` writes), timed in CPU seconds of this process (``time.process_time``: the
  machine's other work left out) and wall seconds, the best of ``--repeat``.
* Baselines, in the same process: the same day with Python-Markdown's own link scan
  (``mdlinks.fast_links`` off: its per-character pass over each paragraph, as until stop 65),
  the same day with every story named in its contents (no ``params.TOC_LINES``, as until then),
  and a day of a tenth of the stories (the seconds a story should hold: the writing linear).

    python -m benchmarks.huge_day [--stories 20000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import markdown

from digest.output import mailfit
from digest.output import render as render_mod
from digest.output.render import render_html, render_markdown
from digest.records import DigestView, StoryView, VersionView

SYLLABLES = ["ka", "lo", "mi", "ren", "tas", "vo", "dor", "qui", "nel", "ban", "sur", "tek", "pha", "gim"]
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def generated_view(n: int, seed: int = 65) -> DigestView:
    """A day of ``n`` generated stories (made-up words; labelled GENERATED in the title)."""
    rnd = random.Random(seed)
    vocab = sorted({"".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))) for _ in range(20000)})

    def words(k: int) -> str:
        return " ".join(rnd.choice(vocab) for _ in range(k)).capitalize()

    stories = []
    for i in range(n):
        title = words(8)
        text = " ".join(words(12) + "." for _ in range(4))
        lead = VersionView("Huge Wire", title, f"https://huge.example/s/{i}", NOON - timedelta(seconds=i), text)
        stories.append(StoryView(f"g{i}", title, lead, [], first_seen=lead.published))
    return DigestView("2026-12-07", stories, n, 0, title="GENERATED huge day", generated=NOON)


@contextmanager
def library_links() -> Iterator[None]:
    """Python-Markdown's own ``getText`` (its scan of each paragraph), as before stop 65."""
    kept = render_mod.fast_links
    render_mod.fast_links = lambda converter: converter  # type: ignore[assignment]
    try:
        yield
    finally:
        render_mod.fast_links = kept


@contextmanager
def whole_contents() -> Iterator[None]:
    """The contents naming every story (no ``params.TOC_LINES``), as before stop 65."""
    kept = mailfit.TOC_LINES
    mailfit.TOC_LINES = 10**9
    try:
        yield
    finally:
        mailfit.TOC_LINES = kept


def timed(view: DigestView, repeat: int) -> tuple[float, float, int]:
    """Best CPU and wall seconds of writing ``view``'s md and HTML, and their bytes."""
    best_cpu = best_wall = float("inf")
    size = 0
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        size = len(render_markdown(view).encode()) + len(render_html(view).encode())
        best_cpu = min(best_cpu, time.process_time() - c0)
        best_wall = min(best_wall, time.perf_counter() - w0)
    return best_cpu, best_wall, size


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--stories", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)
    markdown.Markdown()  # imports and extension loading out of the first timing
    render_markdown(generated_view(5))
    big, small = generated_view(args.stories), generated_view(max(1, args.stories // 10))
    rows = [("this code", big, None), (f"a tenth ({len(small.stories)} stories)", small, None),
            ("library link scan (baseline)", big, library_links),
            ("every title in the contents", big, whole_contents)]
    print(f"GENERATED day of {args.stories} stories: md + HTML written (best of {args.repeat})")
    print(f"{'':32} {'cpu s':>8} {'wall s':>8} {'ms/story':>9} {'MB':>7}")
    for label, view, ctx in rows:
        if ctx is None:
            cpu, wall, size = timed(view, args.repeat)
        else:
            with ctx():
                cpu, wall, size = timed(view, args.repeat)
        per = 1000 * cpu / len(view.stories)
        print(f"{label:32} {cpu:8.1f} {wall:8.1f} {per:9.2f} {size / 1e6:7.1f}")


if __name__ == "__main__":
    main()
