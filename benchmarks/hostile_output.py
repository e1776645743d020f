"""Security check: nothing active from a hostile feed survives into any output.

Observations
------------
* The feed corpus (``../shared/corpus/feeds``, about 5,400 files) holds the
  hostile cases of three test suites: feedparser's ``wellformed/sanitize/``
  (script, event handlers, ``javascript:``, CSS tricks in every element
  feedparser knows), ``entities/`` and ``illformed/``, and W3C feed validator
  cases whose ``Expect:`` is a security message (``SecurityRisk``,
  ``DangerousStyleAttr``, ``ContainsSystemEntity``, base64 Atom content
  carrying ``<script>``).  On top of them a few generated documents read
  ``/etc/passwd`` through external and parameter entities and XInclude.
* A digest shows only each story's lead (an excerpt) and the other versions'
  titles and links.  So besides the real digest of the day, every stored
  article is rendered once as a lead of its own with its whole text
  (``excerpt_chars`` larger than any text), which puts every title, text,
  outlet name and URL that reached the store through each renderer.

How it works
------------
1. Every corpus file but the OPML lists (``digest.sources.lists``: a list
   stands for the feeds it names, URLs not fetched here) is one local
   source of a temporary ``feeds.yaml`` (the
   source name is the file's relative path, so every finding names its
   file); ``App.run`` reads them all into a temporary SQLite store the way
   ``digest run`` does.
2. Outputs for today (the digest day window is by fetch time): HTML, email
   HTML, Markdown (also converted by Python-Markdown *without* a sanitizer),
   JSON, and the web archive on a loopback server (index, day page, every
   story page, the Atom feed with its HTML ``content``).
3. Checks (``benchmarks.output_checks``: ``html_findings``, ``markdown_findings``,
   ``json_findings``, ``atom_findings``):
   :func:`digest.output.sanitize.find_active_content`; no image, media or other
   element that loads a resource; every link http(s) (or a site-relative
   link of the web archive's own); no more ``<style>``/``<meta
   http-equiv>``/``<link>`` than the template itself has; and the text
   ``root:x:0:0`` (the first line of ``/etc/passwd``) nowhere, not even in
   the store.
4. A file is a *hostile case* when it is in one of the hostile folders, has
   a security ``Expect:``, or its bytes (entities decoded, base64 runs
   decoded) contain active markup.  It is *neutralised* when none of its
   articles gave a finding (or it was refused with a one-line error).
   A finding in a combined page is traced to its file by rendering each
   article alone.

    python -m benchmarks.hostile_output [--json out.json] [--only-hostile] [--limit N] [--no-web] [-v]

Exit status 1 on any finding, unhandled exception or internal error.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import html
import io
import json
import os
import re
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.output_checks import (
    PASSWD,
    atom_findings,
    html_findings,
    json_findings,
    markdown_findings,
    tag_counts,
)
from digest.app import App
from digest.config import parse_config
from digest.output.render import (
    make_env,
    render_email_html,
    render_html,
    render_json,
    render_markdown,
)
from digest.records import DigestView, Entry, StoryView, VersionView
from digest.sources.lists import is_list
from digest.store.base import open_store

SHARED = Path(
    os.environ.get("DIGEST_SHARED") or Path(__file__).resolve().parents[1].parent / "shared"
)
CORPUS = SHARED / "corpus" / "feeds"
HOSTILE_DIRS = ("feedparser/wellformed/sanitize/", "feedparser/entities/", "feedparser/illformed/")
SECURITY_EXPECT = re.compile(
    r"Expect:\s*(SecurityRisk|DangerousStyleAttr|ContainsSystemEntity|ContainsUndeclaredHTML)"
)
_ACTIVE_TAG = re.compile(r"<\s*([A-Za-z]+)\b")
_ACTIVE_TAGS = {
    "script", "iframe", "frame", "object", "embed", "applet", "form", "base", "style", "svg",
    "math", "img",
}  # fmt: skip
_ACTIVE_MARKUP = re.compile(
    r"<\s*meta\s+http-equiv|\bon[a-z]+\s*=|javascript:|vbscript:|\bdata:|expression\s*\("
    r"|@import|<!ENTITY",
    re.I,
)
_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/]{24,}={0,2}")




# --------------------------------------------------------------------------
# Corpus


def corpus_files(root: Path) -> list[Path]:
    """Every fixture (not licences, READMEs, web-server config or gofeed's expected output)."""
    out = []
    for p in sorted(root.rglob("*")):
        name = p.name
        if not p.is_file() or name.upper().startswith(("LICENSE", "README")) or name == ".htaccess":
            continue
        if (
            "gofeed" in p.parts
            and p.suffix == ".json"
            and (
                name.endswith("_expected.json")
                or any(p.with_suffix(e).exists() for e in (".xml", ".rss", ".atom"))
            )
        ):
            continue
        out.append(p)
    return out


def is_hostile(rel: str, data: bytes) -> bool:
    """A hostile folder, a security ``Expect:``, or active markup in the (decoded) bytes."""
    if rel.startswith(HOSTILE_DIRS):
        return True
    text = data.decode("latin-1")
    if SECURITY_EXPECT.search(text):
        return True
    views = [text, html.unescape(text), html.unescape(html.unescape(text))]
    for run in _BASE64_RUN.findall(data[:2_000_000]):
        try:
            views.append(base64.b64decode(run + b"=" * (-len(run) % 4)).decode("latin-1"))
        except (binascii.Error, ValueError):
            continue
    return any(_active(v) for v in views)


def _active(text: str) -> bool:
    """HTML that acts: a risky element (``<Style>`` of KML is not HTML), handler, scheme, entity."""
    for m in _ACTIVE_TAG.finditer(text):
        name = m.group(1)
        if (name.islower() or name.isupper()) and name.lower() in _ACTIVE_TAGS:
            return True
    return bool(_ACTIVE_MARKUP.search(text))


#: Generated attacks on top of the corpus: file contents through the XML parser.
GENERATED = {
    "xxe-system.xml": """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><item><title>Leak &xxe;</title>
<link>https://example.com/a</link><description>body &xxe; end</description></item></channel></rss>""",
    "xxe-parameter.xml": """<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY % p SYSTEM "file:///etc/passwd"><!ENTITY % q "<!ENTITY leak '%p;'>">%q;]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>urn:x:1</id>
<title>Param &leak;</title><content type="html">x &leak; y</content></entry></feed>""",
    "xinclude.xml": """<?xml version="1.0"?>
<rss version="2.0" xmlns:xi="http://www.w3.org/2001/XInclude"><channel><title>t</title>
<item><title>XInclude</title><description><xi:include href="file:///etc/passwd" parse="text"/>
text</description></item></channel></rss>""",
    "passwd-path.xml": "/etc/passwd",
}


@dataclass
class Result:
    files: int = 0
    sources_failed: int = 0
    #: OPML lists among the files, left out (a ``path:`` list stands for the feeds it names).
    lists: int = 0
    internal: list[str] = field(default_factory=list)
    articles: int = 0
    stories: int = 0
    hostile: set[str] = field(default_factory=set)
    findings: dict[str, list[str]] = field(default_factory=dict)  # source -> problems
    pages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, where: str, source: str, problems: Iterable[str]) -> None:
        for p in problems:
            self.findings.setdefault(source, []).append(f"{where}: {p}")


