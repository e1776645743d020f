"""Fuzz target: feed bytes -> parse -> prepare -> every renderer, for a bounded time.

Observations
------------
* The property tests (``tests/test_properties.py``) draw from shapes we
  thought of; a coverage-guided fuzzer (atheris, libFuzzer for Python) finds
  the shapes we did not.  atheris ships wheels for CPython 3.8-3.11 on
  Linux x86-64; elsewhere this module falls back to a time-bounded
  hypothesis loop over the same target (random bytes and tag soup wrapped in
  RSS/Atom/JSON Feed), and says so.
* One input is one document.  Its first byte picks how the rest is used: as
  the whole document, or as the HTML body, title or link of an RSS item, an
  Atom entry or a JSON Feed item (so the mutator reaches the HTML paths
  without having to invent a valid feed first).

How it works
------------
:func:`check_one` parses the document (only :class:`~digest.errors.ParseError`
may escape, with a one-line message), prepares every entry, renders all the
articles as leads of a digest (HTML, email HTML, Markdown, JSON) and as an
Atom feed, and checks the outputs with the checks of
``benchmarks/output_checks.py``.  Anything else raised, or any finding, is a
crash: atheris writes the input to ``<artifact_prefix>crash-<sha1>``.

    python -m benchmarks.fuzz_feed -max_total_time=60 [corpus_dir ...] [libFuzzer flags]
    python -m benchmarks.fuzz_feed --hypothesis -max_total_time=60

Without a corpus folder the seeds are the project's own hostile fixtures
(``tests/fixtures/hostile``) and a few minimal feeds, copied to a temporary
folder.  Defaults added unless given: ``-timeout=20`` (seconds per input),
``-rss_limit_mb=2048``, ``-artifact_prefix=<tmp>/digest-fuzz-``.
"""

from __future__ import annotations

import importlib
import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from html import escape, unescape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "hostile"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SEEDS = {
    "rss.xml": b"<rss version='2.0'><channel><title>t</title><item><title>A</title>"
    b"<link>https://a.example/x</link><description>&lt;p&gt;Body&lt;/p&gt;</description></item></channel></rss>",
    "atom.xml": b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>urn:a</id><title>A</title>"
    b"<content type='html'>&lt;b&gt;x&lt;/b&gt;</content></entry></feed>",
    "json.json": b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "A",'
    b' "content_html": "<p>x</p>", "url": "https://a.example/"}]}',
    "soup.bin": b"\x01<script>alert(1)</script><a href='javascript:x' onclick=y>z</a>",
}


def wrap(data: bytes) -> bytes:
    """The document for one fuzz input (see the module docstring)."""
    if not data:
        return data
    mode, rest = data[0] % 8, data[1:]
    if mode < 2:
        return rest
    text = rest.decode("utf-8", "replace")
    if mode in (2, 3):  # RSS description, escaped or CDATA
        body = escape(text) if mode == 2 else "<![CDATA[" + text.replace("]]>", "") + "]]>"
        return (
            "<rss version='2.0'><channel><title>t</title><item><title>Fuzz item</title>"
            f"<link>https://a.example/x</link><description>{body}</description></item></channel></rss>"
        ).encode()
    if mode == 4:  # title and link of an RSS item
        half = len(text) // 2
        return (
            f"<rss version='2.0'><channel><title>t</title><item><title>{escape(text[:half])}</title>"
            f"<link>{escape(text[half:])}</link><description>Body text.</description></item></channel></rss>"
        ).encode()
    if mode == 5:  # Atom html content
        return (
            "<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><entry><id>urn:e</id>"
            f"<title type='html'>{escape(text[:80])}</title><content type='html'>{escape(text)}</content>"
            "</entry></feed>"
        ).encode()
    if mode == 6:  # Atom xhtml content (the bytes as markup)
        return (
            b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>urn:e</id><title>X</title>"
            b"<content type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'>"
            + rest
            + b"</div></content></entry></feed>"
        )
    half = len(text) // 2
    item = {"id": "1", "title": text[:half], "url": text[half:], "content_html": text}
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [item]}).encode()


#: More of /etc/passwd's first line than ``output_checks.PASSWD``: what a file read would add
#: to an input that carries ``PASSWD`` as its own text.
PASSWD_LINE = "root:x:0:0:root:/root"


class Finding(AssertionError):
    """Active content, or a broken contract, in the output of one input."""


_BASE: dict[str, dict[str, int]] = {}


