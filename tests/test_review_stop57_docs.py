"""Review (stop 57): the docs against the code.

The README's table of commands and each command's ``--help`` name the same arguments, spelled
alike: its positional arguments were ``file``, ``query``, ``url``, ``name``, ``key`` in the help
and ``FILE``, ``WORDS...``, ``URL``, ``NAME``, ``ID`` in the README (and in the help's own
options: ``--config FILE``, ``--digest NAME``)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from digest.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parent.parent
#: Options every command (but init and dedupe) has, which the README's table shows only where
#: they matter most (it says so under the table).
_EVERYWHERE = {"-h", "--help", "-v", "--verbose", "-c", "--config"}


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _synopses() -> dict[str, str]:
    """Each command's synopsis in the README's table of commands (its first cell), ``\\|``
    read as ``|``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Commands", 1)[1].split("\n## ", 1)[0]
    out = {}
    for line in table.splitlines():
        m = re.match(r"\| `digest ([a-z-]+)([^`]*)` \|", line)
        if m:
            out[m[1]] = m[2].replace("\\|", "|")
    return out


def test_the_readme_has_a_row_for_every_command() -> None:
    assert set(_synopses()) == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_readme_and_the_help_name_the_same_arguments(name: str) -> None:
    synopsis = _synopses()[name]
    p = _subparsers()[name]
    positionals = [a.metavar or a.dest for a in p._actions if not a.option_strings]
    for metavar in positionals:
        assert isinstance(metavar, str)
        assert metavar.upper() == metavar, f"digest {name}: {metavar!r} is written in capitals, as FILE"
        assert re.search(rf"(?<![\w-]){re.escape(metavar)}(?![\w])", synopsis), (name, metavar, synopsis)
    options = [a for a in p._actions if a.option_strings and not set(a.option_strings) & _EVERYWHERE]
    said = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", synopsis)) - _EVERYWHERE
    for a in options:
        assert set(a.option_strings) & said, f"digest {name}: the README leaves out {a.option_strings}"
    known = {s for a in options for s in a.option_strings}
    assert said <= known, f"digest {name}: the README names options the command has not: {said - known}"
    for a in options:
        if a.nargs != 0:  # an option with a value: an upper-case word there is its metavar
            metavar = a.metavar or a.dest.upper()
            spelled = re.findall(rf"(?:{'|'.join(map(re.escape, a.option_strings))}) (\S+?)\]?(?=\s|$)", synopsis)
            assert all(s.split("|")[0] == metavar or not s.isupper() for s in spelled), (name, a.option_strings, spelled, metavar)
