"""The JSON digest against the schema digest ships (``digest/output/digest.schema.json``, JSON
Schema draft 2020-12): the contract for the people who script against ``digest build --format
json`` and ``digest replay``.

Each JSON the program writes is validated as written: the bundled examples built with
``--format json`` (sections, a muted story, a failing source), a replayed week with a story that
develops, is also reported, is corrected (a figure changed), and a weekly digest of that week.
The schema is strict: every key of every object is required and no other is allowed, so a key
renamed or dropped in the writer (``digest.output.jsonview``) fails here (stop 62).
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from digest.cli import main
from tests.support.config import make_config
from tests.support.daemon import free_port
from tests.test_review_stop36_developing import Q_TEXT, Q_TITLE, _at, stream

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads(resources.files("digest.output").joinpath("digest.schema.json").read_text(encoding="utf-8"))


VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(doc: Any) -> list[str]:
    return [f"{e.json_path}: {e.message[:300]}" for e in VALIDATOR.iter_errors(doc)]


def replay_week() -> list[dict[str, Any]]:
    """Stop 36's week (a quake and two council votes on Tuesday 10 to Friday 13 November 2026,
    the quake reported again by a wire a day late, followed up twice), then on Saturday the
    quake's first report updated in place, 4,000 homes become 4,400: a figure told."""
    rows = [r for r in stream() if r["id"] != "quake-1-corrected"]
    return [*rows, {"id": "quake-1", "title": Q_TITLE, "source": "Coast News", "published": _at(0, 6),
                    "arrived": _at(4, 9), "text": Q_TEXT.replace("about 4,000 homes", "about 4,400 homes", 1)}]