def check_one(data: bytes) -> None:
    """Run one input through parse -> prepare -> renderers; raise on any problem."""
    from benchmarks.output_checks import (
        PASSWD,
        atom_findings,
        html_findings,
        json_findings,
        markdown_findings,
        tag_counts,
    )
    from digest.errors import ParseError
    from digest.output.atom import stories_atom
    from digest.output.render import render_email_html, render_html, render_json, render_markdown
    from digest.records import DigestView, StoryView, VersionView
    from digest.sources.feeds import parse_feed
    from digest.text.prepare import prepare

    if not _BASE:
        empty = DigestView("2026-06-01", [], 0, 0)
        _BASE["html"] = tag_counts(render_html(empty))
        _BASE["email"] = tag_counts(render_email_html(empty))
    doc = wrap(data)
    try:
        entries = parse_feed(doc, source="fuzz", fetched=NOW)
    except ParseError as exc:
        if "\n" in str(exc) or not str(exc).startswith("fuzz: "):
            raise Finding(f"parse error is not one line naming the source: {exc!r}") from None
        return
    stories = []
    for i, entry in enumerate(entries[:50]):
        if entry.url is not None and not entry.url.lower().startswith(("http://", "https://")):
            raise Finding(f"entry url {entry.url!r} is not http(s)")
        article = prepare(entry, fetched=NOW)
        if article is None:
            continue
        v = VersionView(article.source, article.title, article.url, article.published, article.text)
        stories.append(StoryView(f"s{i}", article.title, v, [v], first_seen=NOW))
    view = DigestView(
        "2026-06-01", stories, len(stories), len(stories), title="fuzz", generated=NOW
    )
    out = {"html": render_html(view), "email": render_email_html(view), "md": render_markdown(view),
           "json": render_json(view)}
    problems = [f"html: {p}" for p in html_findings(out["html"], _BASE["html"])]
    problems += [f"email: {p}" for p in html_findings(out["email"], _BASE["email"])]
    problems += [f"md: {p}" for p in markdown_findings(out["md"])]
    problems += [f"json: {p}" for p in json_findings(out["json"])]
    atom = stories_atom(
        stories,
        title="fuzz",
        feed_url="http://127.0.0.1/feed.atom",
        site_url="http://127.0.0.1/",
        updated=NOW,
    )
    problems += [f"atom: {p}" for p in atom_findings(atom, "http://127.0.0.1")]
    text = unescape(data.decode("utf-8", "replace"))
    if PASSWD in text:  # the input's own text, not a leak; the rest of the file's line would be
        problems = [p for p in problems if not p.endswith("contents of /etc/passwd")]
        if PASSWD_LINE not in text:
            problems += [f"{k}: contents of /etc/passwd" for k, v in {**out, "atom": atom}.items()
                         if PASSWD_LINE in v]
    if problems:
        raise Finding("; ".join(problems[:5]))


def _seed_dir() -> Path:
    d = Path(tempfile.mkdtemp(prefix="digest-fuzz-corpus-"))
    for name, data in SEEDS.items():
        (d / name).write_bytes(b"\x00" + data)
    if FIXTURES.is_dir():
        for f in sorted(FIXTURES.iterdir()):
            if f.is_file() and f.stat().st_size < 100_000:
                shutil.copyfile(f, d / f.name)
    return d


def _max_time(argv: list[str], default: float = 60.0) -> float:
    for a in argv:
        if a.startswith("-max_total_time="):
            return float(a.split("=", 1)[1])
    return default


def run_atheris(argv: list[str]) -> None:
    atheris = importlib.import_module("atheris")  # optional; no type stubs

    with atheris.instrument_imports(include=["digest", "feedparser", "benchmarks.output_checks"]):
        import benchmarks.output_checks  # noqa: F401

    args = list(argv)
    flags = {a.split("=", 1)[0] for a in args[1:] if a.startswith("-")}
    if not any(not a.startswith("-") for a in args[1:]):
        args.append(str(_seed_dir()))
    defaults = {
        "-timeout": "20",
        "-rss_limit_mb": "2048",
        "-artifact_prefix": str(Path(tempfile.gettempdir()) / "digest-fuzz-"),
    }
    args += [f"{k}={v}" for k, v in defaults.items() if k not in flags]
    atheris.Setup(args, check_one)
    atheris.Fuzz()


def run_hypothesis(seconds: float, examples: int = 200) -> int:
    """The fallback: the same target on hypothesis-generated inputs until ``seconds`` pass,
    in rounds of ``examples`` inputs (a round is finished whatever the time)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from tests.test_properties import soup

    inputs = st.one_of(
        st.binary(max_size=4000),
        st.tuples(st.integers(0, 255), soup).map(
            lambda t: bytes([t[0]]) + t[1].encode("utf-8", "replace")
        ),
        st.sampled_from(sorted(SEEDS.values())).map(lambda b: b"\x00" + b),
    )
    deadline = time.monotonic() + seconds
    runs = 0
    while time.monotonic() < deadline:

        @settings(
            max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(inputs)
        def target(data: bytes) -> None:
            check_one(data)

        target()
        runs += examples
    print(f"hypothesis fallback: about {runs} inputs in {seconds:.0f}s, no finding")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if "--hypothesis" in argv:
        argv.remove("--hypothesis")
        return run_hypothesis(_max_time(argv))
    try:
        importlib.import_module("atheris")
    except ImportError:
        print("atheris is not installed: running the hypothesis fallback", file=sys.stderr)
        return run_hypothesis(_max_time(argv))
    run_atheris(argv)
    return 0


if __name__ == "__main__":
    import logging

    logging.disable(logging.CRITICAL)  # trafilatura/htmldate complain about every odd input
    sys.exit(main())
