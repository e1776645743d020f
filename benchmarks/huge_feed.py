"""A GENERATED feed file (synthetic, no real news) of many items of one day: a huge first read.

Each item a title of eight made-up words and a text of four sentences of twelve (seeded), dated
through 2026-12-07 UTC, linked to 127.0.0.1: 20,000 items are 15.3 MB, as the stop 65 review's
12.2 MB feed.  Point a ``path:`` source at it (``clock: 2026-12-07T20:00:00Z``) and ``digest
run``; ``benchmarks.huge_day`` times the writing of such a day without a store.

    python -m benchmarks.huge_feed 20000 huge.rss
"""

from __future__ import annotations

import html
import random
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

SYLLABLES = ["ka", "lo", "mi", "ren", "tas", "vo", "dor", "qui", "nel", "ban", "sur", "tek", "pha", "gim",
             "lu", "zor", "wen", "cal", "fi", "mos"]


def feed(n: int, seed: int = 65) -> str:
    """An RSS 2.0 document of ``n`` generated items."""
    rnd = random.Random(seed)
    vocab = sorted({"".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))) for _ in range(30000)})
    base = datetime(2026, 12, 7, tzinfo=UTC)
    parts = ['<?xml version="1.0"?><rss version="2.0"><channel><title>Huge Wire (generated)</title>'
             "<link>http://127.0.0.1:18765/</link><description>generated</description>"]
    for i in range(n):
        when = format_datetime(base + timedelta(seconds=int(i * 68000 / n)))
        title = " ".join(rnd.choice(vocab) for _ in range(8)).capitalize()
        text = ". ".join(" ".join(rnd.choice(vocab) for _ in range(12)).capitalize() for _ in range(4)) + "."
        parts.append(f"<item><title>{html.escape(title)}</title><link>http://127.0.0.1:18765/s/{i}</link>"
                     f"<guid>g{i}</guid><pubDate>{when}</pubDate><description>{html.escape(text)}</description></item>")
    parts.append("</channel></rss>")
    return "".join(parts)


if __name__ == "__main__":
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        out.write(feed(int(sys.argv[1])))
