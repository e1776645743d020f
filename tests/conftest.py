"""Shared fixtures (``make_config``, ``make_app``, ``site``, ``shared_site``), and the ``--run-slow`` option.

The default run leaves out tests marked ``slow``; ``--run-slow`` (CI) runs them too.

A slow test is one that takes seconds by design (a daemon killed and restarted,
50,000 entries, several worker processes).  Without ``--run-slow`` they are
deselected, unless the run selects by marker itself (``-m slow``) or names the
test (``pytest tests/test_daemon.py::test_...``).  The slower property tests try a third of
their examples in the default run, all of them under ``--run-slow``
(``tests.support.examples_count``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.config import MakeApp, MakeConfig
    from tests.support.web import Site


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow", action="store_true", default=False,
        help="also run the tests marked slow (CI does; left out of the default run)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # before any test module is imported: the property tests' example counts (full in CI)
    from tests.support import examples_count

    examples_count.FULL = bool(config.getoption("--run-slow"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow") or config.option.markexpr:
        return
    named = [arg.split("[")[0] for arg in config.args if "::" in arg]
    keep, slow = [], []
    for item in items:
        base = item.nodeid.split("[")[0]
        if item.get_closest_marker("slow") and not any(a.endswith(base) for a in named):
            slow.append(item)
        else:
            keep.append(item)
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = keep


@pytest.fixture(scope="session")
def make_config() -> MakeConfig:
    """``make_config(where, sources="", extra="", *, write=False, **settings)``: a configuration
    as if read from ``where/feeds.yaml`` (``tests.support.config``)."""
    from tests.support.config import make_config

    return make_config


@pytest.fixture(scope="session")
def make_app() -> MakeApp:
    """``make_app(where, sources="", extra="", **settings)``: an App over ``make_config``'s
    configuration and its own store (``tests.support.config``)."""
    from tests.support.config import make_app

    return make_app


@contextmanager
def _archive_site(folder: Path, make_config: MakeConfig) -> Iterator[Site]:
    from digest.store.base import open_store
    from tests.support.archive import NOW, fill
    from tests.support.web import site as open_site

    cfg = make_config(folder, database=str(folder / "digest.sqlite3"), title="Test archive")
    with open_store(cfg.database_url) as store:
        fill(store)
    with open_site(cfg, clock=lambda: NOW) as s:
        yield s


@pytest.fixture
def site(tmp_path: Path, make_config: MakeConfig) -> Iterator[Site]:
    """``digest serve`` on 127.0.0.1 over a store holding the archive fixture
    (``tests.support.archive.fill``), its clock at ``archive.NOW``, with an httpx client."""
    with _archive_site(tmp_path, make_config) as s:
        yield s


@pytest.fixture(scope="module")
def shared_site(tmp_path_factory: pytest.TempPathFactory, make_config: MakeConfig) -> Iterator[Site]:
    """``site``, one for a module's tests that only ask its pages (they change neither its
    store nor its settings): filled and started once, not once a test."""
    with _archive_site(tmp_path_factory.mktemp("site"), make_config) as s:
        yield s
