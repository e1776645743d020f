"""digest as a user installs it: the wheel's contents and metadata, and the installed package
run from a folder that is not the checkout (a digest written, the archive served, a mail sent,
a user's type checker reading our types); what the sdist and the test extra must hold for the
shipped tests to run.

The wheel is built from a copy of the sources (``tests.support.wheel``: ``pip wheel``, the build
backend fetched as for any install) with stray files planted in it: a patch's ``.orig``/``.rej``, an editor's backup,
byte code.  It is then unpacked into a folder of its own (a site-packages) and run with that
folder alone on ``PYTHONPATH``, so the templates and migrations read are the wheel's.
"""

from __future__ import annotations

import ast
import email.parser
import functools
import os
import re
import subprocess
import sys
import tomllib
import urllib.request
import zipfile
from dataclasses import dataclass
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.support.daemon import free_port, smtpd
from tests.support.httpd import wait_until
from tests.support.wheel import build_wheel, copy_sources

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _req_name(requirement: str) -> str:
    """A requirement's distribution name, normalised (PEP 503: ruamel.yaml is ruamel-yaml)."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]).lower()


@functools.cache
def _imports(folder: Path) -> dict[str, set[str]]:
    """Top-level module names imported anywhere in ``folder``'s Python files -> the files
    (read once a run: the tests folder is 1-2 s of parsing; the callers only read it)."""
    out: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                out.setdefault(name.split(".")[0], set()).add(path.name)
    return out


def test_the_sdist_ships_every_local_package_its_tests_import() -> None:
    """The sdist ships tests/; a test importing a folder of the checkout the sdist leaves out
    (``benchmarks``) fails to collect wherever the sdist is unpacked."""
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"][
        "targets"]["sdist"]["only-include"]
    assert "tests" in include
    local = {name for name in _imports(ROOT / "tests")
             if (ROOT / name / "__init__.py").is_file()}
    assert "benchmarks" in local  # the tests that read the gate's floors, the hostile corpus
    assert sorted(local - set(include)) == []


def _undeclared(folder: Path, declared: set[str]) -> dict[str, list[str]]:
    """Third-party modules imported in ``folder`` whose distribution ``declared`` does not name
    (a module not installed here is taken to be its own distribution's name: psycopg, redis)."""
    dists = packages_distributions()
    local = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()} | {"conftest"}
    missing = {}
    for name, files in _imports(folder).items():
        if name in sys.stdlib_module_names or name in local:
            continue
        names = {_req_name(d) for d in dists.get(name, [])} or {_req_name(name)}
        if not names & declared:
            missing[name] = sorted(files)
    return missing


def _declared(*extras: str) -> set[str]:
    names = {_req_name(r) for r in PROJECT["dependencies"]}
    for extra in extras:
        names |= {_req_name(r) for r in PROJECT["optional-dependencies"][extra]}
    return names


def test_the_dependencies_name_every_package_the_code_imports() -> None:
    """A package digest imports itself is one of its dependencies, not there by luck of another
    one's (lxml came with trafilatura, MarkupSafe with Jinja2, htmldate with trafilatura): a
    release of theirs that drops it breaks ``pip install digest``."""
    assert _undeclared(ROOT / "digest", _declared("scale")) == {}


def test_the_test_extra_names_every_package_the_tests_import() -> None:
    """``pip install -e '.[test]'`` gives the tests what they import, not by luck of another
    package's dependencies (markdown-it-py came with rich, import-linter's)."""
    assert _undeclared(ROOT / "tests", _declared(*PROJECT["optional-dependencies"])) == {}


# ---- the wheel --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    wheel: Path
    names: set[str]
    expected: set[str]  # what the sources say the wheel holds: every module and data file
    site: Path  # the wheel unpacked: an installed package


