"""Review (stop 35): what the documentation promises against what the package is.

docs/design.md's module map names every module of the package and none that is not there;
every configuration key is documented where a user reads (README.md, the bundled feeds.yaml,
docs/daemon.md, cron.md, scale-out.md)."""

from __future__ import annotations

import ast
import io
import json
import re
import sys
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from digest.cli import main
from digest.config.model import Config

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "digest"
#: digest's sub-packages: a name the map writes as ``dedup.terms`` is ``digest.dedup.terms``.
SUBPACKAGES = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
_DOTTED = re.compile(r"(?<![\w.])(?:digest\.)?(?:" + "|".join(SUBPACKAGES)
                     + r"|[a-z_]+(?=\.))\.[A-Za-z_]+(?:\.[A-Za-z_]+)*")
_RELATIVE = re.compile(r"(?<![\w.])\.([a-z_]+)")


def _module_map() -> list[str]:
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    section = text.split("## Module map", 1)[1].split("\n## ", 1)[0]
    return section.splitlines()


def _modules() -> set[str]:
    """Every module of the package, by its dotted name (a package by its own; no __main__)."""
    out = set()
    for f in PACKAGE.rglob("*.py"):
        parts = f.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] != "__main__":
            out.add(".".join(parts))
    return out


def _names_in(line: str, package: str | None) -> tuple[list[str], str | None]:
    """The dotted names a line of the map gives, made whole (``dedup.terms`` →
    ``digest.dedup.terms``, ``.sqlite`` after ``digest.store.base`` → ``digest.store.sqlite``),
    and the package the line is about (its last whole name's), for the names after it."""
    names = []
    for m in _DOTTED.finditer(line):
        name = m.group(0)
        if not name.startswith("digest."):
            if name.split(".")[0] not in SUBPACKAGES:
                continue  # feeds.yaml, pyproject.toml
            name = "digest." + name
        names.append(name)
        package = name if (PACKAGE.parent / name.replace(".", "/") / "__init__.py").is_file() \
            else name.rsplit(".", 1)[0]
        while package.count(".") > 1 and package not in _modules():
            package = package.rsplit(".", 1)[0]  # digest.engines.new_engine → digest.engines
    if package is not None:
        names += [f"{package}.{m.group(1)}" for m in _RELATIVE.finditer(line)]
    return names, package


def _file(name: str) -> Path | None:
    """A module's source file, found without importing it (``digest.store.postgres`` needs
    psycopg, an extra)."""
    path = PACKAGE.parent / name.replace(".", "/")
    return next((f for f in (path.with_suffix(".py"), path / "__init__.py") if f.is_file()), None)


def _exists(name: str) -> bool:
    """A module, or a top-level name of one (``digest.engines.new_engine``)."""
    if _file(name) is not None:
        return True
    head, _, attr = name.rpartition(".")
    source = _file(head)
    if source is None:
        return False
    tree = ast.parse(source.read_text(encoding="utf-8"))
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign | ast.AnnAssign)
                for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}
    return attr in defined


def test_the_module_map_names_only_modules_that_exist() -> None:
    package = None
    missing = []
    for line in _module_map():
        names, package = _names_in(line, package)
        missing += [n for n in names if not _exists(n)]
    assert not missing, f"docs/design.md's module map names what the package does not hold: {missing}"


def test_the_module_map_names_every_module() -> None:
    """A module is named whole (``digest.sources.feeds``, ``dedup.terms``, ``.sqlite``), or
    by its own name on a line about its package (``netguard`` beside ``digest.sources.fetch``)."""
    named: set[str] = set()
    package = None
    for line in _module_map():
        names, package = _names_in(line, package)
        named.update(".".join(n.split(".")[:i]) for n in names for i in range(2, n.count(".") + 2))
        if package is not None:
            named.update(f"{package}.{w}" for w in re.findall(r"[a-z_]+", line))
    modules = _modules()
    leaves = {m for m in modules if not any(o.startswith(m + ".") for o in modules)}
    unnamed = sorted(leaves - named)
    assert not unnamed, f"docs/design.md's module map leaves out: {unnamed}"


