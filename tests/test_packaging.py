"""What a fresh machine installs: the dependencies actually imported, the README's commands."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_html_cleaner_trafilatura_needs_is_a_dependency_of_its_own() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {_name(d) for d in deps}
    # jusText (trafilatura's) imports lxml.html.clean: since lxml 5.2 the package lxml-html-clean
    assert "lxml-html-clean" in names
    import lxml.html.clean  # noqa: F401  (what jusText imports)

    # lxml is never asked for with an extra of ours: its extra names changed spelling in lxml 6
    assert not any(d.replace(" ", "").lower().startswith("lxml[") for d in deps)
    justext = metadata.requires("justext") or []
    assert any(_name(r) == "lxml" and "html" in r for r in justext), justext


def test_the_readme_install_commands_upgrade_pip_first() -> None:
    """pip < 23.3 warns about jusText's lxml[html_clean] (extra names not normalised)."""
    commands = [line for line in (ROOT / "README.md").read_text().splitlines()
                if "pip install" in line and line.startswith("python3 -m venv")]
    assert len(commands) >= 2
    for line in commands:
        assert "pip install -U pip && pip install" in line, line
