"""The JSON the other commands print for scripts, against the schemas digest ships beside the
JSON digest's (``digest/output/{status,search,explain,dedupe}.schema.json``, JSON Schema draft
2020-12): ``digest status --json`` (what a cron or nagios-style check reads), ``digest search
--json``, ``digest explain --json`` and ``digest dedupe``'s lines (stop 62).

Each is validated as the command printed it, on real stores: the bundled examples (``feeds.yaml``,
``examples/``) copied and run, with a mute rule and a source on a closed loopback port; a store
read from a loopback feed and mailed through a loopback SMTP server that refuses, then one that
accepts; a real daemon process holding the store, and a run holding its lock.  The schemas are
strict: every key of every object is there and no other, so a key renamed or dropped in a
writer fails here; ``status --json``'s exit status says what its ``ok`` says.
"""

from __future__ import annotations

import copy
import json
import shutil
import sqlite3
from contextlib import closing
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from digest.cli import main
from tests.support.daemon import (
    free_port,
    loopback_config,
    refusing_smtpd,
    rss,
    running_daemon,
    smtpd,
)
from tests.support.httpd import TestServer
from tests.test_json_schema import _get, objects

ROOT = Path(__file__).resolve().parents[1]
#: When the loopback feed is read for the status tests: 20 November 2026, 20:00 UTC.
READ = "2026-11-20T20:00:00Z"
NAMES = ("status", "search", "explain", "dedupe")
SCHEMAS = {n: json.loads(resources.files("digest.output").joinpath(f"{n}.schema.json").read_text(encoding="utf-8"))
           for n in NAMES}
VALIDATORS = {n: Draft202012Validator(s, format_checker=Draft202012Validator.FORMAT_CHECKER)
              for n, s in SCHEMAS.items()}
#: Objects whose keys are names, some of them optional (a cap that does not apply, a factor of 1):
#: a key renamed fails, one dropped may not.  ``filters``' keys are the digests' own names.
MAPS = {"caps", "factors"}
FREE = {"filters"}
#: The keys that are optional on their own (the others come in groups: one dropped fails).
OPTIONAL = {"filters"}


def problems(which: str, doc: Any) -> list[str]:
    return [f"{e.json_path}: {e.message[:300]}" for e in VALIDATORS[which].iter_errors(doc)]


