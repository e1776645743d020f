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


def test_the_service_and_cron_examples_write_where_the_unit_lets_them() -> None:
    """The examples read /etc/digest/feeds.yaml: their data and digests must resolve
    (``Config.resolve``: against the file's folder) under the unit's ReadWritePaths."""
    from digest.config import parse_config

    docs = Path(__file__).resolve().parents[1] / "docs"
    unit = (docs / "systemd" / "digest.service").read_text()
    [config] = re.findall(r"^ExecStart=.* --config (\S+)", unit, re.M)
    [writable] = re.findall(r"^ReadWritePaths=(\S+)", unit, re.M)
    assert f"--config {config}" in (docs / "cron.md").read_text()
    for doc in ("cron.md", "daemon.md"):
        text = (docs / doc).read_text()
        block = re.search(r"```yaml\n(.*?)```", text, re.S)
        assert block is not None, doc
        lines = block.group(1).splitlines()
        folders = "".join(line + "\n" for line in lines if line.startswith(("data_dir", "output_dir")))
        cfg = parse_config(folders + "sources: []\n", path=Path(config))
        for where in (cfg.data_dir, cfg.output_dir):
            assert where.is_relative_to(writable), (doc, where)