def _config(sources: dict[str, Path], tmp: Path) -> str:
    lines = ["sources:"]
    for name, path in sources.items():
        lines += [f"  - name: {json.dumps(name)}", f"    path: {json.dumps(str(path))}"]
    lines += [
        f"data_dir: {json.dumps(str(tmp / 'data'))}",
        f"output_dir: {json.dumps(str(tmp / 'out'))}",
        "timezone: UTC",
        "excerpt_chars: 100000000",
    ]
    return "\n".join(lines) + "\n"


def _one_view(day: str, stories: list[StoryView]) -> DigestView:
    return DigestView(
        day, stories, len(stories), 0, title="hostile check", generated=datetime.now(UTC)
    )


def _check_view(view: DigestView, env: Any, base: dict[str, dict[str, int]]) -> list[str]:
    found = [f"html: {p}" for p in html_findings(render_html(view, env=env), base["html"])]
    found += [f"email: {p}" for p in html_findings(render_email_html(view, env=env), base["email"])]
    found += [f"md: {p}" for p in markdown_findings(render_markdown(view, env=env))]
    found += [f"json: {p}" for p in json_findings(render_json(view))]
    return found


def _check_renderers(app: App, res: Result, day: str) -> None:
    env = make_env(app.cfg.templates)
    empty = _one_view(day, [])
    base = {
        "html": tag_counts(render_html(empty, env=env)),
        "email": tag_counts(render_email_html(empty, env=env)),
    }
    view = app.build_view(datetime.fromisoformat(day).date())
    res.stories = len(view.stories)
    res.add("digest", "(digest of the day)", _check_view(view, env, base))
    # Every stored article as a lead of its own, whole text shown.
    singles = []
    for row in app.store.articles_since(datetime(1970, 1, 1, tzinfo=UTC)):
        res.articles += 1
        for value in (row.title, row.text, row.url or "", row.author or "", row.source):
            if PASSWD in value:
                res.add("store", row.source, ["contents of /etc/passwd in a stored article"])
        version = VersionView(row.source, row.title, row.url, row.published, row.text)
        singles.append(StoryView(row.key, row.title, version, [], first_seen=row.fetched))
    if _check_view(_one_view(day, singles), env, base):
        for story in singles:  # trace the findings to their files
            res.add("article", story.lead.source, _check_view(_one_view(day, [story]), env, base))
    for s in view.stories:  # attribute findings of the real digest, if any
        if res.findings.get("(digest of the day)"):
            res.add("digest", s.lead.source, _check_view(_one_view(day, [s]), env, base))