def _keys(model: type[BaseModel], prefix: str = "") -> typing.Iterator[tuple[str, str]]:
    for name, field in model.model_fields.items():
        if field.exclude:
            continue  # not a YAML key (config_path)
        key = field.alias or name
        yield prefix + key, key
        for t in (field.annotation, *typing.get_args(field.annotation)):
            for inner in (t, *typing.get_args(t)):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    yield from _keys(inner, f"{prefix}{key}.")


def test_every_configuration_key_is_documented_where_a_user_reads() -> None:
    read = [ROOT / "README.md", ROOT / "feeds.yaml",
            *(ROOT / "docs" / n for n in ("daemon.md", "cron.md", "scale-out.md"))]
    text = "\n".join(p.read_text(encoding="utf-8") for p in read)
    undocumented = sorted({full for full, key in _keys(Config)
                           if not re.search(rf"(^|[\s`#(-]){re.escape(key)}:", text, re.M)})
    assert not undocumented, f"configuration keys no user doc names: {undocumented}"


def test_the_readme_table_of_every_setting_names_each_key() -> None:
    """The starter file written by ``digest init`` sends a user to the README's "Every
    setting" (a wheel has no docs/): each key has a row there, or is named in its parent's
    (``email.to`` in the row of ``email.from``, a digest's ``weekday`` in the row of ``digests``,
    its ``filters`` as the global ``filters``);
    stop 46's review found ``email.subject``, ``fetch.*``, ``title``, ``excerpt_chars`` and
    ``sources[].enabled`` in no user doc but the repository's own feeds.yaml."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Every setting", 1)[1].split("\n#", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = line.split(" | ")
        if line.startswith("| `") and len(cells) >= 3:
            for key in re.findall(r"`([^`]+)`", cells[0]):
                rows[key.replace("[]", "")] = line
    missing = []
    for full, leaf in _keys(Config):
        parts = full.split(".")
        parents = [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]
        parents += [".".join(parts[1:-1])] if len(parts) > 2 else []  # a digest's filters: as `filters`
        if (full not in rows and not any(k.startswith(full + ".") for k in rows)  # a section: its rows
                and not any(f"`{leaf}`" in rows.get(p, "") for p in parents)):
            missing.append(full)
    assert not missing, f"keys the README's table of every setting does not name: {missing}"
    assert "Every setting" in (ROOT / "digest" / "config" / "starter.yaml").read_text(encoding="utf-8")


_FERRY = ("The ferry Aurora ran aground on a sandbar near Kestrel Point in thick fog on Friday "
          "morning. All 212 passengers and 14 crew were brought ashore safely by lifeboats, the "
          "harbour master said. The operator said an inquiry would begin into how the vessel "
          "strayed from the channel.")


@pytest.mark.parametrize("priority", ['"high"', "[1]", '{"a": 1}', "Infinity"])
def test_dedupe_reads_a_priority_that_is_no_number_as_none_given(
    priority: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``priority`` (the README's batch contract) was read with float(): "high" or a list was a
    traceback and nothing written, and Infinity beat every other outlet's."""
    text = json.dumps(_FERRY)
    lines = [f'{{"id": "a", "title": "Ferry aground", "text": {text}, "source": "A"}}',
             f'{{"id": "b", "title": "Ferry aground", "text": {text}, "source": "B", "priority": {priority}}}']
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["dedupe"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert rows == [{"id": "a", "story": "a", "lead": True}, {"id": "b", "story": "a", "lead": False}]


def test_dedupe_prefers_the_higher_priority_of_two_equal_copies(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps(_FERRY)
    lines = [f'{{"id": "a", "title": "Ferry aground", "text": {text}, "source": "A"}}',
             f'{{"id": "b", "title": "Ferry aground", "text": {text}, "source": "B", "priority": "1.5"}}']
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["dedupe"]) == 0
    assert [json.loads(x)["lead"] for x in capsys.readouterr().out.splitlines()] == [False, True]


def test_dedupe_says_where_a_line_is_not_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The message was json's own, cut before its position: "invalid JSON: Invalid control
    character at" (a line cut in the middle of a string)."""
    lines = ['{"id": "a", "title": "Ferry runs aground near', '{"id": "b" "title": "x"}']
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["dedupe"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: stdin:1: invalid JSON: Unterminated string starting at column 22",
        "error: stdin:2: invalid JSON: Expecting ',' delimiter (column 12)",
    ]


def _help_fields(command: str, capsys: pytest.CaptureFixture[str]) -> set[str]:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    listed = " ".join(capsys.readouterr().out.split()).split("JSON Lines:", 1)[1].split("(", 1)[0]
    return set(re.findall(r"\w+", listed)) - {"or"}


def test_replay_help_names_the_fields_the_readme_names(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's `digest replay` section and its --help list the same record fields (the
    help had no `lang`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("#### `digest replay`", 1)[1].split("\n#### ", 1)[0]
    row = next(line for line in section.splitlines() if "archive (" in line)
    fields = re.findall(r"`(\w+)`", row.split("archive (", 1)[1].split(")", 1)[0])
    assert {"id", "source", "published", "arrived", "lang"} <= set(fields), fields
    assert _help_fields("replay", capsys) == set(fields)


def test_dedupe_help_names_the_fields_of_the_readme_contract(capsys: pytest.CaptureFixture[str]) -> None:
    """`digest dedupe --help` said "JSON Lines input" and "see docs"; it lists the README's fields."""
    line = next(x for x in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
                if x.startswith("Input, one JSON object a line:"))
    fields = re.findall(r'"(\w+)"', line)
    assert {"id", "title", "text", "html", "priority"} <= set(fields), fields
    assert _help_fields("dedupe", capsys) == set(fields)


def test_sources_shows_a_source_whose_url_changed_as_starting_afresh(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/daemon.md: "changing a source's url in the configuration starts it afresh".  The
    store did so at the next run, but `digest sources` went on showing the old URL's state
    (failing, its error naming the old address) to the reader who had just mended it."""
    config = tmp_path / "feeds.yaml"
    config.write_text("sources:\n  - name: Coast\n    url: http://127.0.0.1:9/feed.xml\n"
                      "clock: 2026-11-20T20:00:00Z\n", encoding="utf-8")
    assert main(["run", "-q", "--config", str(config)]) == 1  # refused: a private address
    assert main(["sources", "--config", str(config)]) == 0
    assert "Coast: failing" in capsys.readouterr().out
    config.write_text(config.read_text(encoding="utf-8").replace(":9/", ":10/"), encoding="utf-8")
    assert main(["sources", "--config", str(config)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("Coast: not fetched yet"), line
    assert "127.0.0.1:9/" not in line and "failing" not in line, line


def test_the_readme_names_the_schema_versions_of_this_digest() -> None:
    """The README's upgrade note says which schema versions this digest writes (a user asking
    whether an older digest can open the store compares them with its "knows up to" line);
    a migration added without it left the note naming the one before."""
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    said = re.search(r"This version's store is SQLite's schema (\d+), PostgreSQL's (\d+)", readme)
    assert said is not None, "README.md's upgrade note names no schema version"
    latest = {kind: len(list((PACKAGE / "store" / "migrations" / kind).glob("[0-9]*.sql")))
              for kind in ("sqlite", "postgresql")}
    assert (int(said[1]), int(said[2])) == (latest["sqlite"], latest["postgresql"])
    assert f"schema migrated to version {latest['sqlite']} " in readme
    assert f"(schema version {latest['sqlite']}, this one knows up to {latest['sqlite'] - 1})" in readme
