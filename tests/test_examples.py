"""The bundled examples and the default ``feeds.yaml`` give the digest examples/README.md describes.

``examples/expected.json`` is the README's table as data: every example item
(``feeds/<file>#<entry id>`` or ``articles/<outlet>/<file>``), the story it
belongs to, the versions that must never lead, and the junk no lead may carry.

Every example states its date: the feed items, the ``.txt``/``.md`` articles in front
matter, the ``.html`` pages in their metadata (the same times as ``expected.json``), so
a checkout's file times play no part; ``feeds.yaml``'s ``clock`` reads them on the
evening of that day, and ``digest run --config feeds.yaml`` (in a subprocess, the
command a new user runs, with the files dated *now* as a fresh clone has them) writes
that day's digest, the file the README says to open.  Failures name the items involved
and their similarity (``Engine.similarity``) so the cause is visible.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from digest.app import App
from digest.config import load_config, parse_config
from digest.dedup.engine import Params
from digest.records import Entry
from digest.sources.localfiles import read_file
from digest.store.base import open_store
from digest.text.identity import without_tracking
from digest.text.prepare import prepare
from tests.support.examples import DAY, EXAMPLES, EXPECTED, ROOT, copy_examples

STORY_OF = {v["ref"]: s["key"] for s in EXPECTED["stories"] for v in s["versions"]}
OUTLET_OF = {v["ref"]: v["outlet"] for s in EXPECTED["stories"] for v in s["versions"]}


def example_files(base: Path = EXAMPLES) -> list[Path]:
    return sorted(
        p for p in (base / "feeds").rglob("*") if p.is_file() and not p.name.startswith(".")
    ) + sorted(
        p for p in (base / "articles").rglob("*") if p.is_file() and not p.name.startswith(".")
    )


def entries_by_ref(base: Path = EXAMPLES) -> Iterator[tuple[str, Entry]]:
    """Every example item with its ref, read by the package's own readers."""
    for f in example_files(base):
        rel = f.relative_to(base).as_posix()
        entries = read_file(f, source="example")
        if rel.startswith("feeds/"):
            for e in entries:
                yield f"{rel}#{e.entry_id}", e
        else:
            assert len(entries) == 1, rel
            yield rel, entries[0]


# -- configuration and files ------------------------------------------------


def test_feeds_yaml_reads_every_example_source() -> None:
    cfg = load_config(ROOT / "feeds.yaml")
    assert cfg.output_dir == ROOT / "out" and cfg.data_dir == ROOT / "data"
    paths = {s.path for s in cfg.sources}
    wanted = set((EXAMPLES / "feeds").iterdir()) | set((EXAMPLES / "articles").iterdir())
    assert paths == {p.resolve() for p in wanted}, "each feed file and outlet folder is one source"
    assert {s.name for s in cfg.sources} == set(OUTLET_OF.values())
    assert any(s.priority for s in cfg.sources)
    # Each item's outlet is the name of the source that reads it.
    name_of = {s.path: s.name for s in cfg.sources}
    for ref, outlet in OUTLET_OF.items():
        top = EXAMPLES / "/".join(ref.split("#")[0].split("/")[:2])
        assert name_of[top.resolve()] == outlet, ref


def test_feeds_yaml_commented_examples_are_valid_when_uncommented() -> None:
    text = (ROOT / "feeds.yaml").read_text(encoding="utf-8")
    setting = re.compile(r"^(\s*)# ((?:- )?\s*[a-z_]+:(?:\s.*)?)$")
    lines = []
    for line in text.splitlines():
        m = setting.match(line)
        lines.append(m.group(1) + m.group(2) if m else line)
    # the example's own templates folder is the user's to make: the repository's stands in
    text = "\n".join(lines).replace("templates: my-templates", "templates: templates")
    cfg = parse_config(text, path=ROOT / "feeds.yaml")
    assert cfg.email is not None and cfg.email.to
    assert any(s.url for s in cfg.sources)
    assert cfg.database is not None and cfg.templates is not None