def objects(doc: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every JSON object in ``doc`` with its path."""
    if isinstance(doc, dict):
        yield at, doc
        for k, v in doc.items():
            yield from objects(v, (*at, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from objects(v, (*at, i))


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The bundled examples (``feeds.yaml``, ``examples/``) copied, with a mute rule and a
    source that cannot be read added, run and built as ``--format json``."""
    where = tmp_path_factory.mktemp("examples")
    shutil.copytree(ROOT / "examples", where / "examples")
    text = (ROOT / "feeds.yaml").read_text(encoding="utf-8")
    down = f"127.0.0.1:{free_port()}"  # nobody listens: connection refused
    text = text.replace("\nsources:\n", f"\nfilters:\n  - mute: seagrass\nfetch:\n  allow_hosts: [{down}]\n"
                        f"sources:\n  - name: Down Feed\n    url: http://{down}/feed.xml\n", 1)
    (where / "feeds.yaml").write_text(text, encoding="utf-8")
    cfg = str(where / "feeds.yaml")
    assert main(["run", "--config", cfg, "--quiet"]) in (0, 1)  # 1: the source that cannot be read
    out = where / "digest.json"
    assert main(["build", "--config", cfg, "--format", "json", "-o", str(out)]) == 0
    return dict(json.loads(out.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """A week through ``digest replay`` (a daily and a weekly digest configured): each day's
    JSON as replay wrote it, and the week's as ``digest build --digest week`` writes it."""
    where = tmp_path_factory.mktemp("replay")
    data = where / "week.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in replay_week()), encoding="utf-8")
    cfg = make_config(where, timezone="Europe/London", write=True,
                      extra="digests:\n  - name: daily\n  - name: week\n    every: week\n").config_path
    assert cfg is not None
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    docs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((where / "out").rglob("*.json"))}
    week = where / "week.json"
    assert main(["build", "--config", str(cfg), "--digest", "week", "--date", "2026-11-14",
                 "--format", "json", "-o", str(week)]) == 0
    docs["week"] = json.loads(week.read_text(encoding="utf-8"))
    return docs


def test_the_schema_is_a_draft_2020_12_schema_shipped_in_the_package() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)
    assert (ROOT / "digest" / "output" / "digest.schema.json").is_file()  # in digest/: wheel and sdist


def test_the_examples_json_digest_is_valid(examples: dict[str, Any]) -> None:
    assert problems(examples) == []
    # what it holds, so that the schema's branches are met: sections named, a muted story, a
    # failing source, a version with a stated language and one with no usable link
    assert all(sec["name"] for sec in examples["sections"]) and len(examples["sections"]) > 1
    assert [m["rule"] for m in examples["muted"]] == ["mute: seagrass"]
    assert [f["name"] for f in examples["failing_sources"]] == ["Down Feed"]
    assert examples["digest"] is None and examples["per_day"] == []
    versions = [v for s in examples["stories"] for v in (s["lead"], *s["also"])]
    assert {v["lang"] is None for v in versions} == {True, False}
    assert {v["url"] is None for v in versions} == {True, False}


def test_every_day_of_a_replayed_week_is_valid(replayed: dict[str, dict[str, Any]]) -> None:
    days = [k for k in replayed if k.startswith("digest-daily-")]
    assert days == [f"digest-daily-2026-11-{d}" for d in range(10, 15)]
    assert {k: problems(doc) for k, doc in replayed.items()} == {k: [] for k in replayed}
    stories = [s for k in days for s in replayed[k]["stories"]]
    versions = [v for s in stories for v in (s["lead"], *s["also"])]
    # issue #19's fields as the week shows them: both statuses, versions new and not
    assert {s["status"] for s in stories} == {"new", "developing"}
    assert {v["new"] for v in versions} == {True, False}
    assert any(s["also_reported"] for s in stories)  # a wire copy a day late
    assert any(s["whats_new_figures"] for s in stories)  # the update's 4,400, was 4,000
    assert all(len(s["whats_new_figures"]) == len(s["whats_new_was"]) for s in stories)
    # a version is new on the one day it arrived: once over the week
    new_ids = [v["id"] for v in versions if v["new"]]
    # (quake-1 twice: its entry updated in place on Saturday is a new version of it)
    assert sorted(new_ids) == sorted(r["id"] for r in replay_week())


def test_the_weekly_digest_is_valid(replayed: dict[str, dict[str, Any]]) -> None:
    week = replayed["week"]
    assert problems(week) == []
    assert (week["first_day"], week["date"], week["digest"]) == ("2026-11-09", "2026-11-15", "week")
    assert [d["date"] for d in week["per_day"]] == [f"2026-11-{d:02}" for d in range(9, 16)]


@pytest.mark.parametrize("which", ["examples", "day", "week"])
def test_a_key_renamed_or_dropped_anywhere_is_caught(
    which: str, examples: dict[str, Any], replayed: dict[str, dict[str, Any]]
) -> None:
    """Every key of every object, renamed (``arrived`` -> ``arrived_at``) and dropped in turn:
    the schema rejects each.  A value of the wrong kind too (a count as text, a flag as 0)."""
    doc = {"examples": examples, "day": replayed["digest-daily-2026-11-14"], "week": replayed["week"]}[which]
    missed, tried = [], set()
    for path, obj in list(objects(doc)):
        for key in obj:
            shape = (*(s if isinstance(s, str) else "[]" for s in path), key)
            if shape in tried:  # the first story's lead's ``arrived`` stands for every lead's
                continue
            tried.add(shape)
            for change in ("rename", "drop"):
                other = copy.deepcopy(doc)
                inner = _get(other, path)
                value = inner.pop(key)
                if change == "rename":
                    inner[key + "_at"] = value
                if not problems(other):
                    missed.append((change, *path, key))
    assert missed == []
    assert len(tried) > 60  # the document's every kind of key: top, counts, story, lead, ...
    for path, key, wrong in ((("counts",), "stories", "9"), (("stories", 0, "lead"), "new", 0),
                             (("stories", 0), "status", "developping"), ((), "date", "14/11/2026")):
        other = copy.deepcopy(doc)
        _get(other, path)[key] = wrong
        assert problems(other), (path, key, wrong)


def test_the_readme_names_every_key_the_schema_states() -> None:
    """The README's table of the JSON digest and the schema say the same keys."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("The JSON digest gives each story"):readme.index("## How dedup works")]
    keys = {k for _, obj in objects(SCHEMA) if isinstance(obj.get("properties"), dict) for k in obj["properties"]}
    assert sorted(k for k in keys if f"`{k}`" not in table) == []
