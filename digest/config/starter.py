"""A starter configuration for a new install (``digest init``).

Observations
------------
* The checkout's ``feeds.yaml`` reads the bundled examples, which the wheel
  does not ship: a user who ran ``pip install digest`` had no configuration
  and ``digest run`` said only "feeds.yaml: configuration file not found".

How it works
------------
:func:`write_starter` writes ``starter.yaml`` (shipped beside this module: the
settings a user changes first, each with a comment, the optional ones
commented out) and makes the folder its one source reads (``articles/``
beside it), so the file loads and passes the loader's checks as written and
``digest run`` works at once; the user then adds feeds.

Special cases
-------------
* A file that exists is left alone (:class:`DigestError` naming it) unless
  ``force``; then the old one is kept as ``NAME.bak``, as ``digest
  import-opml`` keeps it, and the new one written atomically.
* A folder given (one that exists, or a path ending in ``/``) gets
  ``feeds.yaml`` in it; missing folders on the way are made.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from ..errors import DigestError
from ..output.files import atomic_write
from .edit import backup_path, write_over

#: The file ``digest init`` writes when given a folder or nothing.
STARTER_NAME = "feeds.yaml"
#: The folder the starter's one source reads, beside the file.
ARTICLES = "articles"


@dataclass(frozen=True)
class Started:
    """What :func:`write_starter` did: the file written, the old one kept (or None), the
    folder its source reads."""

    path: Path
    backup: Path | None
    articles: Path

    def next_steps(self) -> list[str]:
        """What was written and what to do next, in three lines (``digest init`` prints them):
        each command with the file's ``--config`` (``digest import-opml FILE`` alone edited
        ./feeds.yaml, or found none, after ``digest init ~/news/``), ``digest add URL`` first."""
        kept = f" (the old one is {self.backup})" if self.backup else ""
        config = f" --config {shlex.quote(str(self.path))}"
        return [f"{self.path}: a starter configuration, reading the folder {self.articles}/{kept}",
                f"next: add your feeds (digest add URL{config}, digest import-opml FILE{config}, "
                "or under 'sources:'), set 'timezone:', then",
                f"  digest run{config}"]


def starter_text() -> str:
    """The starter configuration's text (``starter.yaml``, shipped in the package)."""
    return files(__package__).joinpath("starter.yaml").read_text(encoding="utf-8")


def target_of(where: str | os.PathLike[str] | None) -> Path:
    """The file to write for ``where``: ``feeds.yaml`` here for None, in ``where`` for a folder
    (one that exists, or a path written with a trailing ``/``), else ``where`` itself."""
    if where is None:
        return Path(STARTER_NAME)
    text = os.fspath(where)
    path = Path(text).expanduser()
    if text.endswith(("/", os.sep)) or path.is_dir():
        return path / STARTER_NAME
    return path


def write_starter(where: str | os.PathLike[str] | None = None, *, force: bool = False) -> Started:
    """Write the starter configuration to ``where`` (:func:`target_of`) and make its
    ``articles/`` folder; an existing file is a :class:`DigestError` unless ``force``."""
    path = target_of(where)
    text = starter_text()
    articles = path.parent / ARTICLES
    backup = None
    if articles.exists() and not articles.is_dir():  # before anything is written
        raise DigestError(f"{articles}: a file, where the starter's folder of articles belongs")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if force and path.exists():
            backup = write_over(path, lambda target: atomic_write(target, text))  # as digest add does
        else:
            with path.open("x", encoding="utf-8") as fh:  # never over a file that exists
                fh.write(text)
        articles.mkdir(exist_ok=True)
    except FileExistsError:
        raise DigestError(f"{path}: exists already; digest init --force {path} replaces it "
                          f"(keeping the old one as {backup_path(path).name})") from None
    except OSError as exc:
        raise DigestError(f"{exc.filename or path}: cannot write: {exc.strerror or exc}") from None
    return Started(path, backup, articles)