def _check_web(app: App, res: Result, day: str) -> None:
    import httpx

    from digest.service.web import make_server

    server = make_server(app.cfg, "127.0.0.1", 0, feed_days=1, feed_max=1_000_000)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with httpx.Client(base_url=site, timeout=60) as client:
            base = tag_counts(client.get("/day/1999-01-01").text)  # the 404 page: the site's shell
            empty = _one_view(day, [])
            day_base = tag_counts(render_html(empty, env=make_env(app.cfg.templates)))

            def get(path: str) -> str:
                r = client.get(path)
                res.pages += 1
                if r.status_code != 200:
                    res.add("web", path, [f"HTTP {r.status_code}"])
                return r.text

            res.add("web /", "(web index)", html_findings(get("/"), base, site_links=True))
            day_page = get(f"/day/{day}")
            res.add("web day", "(web day page)", html_findings(day_page, day_base, site_links=True))
            for st in app.store.stories_first_seen_between(
                datetime(1970, 1, 1, tzinfo=UTC), datetime.now(UTC)
            ):
                lead = app.store.get_article(st.lead_key)
                page = get("/story/" + quote(st.id, safe=""))
                res.add(
                    "web story",
                    lead.source if lead else st.id,
                    html_findings(page, base, site_links=True),
                )
            res.add("atom", "(web Atom feed)", atom_findings(get("/feed.atom"), site))
    finally:
        server.shutdown()
        server.server_close()


def raw_entries(data: bytes, source: str) -> list[Entry]:
    """Entries straight from feedparser *without* its HTML sanitizer: raw titles, links, HTML.

    Checks that the digest's own steps (text extraction, escaping, URL
    filtering) hold on their own.  Entities are screened as digest does.
    """
    import feedparser

    from digest.sources.feeds import screen_entities

    parsed = feedparser.parse(
        io.BytesIO(screen_entities(data)), sanitize_html=False, resolve_relative_uris=False
    )
    out = []
    for e in (parsed.get("entries") or [])[:1000]:
        content = [c.get("value") for c in dict.get(e, "content") or [] if isinstance(c, dict)]
        link = dict.get(e, "link")
        out.append(
            Entry(
                source=source,
                title=str(dict.get(e, "title") or ""),
                url=link if isinstance(link, str) else None,
                entry_id=str(dict.get(e, "id") or "") or None,
                content_html=max((c for c in content if isinstance(c, str)), key=len, default=None),
                summary_html=str(dict.get(e, "summary") or "") or None,
                author=str(dict.get(e, "author") or "") or None,
            )
        )
    return out


def _ingest_raw(app: App, files: dict[str, Path], res: Result, now: datetime) -> None:
    from digest.app import RunReport
    from digest.config import SourceConfig

    for rel, path in files.items():
        name = RAW + rel
        try:
            entries = raw_entries(path.read_bytes(), name)
        except Exception:  # feedparser on its own: not digest's failure
            continue
        report = RunReport()
        try:
            app.ingest(SourceConfig(name=name, path=path), entries, fetched=now, report=report)
        except Exception as exc:
            res.add("ingest raw", name, [f"unhandled {type(exc).__name__}: {exc}"])
            res.internal.append(f"{name}: {type(exc).__name__}: {exc}")


RAW = "unsanitized/"