def test_every_example_item_parses_and_is_described() -> None:
    refs = []
    published = {v["ref"]: v.get("published") for s in EXPECTED["stories"] for v in s["versions"]}
    for ref, entry in entries_by_ref():
        refs.append(ref)
        article = prepare(entry, fetched=datetime(2026, 11, 21, tzinfo=UTC))
        assert article is not None and article.title and article.text, ref
        # each item states its own date (feed, front matter, page metadata), not the file's
        assert entry.published is not None and entry.published.date() == DAY, ref
        assert not entry.date_from_file, f"{ref} is dated by its file time"
        if ref.startswith("feeds/"):
            assert entry.url and re.match(r"https://[\w.-]+\.example/", entry.url), ref
        else:
            assert entry.published == datetime.fromisoformat(published[ref]), ref
    ferry = dict(entries_by_ref())["articles/riverside-post/ferry.txt"]
    assert ferry.title.startswith("Ferry aground") and "date:" not in (ferry.text or ""), "front matter"
    assert len(refs) == len(set(refs))
    assert set(refs) == set(STORY_OF), "examples/expected.json must list every example item"


def test_the_quick_start_reads_the_examples_on_their_day_and_says_which_file_to_open() -> None:
    cfg = load_config(ROOT / "feeds.yaml")
    assert cfg.clock is not None
    assert cfg.clock.astimezone(cfg.tz).date() == DAY
    assert cfg.clock.astimezone(cfg.tz) > max(
        e.published for _, e in entries_by_ref() if e.published is not None
    ), "the clock reads the examples after the last one was published"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"out/digest-{DAY}.html" in readme
    assert f"out/digest-{DAY}.html" in (EXAMPLES / "README.md").read_text(encoding="utf-8")


def test_examples_stay_small() -> None:
    total = sum(p.stat().st_size for p in EXAMPLES.rglob("*") if p.is_file())
    assert total < 150_000


# -- the digest of the examples -----------------------------------------------


@dataclass
class Result:
    stories: list[tuple[str, set[str]]]  # (story id, refs)
    leads: dict[str, str]  # story id -> lead ref
    view: Any
    similarity: dict[frozenset[str], float]


def collect(app: App, day: date, base: Path) -> Result:
    # the stored link is the feed's less its tracking parameters
    url_ref = {without_tracking(e.url): ref for ref, e in entries_by_ref(base) if e.url}
    view = app.build_view(day)
    stories, leads, key_ref = [], {}, {}
    for s in view.stories:
        versions = app.store.story_versions(s.story_id)
        refs = {url_ref[v.url] for v in versions}
        stories.append((s.story_id, refs))
        key_ref.update({v.key: url_ref[v.url] for v in versions})
        leads[s.story_id] = url_ref[s.lead.url]
    engine, sims = app.engine, {}
    keys = [k for k in key_ref if k in engine]
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            sims[frozenset((key_ref[a], key_ref[b]))] = engine.similarity(a, b)
    return Result(stories, leads, view, sims)


@pytest.fixture(scope="module")
def on_the_day(tmp_path_factory: pytest.TempPathFactory) -> Result:
    """The run by feeds.yaml's clock: in the evening of the examples' day."""
    tmp = tmp_path_factory.mktemp("examples")
    cfg = load_config(copy_examples(tmp))
    with App(cfg, open_store(f"sqlite:///{tmp / 'd.sqlite3'}")) as app:
        report = app.run()
        assert report.errors == []
        assert report.new_articles == len(STORY_OF)
        assert app.today() == DAY
        return collect(app, DAY, tmp / "examples")


def _pairs(refs: set[str], others: set[str], r: Result) -> str:
    rows = sorted(
        (r.similarity.get(frozenset((a, b)), float("nan")), a, b) for a in refs for b in others
    )
    return "; ".join(f"{a} ~ {b}: {s:.2f}" for s, a, b in reversed(rows))


def check_together(r: Result) -> list[str]:
    problems = []
    for want in EXPECTED["stories"]:
        refs = {v["ref"] for v in want["versions"]}
        parts = [got & refs for _, got in r.stories if got & refs]
        if len(parts) > 1:
            problems.append(
                f"story {want['key']!r} is split into {len(parts)} stories {parts}; "
                f"cosine across the split (shared-neighbour threshold {Params().shared}): "
                + _pairs(parts[0], refs - parts[0], r)
            )
    return problems


def check_apart(r: Result) -> list[str]:
    problems = []
    for sid, got in r.stories:
        keys = sorted({STORY_OF[ref] for ref in got})
        if len(keys) > 1:
            by_key = {k: {ref for ref in got if STORY_OF[ref] == k} for k in keys}
            detail = " | ".join(
                _pairs(by_key[a], by_key[b], r) for i, a in enumerate(keys) for b in keys[i + 1 :]
            )
            problems.append(
                f"different events {keys} were made one story ({sid}); "
                f"similarity between them (shared-neighbour threshold {Params().shared}): {detail}"
            )
    return problems