def _plant_strays(src: Path) -> None:
    for rel in ("digest/store/sqlite.py.orig", "digest/app.py.rej", "digest/cli/commands.py~",
                "digest/store/migrations/sqlite/0001_initial.sql.bak", "digest/.app.py.swp",
                "templates/digest.md.j2~", "templates/digest.html.j2.orig",
                "digest/__pycache__/app.cpython-311.pyc", "digest/app.pyc"):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text("stray\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("wheel")
    src, out = base / "src", base / "dist"
    copy_sources(src)
    expected = {f"digest/{p.relative_to(src / 'digest').as_posix()}"
                for p in (src / "digest").rglob("*") if p.is_file()}
    expected |= {f"digest/templates/{p.relative_to(src / 'templates').as_posix()}"
                 for p in (src / "templates").rglob("*") if p.is_file()}
    _plant_strays(src)
    wheel = build_wheel(src, out)
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        z.extractall(base / "site")
    return Built(wheel, names, expected, base / "site")


@pytest.mark.slow
def test_the_wheel_holds_every_file_the_program_reads_and_nothing_else(built: Built) -> None:
    dist_info = f"digest-{PROJECT['version']}.dist-info"
    package = {n for n in built.names if not n.startswith(f"{dist_info}/")}
    assert {f"digest/templates/{t}" for t in ("digest.md.j2", "digest.html.j2", "_style.css.j2",
                                               "digest.email.html.j2", "digest.txt.j2")} <= package
    assert "digest/output/digest.schema.json" in package  # the JSON digest's schema, for its readers
    # and those of status, search and explain --json and of dedupe's lines (stop 62)
    assert {f"digest/output/{n}.schema.json" for n in ("status", "search", "explain", "dedupe")} <= package
    assert any(n.startswith("digest/store/migrations/sqlite/0001_") for n in package)
    assert any(n.startswith("digest/store/migrations/postgresql/0001_") for n in package)
    assert sorted(built.expected - package) == []  # every module, template, migration
    assert sorted(package - built.expected) == []  # no patch leftover, backup or byte code
    assert {n.split("/")[0] for n in built.names} == {"digest", dist_info}  # no tests/, benchmarks/


@pytest.mark.slow
def test_the_wheel_metadata_is_the_projects(built: Built) -> None:
    dist_info = f"digest-{PROJECT['version']}.dist-info"
    with zipfile.ZipFile(built.wheel) as z:
        meta = email.parser.Parser().parsestr(z.read(f"{dist_info}/METADATA").decode())
        entry_points = z.read(f"{dist_info}/entry_points.txt").decode()
    assert (meta["Name"], meta["Version"]) == (PROJECT["name"], PROJECT["version"])
    assert meta["Requires-Python"] == PROJECT["requires-python"]
    assert meta["License-Expression"] == PROJECT["license"]
    assert meta["Description-Content-Type"] == "text/markdown"
    assert meta.get_payload().strip() == (ROOT / "README.md").read_text().strip()
    assert sorted(meta.get_all("Provides-Extra")) == sorted(PROJECT["optional-dependencies"])
    requires = {_req_name(r) for r in meta.get_all("Requires-Dist") if "extra ==" not in r}
    assert requires == {_req_name(r) for r in PROJECT["dependencies"]}
    assert "digest = digest.cli:main" in entry_points.splitlines()


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local Wire</title><link>https://wire.example/</link>
<description>a feed file on disk</description>
<item><title>Storm Corrin closes the coastal railway between Brill and Amesford</title>
<link>https://wire.example/storm</link><guid>w1</guid><pubDate>Fri, 20 Nov 2026 09:00:00 GMT</pubDate>
<description>Storm Corrin brought down trees across the coastal railway between Brill and Amesford
on Friday, and the operator closed the line until at least Monday. Engineers said two bridges
needed inspection after the river rose by three metres overnight, and buses replace trains
between the towns.</description></item>
<item><title>Amesford library reopens after a two-year refit</title>
<link>https://wire.example/library</link><guid>w2</guid><pubDate>Fri, 20 Nov 2026 10:00:00 GMT</pubDate>
<description>The Amesford public library reopened on Friday after a refit that took two years and
cost 4.1 million pounds. It now has a children's wing, a maker space and longer opening hours
at weekends, the council said.</description></item>
</channel></rss>
"""

POST = """---
title: Storm Corrin shuts the Brill to Amesford railway
date: 2026-11-20T11:00:00Z
author: Ann
---
Storm Corrin brought down trees across the coastal railway between Brill and Amesford on
Friday, and the operator closed the line until at least Monday.

Engineers said two bridges needed inspection after the river rose by three metres overnight.
Buses replace trains between the towns.
"""


def _user_folder(where: Path) -> Path:
    (where / "posts").mkdir(parents=True)
    (where / "wire.rss").write_text(FEED)
    (where / "posts" / "storm.md").write_text(POST)
    (where / "feeds.yaml").write_text(
        "clock: 2026-11-20T20:00:00Z\n"
        "sources:\n  - name: Local Wire\n    path: wire.rss\n"
        "  - name: Ann's Blog\n    path: posts\n"
        "output_dir: digests\ndata_dir: state\ntimezone: UTC\n"
    )
    return where / "feeds.yaml"


def _digest(built: Built, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``digest ARGS`` as the installed wheel runs it (``python -m digest``)."""
    env = {**os.environ, "PYTHONPATH": str(built.site)}
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_the_installed_wheel_writes_serves_and_mails_a_digest_from_elsewhere(
    built: Built, tmp_path: Path
) -> None:
    user = tmp_path / "user"
    cfg = _user_folder(user)
    probe = _digest(built, user, "--version")
    assert probe.stdout.strip() == f"digest {PROJECT['version']}", probe.stderr
    where = subprocess.run(
        [sys.executable, "-c", "import digest, digest.output.templates as t; "
         "print(digest.__file__); print(*t.default_template_dirs())"],
        cwd=user, env={**os.environ, "PYTHONPATH": str(built.site)},
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    assert where == [str(built.site / "digest" / "__init__.py"), str(built.site / "digest" / "templates")]

    run = _digest(built, user, "run", "--config", str(cfg), "--quiet")
    assert run.returncode == 0, run.stderr
    assert (user / "state" / "digest.sqlite3").is_file()  # where the configuration says
    md = (user / "digests" / "digest-2026-11-20.md").read_text()
    html = (user / "digests" / "digest-2026-11-20.html").read_text()
    assert "Also reported by" in md and "Ann's Blog" in md and "Amesford library" in md
    assert "<style>" in html and "Storm Corrin closes the coastal railway" in html

    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "digest", "serve", "--config", str(cfg), "--port", str(port)],
        cwd=user, env={**os.environ, "PYTHONPATH": str(built.site)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        def get(path: str) -> tuple[int, str]:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                return r.status, r.read().decode()

        def up() -> bool:
            try:
                return get("/healthz")[0] == 200
            except OSError:
                return False

        assert wait_until(up, timeout=30)
        status, body = get("/")
        assert status == 200 and 'href="/day/2026-11-20"' in body
        for path in ("/day/2026-11-20", "/search?q=storm+corrin", "/feed.atom"):
            status, body = get(path)
            assert status == 200 and "Storm Corrin" in body, path
        assert "<style>" in get("/day/2026-11-20")[1]
    finally:
        serve.terminate()
        serve.wait(timeout=10)

    with smtpd() as (inbox, smtp_port):
        send_cfg = user / "send.yaml"
        send_cfg.write_text(cfg.read_text().replace("2026-11-20T20:00:00Z", "2026-11-21T08:00:00Z")
                            + f"email:\n  host: 127.0.0.1\n  port: {smtp_port}\n  security: none\n"
                            "  from: digest@example.com\n  to: [me@example.com]\n")
        send = _digest(built, user, "send", "--config", str(send_cfg), "--date", "2026-11-20")
        assert send.returncode == 0, send.stderr
    [msg] = inbox.messages
    parts = {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}
    assert "Storm Corrin" in parts["text/plain"] and "Storm Corrin" in parts["text/html"]


@pytest.mark.slow
def test_a_users_type_checker_reads_the_installed_packages_types(built: Built, tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    (tmp_path / "use.py").write_text(
        "from digest import open_app\n\nwith open_app('feeds.yaml') as app:\n    reveal_type(app)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--python-executable", sys.executable, "--no-incremental",
         "--cache-dir", str(tmp_path / ".mypy"), "use.py"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(built.site)},
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert 'Revealed type is "digest.app.App"' in proc.stdout, proc.stdout + proc.stderr
    assert proc.returncode == 0, proc.stdout
