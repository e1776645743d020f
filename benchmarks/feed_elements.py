"""What ``params.MAX_ELEMENTS`` is measured against: elements in real feeds, and feedparser's time.

Counts :func:`digest.sources.xmlscreen.element_count` (on the text feedparser decodes, its
entities screened) over every XML document of ../shared/corpus/feeds (the files
``benchmarks.feeds_corpus`` reads, JSON and OPML left out): max, 99.9th and 99th percentile.
Then a podcast's RSS written after real ones (~24 elements an episode: ``itunes:*``,
``podcast:transcript``, an enclosure, show notes as HTML in CDATA twice) grown to the
15 MiB fetch cap, and a hostile document of ``<x/>`` at the cap, well-formed and not, each
timed through feedparser alone (no screen).

    python -m benchmarks.feed_elements [--notes N]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.feeds_corpus import CORPUS, corpus_files
from digest.config.model import FetchConfig
from digest.sources.params import MAX_ELEMENTS
from digest.sources.xmlscreen import as_feedparser_reads, element_count, screen_entities

WORDS = "the a of to and in episode guest talks about new show week news interview host story".split()


def counted(data: bytes) -> int:
    return element_count(screen_entities(as_feedparser_reads(data, None)))


def percentile(values: list[int], p: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def podcast(size: int, notes: int, rng: random.Random) -> bytes:
    """A podcast's RSS of ``size`` bytes or a little less, ``notes`` paragraphs of show notes."""

    def sentence(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."

    head = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Pod</title>'
            "<link>https://example.com/</link><description>d</description>\n")
    parts, total, i = [head], len(head), 0
    while total < size - 4000:
        html = "".join(f"<p>{sentence(25)}</p>" for _ in range(notes)) + "<ul>" + "".join(
            f'<li><a href="https://example.com/l/{i}/{k}?utm_source=pod">{sentence(5)}</a></li>'
            for k in range(notes)) + "</ul>"
        episode = f"""<item>
<title>Episode {i}: {sentence(6)}</title><itunes:title>{sentence(6)}</itunes:title>
<description><![CDATA[{html}]]></description><content:encoded><![CDATA[{html}]]></content:encoded>
<itunes:summary>{sentence(60)}</itunes:summary><link>https://example.com/ep/{i}</link>
<guid isPermaLink="false">{i:08x}-4b2c-11ee-9d1f-0242ac120002</guid><pubDate>Mon, 06 Nov 2023 08:00:00 -0000</pubDate>
<author>host@example.com (Host)</author><itunes:author>Host</itunes:author>
<enclosure url="https://traffic.example.com/ep{i}.mp3?updated=1699257600" length="{40000000 + i}" type="audio/mpeg"/>
<itunes:duration>01:02:03</itunes:duration><itunes:explicit>no</itunes:explicit><itunes:episodeType>full</itunes:episodeType>
<itunes:episode>{i}</itunes:episode><itunes:season>3</itunes:season><itunes:image href="https://example.com/img/{i}.jpg"/>
<podcast:transcript url="https://example.com/t/{i}.vtt" type="text/vtt"/><podcast:chapters url="https://example.com/c/{i}.json" type="application/json+chapters"/>
<category>News</category><category>Politics</category></item>
"""
        parts.append(episode)
        total += len(episode)
        i += 1
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def feedparser_seconds(data: bytes) -> float:
    t0 = time.perf_counter()
    feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=0, help="paragraphs of show notes an episode (0: a link list only)")
    args = ap.parse_args()
    counts = [counted(f.read_bytes()) for f in corpus_files(CORPUS) if f.suffix not in (".json", ".opml")]
    print(f"feeds corpus: {len(counts):,} XML files; elements max {max(counts):,}, "
          f"99.9th percentile {percentile(counts, 0.999):,}, 99th {percentile(counts, 0.99):,}")
    cap = FetchConfig().max_bytes
    doc = podcast(cap, args.notes, random.Random(1))
    print(f"podcast at the fetch cap ({len(doc) / 2**20:.1f} MiB, {doc.count(b'<item>'):,} episodes): "
          f"elements {counted(doc):,}, feedparser {feedparser_seconds(doc):.1f} s")
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>a</title>'
    for name, tail in (("well-formed", b""), ("ill-formed", b"&bogus;<")):
        hostile = head + b"<x/>" * MAX_ELEMENTS + b"</item></channel></rss>" + tail
        print(f"<x/> x {MAX_ELEMENTS:,} ({len(hostile) / 2**20:.1f} MiB, {name}): feedparser "
              f"{feedparser_seconds(hostile):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
