"""Versioned schema migrations, one ``NNNN_name.sql`` file per version and dialect.

How it works
------------
``sqlite/0001_initial.sql``, ``sqlite/0002_counts_meta_window.sql``, ... are
read in version order by :func:`load`.  A store applies each pending one in
its own transaction together with the version bump, so a crash leaves the
schema at a whole version.  A later backend (PostgreSQL) adds its own folder
(``postgresql/``) with the same version numbers and the same meaning.

Special cases
-------------
* Versions must run 1, 2, 3 ... without gaps: a gap or a duplicate number
  is a packaging bug and fails loudly.
* Statements are split with :func:`sqlite3.complete_statement`, so a ``;``
  inside a string literal or a trigger body does not cut a statement.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        """The SQL split into whole statements (comments and blanks dropped)."""
        out: list[str] = []
        buf = ""
        for line in self.sql.splitlines(keepends=True):
            if not buf and (not line.strip() or line.lstrip().startswith("--")):
                continue
            buf += line
            if sqlite3.complete_statement(buf):
                out.append(buf.strip())
                buf = ""
        if buf.strip():
            raise ValueError(f"migration {self.version} ({self.name}): unterminated statement")
        return out


def load(dialect: str) -> list[Migration]:
    """The migrations for ``dialect`` ("sqlite", ...), in version order."""
    folder = resources.files(__name__).joinpath(dialect)
    found: list[Migration] = []
    for item in folder.iterdir():
        m = _NAME.match(item.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), item.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    for i, mig in enumerate(found, start=1):
        if mig.version != i:
            raise RuntimeError(f"{dialect} migrations: expected version {i}, found {mig.version}")
    return found