def run(files: list[Path], root: Path, *, web: bool = True, verbose: bool = False) -> Result:
    res = Result()
    with tempfile.TemporaryDirectory(prefix="digest-hostile-") as tmpname:
        tmp = Path(tmpname)
        gen = tmp / "generated"
        gen.mkdir()
        sources: dict[str, Path] = {}
        for name, text in GENERATED.items():
            (gen / name).write_text(text, encoding="utf-8")
            sources[f"generated/{name}"] = gen / name
            res.hostile.add(f"generated/{name}")
        for f in files:
            rel = f.relative_to(root).as_posix()
            if is_list(f):  # an OPML list is configuration: its feeds are URLs, never fetched here
                res.lists += 1
                continue
            sources[rel] = f
            if is_hostile(rel, f.read_bytes()):
                res.hostile.add(rel)
        res.files = len(sources)
        cfg = parse_config(_config(sources, tmp), path=tmp / "feeds.yaml")
        t0 = time.monotonic()
        with App(cfg, open_store(cfg.database_url)) as app:
            now = datetime.now(UTC)
            report = app.run(now=now)
            res.sources_failed = len(report.errors)
            _ingest_raw(app, {r: sources[r] for r in sorted(res.hostile)}, res, now)
            res.seconds["ingest"] = time.monotonic() - t0
            for err in report.errors:
                if err.kind == "internal" or "\n" in str(err):
                    res.internal.append(str(err))
                    res.add("ingest", err.source, [f"not a clear one-line error: {err}"])
                elif verbose:
                    print(f"  refused: {err}")
            day = now.astimezone(cfg.tz).date().isoformat()
            t1 = time.monotonic()
            _check_renderers(app, res, day)
            res.seconds["render"] = time.monotonic() - t1
            if web:
                t2 = time.monotonic()
                _check_web(app, res, day)
                res.seconds["web"] = time.monotonic() - t2
        con = sqlite3.connect(tmp / "data" / "digest.sqlite3")
        try:
            for (sql,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
                for row in con.execute(f'SELECT * FROM "{sql}"'):
                    if any(isinstance(v, str) and PASSWD in v for v in row):
                        res.add("store", f"table {sql}", ["contents of /etc/passwd"])
        finally:
            con.close()
    return res


def main(argv: list[str] | None = None) -> int:
    import logging

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=Path, help="write figures to this file")
    ap.add_argument("--only-hostile", action="store_true", help="only the hostile cases")
    ap.add_argument("--limit", type=int, help="first N files only")
    ap.add_argument("--no-web", action="store_true", help="skip the web archive and Atom feed")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    if not args.verbose:
        logging.disable(logging.CRITICAL)  # per-source warnings and htmldate's noise
    if not CORPUS.is_dir():
        print(
            f"{CORPUS}: feed corpus not found (set DIGEST_SHARED to the shared folder)",
            file=sys.stderr,
        )
        return 2
    files = corpus_files(CORPUS)
    if args.only_hostile:
        files = [f for f in files if is_hostile(f.relative_to(CORPUS).as_posix(), f.read_bytes())]
    if args.limit:
        files = files[: args.limit]
    t0 = time.monotonic()
    res = run(files, CORPUS, web=not args.no_web, verbose=args.verbose)
    total = time.monotonic() - t0
    failed_sources = set(res.findings)
    failed_hostile = res.hostile & {s.removeprefix(RAW) for s in failed_sources}
    neutralised = len(res.hostile) - len(failed_hostile)
    problems = sum(len(v) for v in res.findings.values())
    print(
        f"files ingested:        {res.files} ({res.sources_failed} refused with a one-line error; "
        f"{res.lists} OPML lists left out)"
    )
    print(f"articles stored:       {res.articles} in {res.stories} stories of the day")
    print(f"hostile cases tried:   {len(res.hostile)}")
    print(f"neutralised:           {neutralised}")
    print(f"web pages checked:     {res.pages}")
    print(f"active content found:  {problems} in {len(failed_sources)} source(s)")
    print(
        "time: "
        + ", ".join(f"{k} {v:.1f}s" for k, v in res.seconds.items())
        + f", total {total:.1f}s"
    )
    for source, probs in sorted(res.findings.items()):
        print(f"FAIL {source}")
        for p in list(dict.fromkeys(probs))[:8]:
            print(f"     {p}")
    if args.json:
        figures = {
            "hostile_active_content": problems,
            "hostile_files_ingested": res.files,
            "hostile_cases": len(res.hostile),
            "hostile_neutralised": neutralised,
            "hostile_failures": len(failed_sources),
            "hostile_internal_errors": len(res.internal),
            "hostile_articles": res.articles,
            "hostile_web_pages": res.pages,
        }
        detail = {"findings": res.findings, "seconds": res.seconds}
        args.json.write_text(json.dumps({"figures": figures, "detail": detail}, indent=2) + "\n")
    return 1 if problems or res.internal else 0


if __name__ == "__main__":
    sys.exit(main())