def said(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def status(cfg: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    """``digest status --json``: its exit status and the object it printed, which says ``ok``
    exactly when the exit status is 0."""
    code, out, err = said(capsys, "status", "--config", str(cfg), "--json")
    doc = json.loads(out)
    assert (code, doc["ok"]) in ((0, True), (1, False)), (code, out, err)
    return code, doc


def _set(cfg: Path, **top: Any) -> None:
    data = yaml.safe_load(cfg.read_text())
    for key, value in top.items():
        data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
    cfg.write_text(yaml.safe_dump(data))


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled examples copied, a mute rule, a source nobody listens for and one its server
    says is gone (HTTP 410: paused at once) added, run."""
    where = tmp_path_factory.mktemp("examples")
    shutil.copytree(ROOT / "examples", where / "examples")
    text = (ROOT / "feeds.yaml").read_text(encoding="utf-8")
    down = f"127.0.0.1:{free_port()}"  # nobody listens: connection refused
    with TestServer() as srv:
        srv.set("/gone.xml", b"gone", status=410)
        text = text.replace("\nsources:\n", f"\nfilters:\n  - mute: seagrass\nfetch:\n  allow_hosts: [{down}, {srv.host}]\n"
                            f"sources:\n  - name: Down Feed\n    url: http://{down}/feed.xml\n"
                            f"  - name: Gone Feed\n    url: {srv.url('/gone.xml')}\n", 1)
        (where / "feeds.yaml").write_text(text, encoding="utf-8")
        assert main(["run", "--config", str(where / "feeds.yaml"), "--quiet"]) == 1  # 1: the sources down
    return where / "feeds.yaml"


def _key(cfg: Path, source: str, title: str) -> str:
    """The stored key of ``source``'s article whose title begins with ``title``."""
    with closing(sqlite3.connect(cfg.parent / "data" / "digest.sqlite3")) as db:
        [(key,)] = db.execute("SELECT key FROM articles WHERE source=? AND title LIKE ?", (source, title + "%"))
    return str(key)


@pytest.fixture(scope="module")
def printed(examples: Path) -> dict[str, Any]:
    """What each command printed on the examples' store, by a name for it."""
    cfg = str(examples)
    docs: dict[str, Any] = {}

    def run(name: str, *args: str, code: int = 0) -> None:
        capsys_code, out = _main_out(*args)
        assert capsys_code == code, (name, out)
        docs[name] = json.loads(out)

    run("status", "status", "--config", cfg, "--json")
    run("search", "search", "--config", cfg, "--json", "parking")  # led by a file: link
    run("search_many", "search", "--config", cfg, "--json", "Halden")
    run("search_none", "search", "--config", cfg, "--json", "zeppelin", code=1)
    ferry = _key(examples, "Harbor Herald", "Ferry Aurora")
    run("explain_story", "explain", "--config", cfg, "--json", ferry)
    run("explain_muted", "explain", "--config", cfg, "--json", _key(examples, "Northgate Courier", "Kestrel Bay"))
    run("explain_same", "explain", "--config", cfg, "--json", ferry, _key(examples, "Valley Wire", "Ferry Aurora"))
    run("explain_own_words", "explain", "--config", cfg, "--json",  # two of one source: its own words
        _key(examples, "Valley Wire", "Ferry Aurora"), _key(examples, "Valley Wire", "Halden Harriers"))
    run("explain_factor", "explain", "--config", cfg, "--json",  # places named by one opening only
        _key(examples, "Riverside Post", "Ferry aground"), _key(examples, "Riverside Post", "Sunday parking"))
    return docs


def _main_out(*args: str) -> tuple[int, str]:
    """``main(args)`` with its standard output caught (a module fixture has no capsys)."""
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(list(args))
    return code, buf.getvalue()


def test_the_schemas_are_draft_2020_12_schemas_shipped_in_the_package() -> None:
    for name, schema in SCHEMAS.items():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
        Draft202012Validator.check_schema(schema)
        assert (ROOT / "digest" / "output" / f"{name}.schema.json").is_file()  # in digest/: wheel and sdist


def test_what_each_command_printed_on_the_examples_is_valid(printed: dict[str, Any]) -> None:
    assert {k: problems(k.split("_")[0], doc) for k, doc in printed.items()} == {k: [] for k in printed}
    # the branches met: a failing source, a search's link that is not http(s), several found and
    # none, a story muted in the digest, compared pairs with and without their source's words
    # (the paused source is one of those failing: status has no word of its own for it)
    assert printed["status"]["ok"] is True and printed["status"]["sources"]["failing"] == ["Down Feed", "Gone Feed"]
    [parking] = printed["search"]
    assert parking["url"] is None and parking["outlet"] == parking["source"] == "Riverside Post"
    assert len(printed["search_many"]) > 1 and printed["search_none"] == []
    assert "filters" not in printed["explain_story"]
    # the story's id under the name the JSON digest and search give it, "story" kept (stop 63)
    assert printed["explain_story"]["story_id"] == printed["explain_story"]["story"]
    assert [printed["explain_same"][k]["story_id"] for k in "ab"] == [printed["explain_same"][k]["story"] for k in "ab"]
    assert printed["explain_muted"]["filters"] == {"digest": "mute: seagrass"}
    assert printed["explain_same"]["merged"] is True and "source_words" not in printed["explain_same"]["stages"]
    assert printed["explain_own_words"]["stages"]["source_words"]
    assert "places" in printed["explain_factor"]["stages"]["factors"]


def test_dedupe_lines_are_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A copy of one report under another id, a number for an id, a headline alone."""
    text = "A magnitude 6.1 earthquake struck off the coast of Halden early on Tuesday, the survey said."
    rows = [{"id": "a1", "title": "Quake strikes off Halden", "text": text, "source": "Coast News"},
            {"id": 7, "title": "Quake strikes off Halden coast", "text": text, "source": "Wire"},
            {"id": "b1", "title": "Halden libraries scrap late fees"}]
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    code, out, err = said(capsys, "dedupe", str(data))
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [problems("dedupe", line) for line in lines] == [[], [], []]
    assert [line["id"] for line in lines] == ["a1", "7", "b1"] and lines[0]["story"] == lines[1]["story"]


def test_status_of_mail_refused_then_sent_a_daemon_and_a_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``digest status --json`` where it says most: a reader's mailing refused and the day owed
    (exit 1), then sent (exit 0); a real daemon running (its pid, since when) and a run
    reading now; no store yet (exit 2, nothing on standard output)."""
    from digest.store.sqlite import SQLiteStore

    docs = []
    with TestServer() as srv, refusing_smtpd() as bad:
        srv.set("/a", rss("alpha", range(3), datetime.fromisoformat(READ)))
        cfg = loopback_config(tmp_path, srv, {"alpha": "/a"}, clock=READ,
                              schedule={"digest_time": "07:00", "poll_minutes": 30},
                              email={"host": "127.0.0.1", "port": bad, "security": "none",
                                     "from": "digest@example.org", "to": ["ann@example.org"]},
                              digests=[{"name": "daily"}, {"name": "week", "every": "week"}])
        code, out, err = said(capsys, "status", "--config", str(cfg), "--json")
        assert (code, out) == (2, "") and err.startswith("error: no store yet at "), (code, out, err)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        _set(cfg, clock="2026-11-21T07:05:00Z")  # the 20th's digest due at 07:00
        assert main(["send", "--config", str(cfg), "--digest", "daily"]) != 0
        code, doc = status(cfg, capsys)
        docs.append(doc)
        [daily, week] = doc["digests"]
        assert code == 1 and doc["attention"], doc
        assert (daily["name"], daily["every"], week["every"]) == ("daily", "day", "week")
        assert [(r["state"], r["day"]) for r in daily["readers"]] == [("failed", "2026-11-20")]
        assert daily["readers"][0]["error"] and [o["day"] for o in daily["owed"]] == ["2026-11-20"]
        assert daily["owed"][0]["failed"]
        with smtpd() as (_, good):
            _set(cfg, email={"port": good})
            assert main(["send", "--config", str(cfg), "--digest", "daily"]) == 0
        code, doc = status(cfg, capsys)
        docs.append(doc)
        assert code == 0 and [r["state"] for r in doc["digests"][0]["readers"]] == ["sent"], doc
        data = yaml.safe_load(cfg.read_text())
        del data["clock"]  # the daemon runs on the real clock only
        cfg.write_text(yaml.safe_dump(data))
        log = tmp_path / "daemon.log"
        with running_daemon(cfg, log, lambda: "daemon started" in log.read_text()) as proc:
            code, doc = status(cfg, capsys)
            docs.append(doc)
            assert (doc["daemon"]["running"], doc["daemon"]["pid"]) == (True, str(proc.pid)), doc
        with SQLiteStore(tmp_path / "data" / "digest.sqlite3") as store:
            assert store.acquire_lock("run")
            code, doc = status(cfg, capsys)
            docs.append(doc)
        assert doc["reading_now"]["running"] is True and doc["daemon"]["running"] is False
        assert doc["daemon"]["first_started"] is not None
    assert [problems("status", d) for d in docs] == [[]] * len(docs)
    _every_key_renamed_or_dropped_fails("status", docs[0])
    _every_key_renamed_or_dropped_fails("status", docs[2])


def _every_key_renamed_or_dropped_fails(which: str, doc: Any) -> int:
    """Every key of every object of ``doc``, renamed (``day`` -> ``day_at``) and dropped in turn:
    the schema rejects each (a key of a map, or an optional one alone, only renamed).  How many
    kinds of key were tried."""
    missed, tried = [], set()
    for path, obj in list(objects(doc)):
        for key in obj:
            shape = (*(s if isinstance(s, str) else "[]" for s in path), key)
            if shape in tried:
                continue
            tried.add(shape)
            for change in ("rename", "drop"):
                if path and path[-1] in FREE:
                    continue
                if change == "drop" and (key in OPTIONAL or (path and path[-1] in MAPS)):
                    continue
                other = copy.deepcopy(doc)
                inner = _get(other, path)
                value = inner.pop(key)
                if change == "rename":
                    inner[key + "_at"] = value
                if not problems(which, other):
                    missed.append((change, *path, key))
    assert missed == []
    return len(tried)


@pytest.mark.parametrize("name", ["status", "search", "explain_story", "explain_muted", "explain_own_words",
                                  "explain_factor"])
def test_a_key_renamed_or_dropped_anywhere_is_caught(name: str, printed: dict[str, Any]) -> None:
    doc = printed[name]
    tried = _every_key_renamed_or_dropped_fails(name.split("_")[0], doc)
    assert tried >= {"status": 30, "search": 10, "explain": 15}[name.split("_")[0]]


@pytest.mark.parametrize(("name", "path", "wrong"), [
    ("status", ("store", "articles"), "21"),  # a count as text
    ("status", ("ok",), 0),
    ("status", ("sources", "last_read"), "2026-11-20 20:00"),  # a time without its offset
    ("status", ("digests", 0, "every"), "daily"),
    ("search", (0, "outlets"), 1.5),
    ("search", (0, "day"), "20/11/2026"),
    ("search", (0, "url"), "javascript:alert(1)"),
    ("explain_story", ("first_seen",), "3 hours ago"),
    ("explain_factor", ("stages", "factors", "places"), "x0.5"),
])
def test_a_value_of_the_wrong_kind_is_caught(name: str, path: tuple[Any, ...], wrong: Any,
                                             printed: dict[str, Any]) -> None:
    doc = copy.deepcopy(printed[name])
    parent = _get(doc, path[:-1])
    assert path[-1] in parent
    parent[path[-1]] = wrong
    assert problems(name.split("_")[0], doc)


def test_the_readme_names_every_key_each_schema_states() -> None:
    """The README's words for each command's JSON and its schema say the same keys."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sections = {"status": ("#### `digest status`", "#### `digest worker`"),
                "search": ("#### `digest search`", "#### `digest add`"),
                "explain": ("#### `digest explain`", "#### `digest prune`"),
                "dedupe": ("### `digest dedupe`: the batch contract", "### From Python")}
    for name, (start, end) in sections.items():
        text = readme[readme.index(start):readme.index(end)]
        assert f"digest/output/{name}.schema.json" in text, name
        keys = {k for _, obj in objects(SCHEMAS[name]) if isinstance(obj.get("properties"), dict)
                for k in obj["properties"]}
        assert sorted(k for k in keys if f"`{k}`" not in text) == [], name
