"""Review (stop 61): the docs against the code, as a new user and a new contributor read them.

* The wheel ships no ``docs/``: the starter ``digest init`` writes sent its reader to
  ``docs/daemon.md`` and ``digest worker --help`` to ``docs/scale-out.md``, neither installed.
  Each now says where that file is, and the README's one command that prints the README from
  an installed package is in both.
* design.md's data model listed the ``meta`` keys but not ``daemon_digest_day`` (the
  ``--digest-day`` a daemon last started with, which ``digest status`` counts days by)."""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

from digest.cli import build_parser
from digest.config.starter import starter_text

ROOT = Path(__file__).resolve().parent.parent


def _help_texts() -> dict[str, str]:
    """The top-level help and every command's, as printed (80 columns), whitespace made one space."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    texts = {"digest": parser.format_help(), **{n: p.format_help() for n, p in sub.choices.items()}}
    return {n: " ".join(t.split()) for n, t in texts.items()}


def test_what_the_installed_package_names_of_docs_says_where_it_is() -> None:
    """A file under docs/ that the package's own text names (the starter's comments, a --help)
    is said to be in the source distribution, not looked for beside the installed files."""
    texts = {"starter": " ".join(line.lstrip("# ") for line in starter_text().splitlines()), **_help_texts()}
    for name, text in texts.items():
        for m in re.finditer(r"docs/[\w./-]+", text):
            sentence = re.split(r"(?<=[.;])\s", text[m.end():], maxsplit=1)[0]
            assert "source distribution" in sentence, (name, m[0], sentence)


def _readme_payload_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    wheel = readme.split("Installed from a wheel", 1)[1].split("```", 1)[0]
    [command] = re.findall(r'`(python -c "[^"]+")`', " ".join(wheel.split()))
    return command


def test_the_readme_says_how_an_installed_package_prints_it() -> None:
    """The README's command prints the README an installed digest holds ("Every setting" in it);
    the starter gives the same command."""
    command = _readme_payload_command()
    assert command in starter_text()
    code = command.removeprefix('python -c "').removesuffix('"')
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
    assert "### Every setting" in out and "## Quick start" in out


def _meta_keys() -> set[str]:
    """The ``meta`` keys the code reads or writes by name: each ``get_meta``/``set_meta``/``add_meta``
    whose key is a string, a module-level string constant (``SEAL_KEY``), its ``.format(...)``, or an
    f-string (its fields as ``{}``)."""
    consts: dict[str, set[str]] = {}
    trees = [ast.parse(f.read_text(encoding="utf-8")) for f in sorted((ROOT / "digest").rglob("*.py"))]
    for tree in trees:
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Constant) \
                    and isinstance(node.value.value, str):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Name):
                        consts.setdefault(target.id, set()).add(node.value.value)

    def resolve(arg: ast.expr) -> set[str]:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return {arg.value}
        if isinstance(arg, ast.Name | ast.Attribute):
            return consts.get(arg.id if isinstance(arg, ast.Name) else arg.attr, set())
        if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "format":
            return resolve(arg.func.value)
        if isinstance(arg, ast.JoinedStr):
            return {"".join(v.value if isinstance(v, ast.Constant) else "{}" for v in arg.values)}
        return set()  # a key made by a helper (``_empty_key``): not followed

    keys: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args \
                    and node.func.attr in ("get_meta", "set_meta", "add_meta"):
                keys |= resolve(node.args[0])
    return keys


def test_the_data_model_names_every_meta_key() -> None:
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    model = " ".join(design.split("## Data model", 1)[1].split("\n## ", 1)[0].split())
    keys = _meta_keys()
    assert len(keys) >= 10, keys  # the scan finds them (sealed:, begins:, clustered, ...)
    for key in keys:
        named = key.split("{", 1)[0]  # "sealed:{day}" is written `sealed:` there
        assert f"`{named}" in model, f"design.md's data model leaves out the meta key {key!r}"


def test_every_option_of_every_command_says_what_it_does() -> None:
    """``test_cli.test_every_command_has_help`` checks each command's line; each of its options
    and arguments has a help of its own too (an option added bare shows in ``--help`` as its
    name alone)."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    bare = [(name, a.option_strings or a.dest) for name, p in [("digest", parser), *sub.choices.items()]
            for a in p._actions
            if not isinstance(a, argparse._SubParsersAction) and (not a.help or a.help == argparse.SUPPRESS)]
    assert not bare