def test_versions_of_each_story_are_one_story(on_the_day: Result) -> None:
    problems = check_together(on_the_day)
    assert not problems, "\n".join(problems)


def test_different_events_stay_apart(on_the_day: Result) -> None:
    problems = check_apart(on_the_day)
    assert not problems, "\n".join(problems)


def check_leads(r: Result) -> list[str]:
    problems = []
    for s in r.view.stories:
        lead = r.leads[s.story_id]
        want = next(w for w in EXPECTED["stories"] if w["key"] == STORY_OF[lead])
        if lead in want.get("lead_not", []):
            problems.append(f"story {want['key']!r}: the summary {lead} leads")
        if want["title_contains"].lower() not in s.title.lower():
            problems.append(
                f"story {want['key']!r}: title {s.title!r} lacks {want['title_contains']!r}"
            )
    return problems


def check_junk(r: Result) -> list[str]:
    problems = []
    for s in r.view.stories:
        lead = r.leads[s.story_id]
        for junk in EXPECTED["junk_never_in_lead"]:
            if junk.lower() in s.lead.text.lower():
                problems.append(f"lead {lead} ({s.lead.source}) carries {junk!r}")
        for junk in EXPECTED["junk_never_in_title"]:
            for v in (s.lead, *s.also):  # the outlets listed show their titles too
                if junk.lower() in v.title.lower():
                    problems.append(
                        f"title {v.title!r} ({v.source}, story of {lead}) carries {junk!r}"
                    )
    return problems


def test_summaries_never_lead_and_titles_name_the_story(on_the_day: Result) -> None:
    problems = check_leads(on_the_day)
    assert not problems, "\n".join(problems)


def test_no_lead_carries_junk(on_the_day: Result) -> None:
    problems = check_junk(on_the_day)
    assert not problems, "\n".join(problems)


def test_links_shown_carry_no_tracking_parameters(on_the_day: Result) -> None:
    tagged = [e.url for _, e in entries_by_ref(EXAMPLES) if e.url and "utm_" in e.url]
    assert tagged, "the examples should hold a feed link with utm_ parameters"
    shown = [v.url or "" for s in on_the_day.view.stories for v in (s.lead, *s.also)]
    assert {without_tracking(u) for u in tagged} <= set(shown)
    assert not [u for u in shown if "utm_" in u]


def test_digest_counts(on_the_day: Result) -> None:
    view = on_the_day.view
    assert view.articles_read == len(STORY_OF)
    assert view.duplicates_collapsed == sum(len(s.also) for s in view.stories)
    outlets = {sid: {OUTLET_OF[r] for r in refs} for sid, refs in on_the_day.stories}
    for s in view.stories:
        assert {s.lead.source, *(v.source for v in s.also)} == outlets[s.story_id]


def test_fresh_checkout_run_once_gives_the_expected_digest(tmp_path: Path) -> None:
    """What a new user gets: ``digest run --config feeds.yaml --once`` on a fresh clone.

    A checkout dates the article files *now*; every item keeps the date it states, and
    the digest written is the examples' day's, the one the README says to open, with
    every story gathering all its versions; the run's summary counts its stories.
    """
    cfg_path = copy_examples(tmp_path, time.time())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "digest", "run", "--config", str(cfg_path), "--once", "-q"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    written = [Path(line) for line in proc.stdout.split()]
    assert {p.suffix for p in written} == {".md", ".html"}
    md = next(p for p in written if p.suffix == ".md")
    assert md.name == f"digest-{DAY}.md", "the digest of the examples' day, as the README says"
    day = date.fromisoformat(md.stem.removeprefix("digest-"))
    cfg = load_config(cfg_path)
    assert md.parent == cfg.output_dir
    n = len(EXPECTED["stories"])
    summary = proc.stderr.strip().splitlines()[-1]
    assert f"{n} stories in the digest of {DAY} ({n} new, 0 developing)" in summary, summary
    with App(cfg, open_store(cfg.database_url)) as app:
        r = collect(app, day, tmp_path / "examples")
    text = md.read_text(encoding="utf-8")
    assert f"**{n}** stories" in text and len(r.view.stories) == n
    for title in (s.title for s in r.view.stories):
        assert title in text
    problems = check_together(r) + check_apart(r) + check_leads(r) + check_junk(r)
    assert not problems, (
        f"every item is dated {DAY}; the dedup window is {Params().window / 86400:g} days:\n"
        + "\n".join(problems)
    )
