"""A second review's finding (stop 63): ``digest serve`` on a SQLite store it may only read.

``digest serve`` is the archive's reader ("read-only" in its ``--help``), and since stop 63 it
keeps its day counts in the store, a cache it gives up where the store refuses it.  But a
store whose folder it cannot write (a read-only mount, the daemon's folder served by another
user) was never served: the server opened the store as a writer does and stopped at once
("cannot open the store: the store or its folder ... cannot be written").  Now it says so in
one line and serves every page from the store read only (``store.readonly``)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest

from digest.cli import main
from digest.config.reading import load_config
from tests.support.disks import read_only
from tests.support.examples import copy_examples
from tests.support.web import site
from tests.test_timeline import TUE, record


def test_a_store_in_a_read_only_folder_is_served(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg_path = copy_examples(tmp_path)
    assert main(["run", "--config", str(cfg_path)]) == 0
    cfg = load_config(cfg_path)
    data = tmp_path / "data"
    before = (data / "digest.sqlite3").read_bytes()
    [html] = sorted((tmp_path / "out").glob("digest-*.html"))[-1:]
    day = "/day/" + html.stem.removeprefix("digest-")
    assert not (data / "digest.sqlite3-wal").exists()  # closed: no -wal, no -shm (as after a daemon stopped)
    capsys.readouterr()
    with read_only(data), site(cfg) as s:
        for path in ("/", day, "/month/" + day[5:12], "/feed.atom", "/search?q=quake", "/healthz"):
            r = s.get(path)
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert "story" in s.get(day).text
    assert (data / "digest.sqlite3").read_bytes() == before


def _as_role(url: str, role: str) -> str:
    """``url`` (a store's, ``tests.support.services.schema_url``) logging in as ``role``."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))


def test_a_postgresql_schema_of_a_role_that_may_only_read_is_served(tmp_path: Path) -> None:
    """A role granted SELECT alone (a reader's, as a read replica's user): the server stopped
    at its start ("permission denied for schema"); now every page, and no write tried (the
    server's log of each refused write was PostgreSQL's ERROR lines)."""
    from tests.support.services import PG_URL, pg_schema

    with pg_schema() as url:  # skips without the driver (need_postgres), so psycopg is imported after
        import psycopg

        rows = [record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6)),
                record("followup-1", "quake_a_followup", "Harbor Herald", TUE + timedelta(days=1, hours=9))]
        (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        cfg_path = tmp_path / "feeds.yaml"
        cfg_path.write_text(f"database: '{url}'\noutput_dir: out\ntimezone: UTC\nclock: '2026-11-12T08:00:00Z'\n"
                            "sources: []\n", encoding="utf-8")
        assert main(["replay", str(tmp_path / "in.jsonl"), "--config", str(cfg_path)]) == 0
        schema = parse_qs(urlsplit(url).query)["options"][0].split("=", 1)[1]
        role = f"r_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"CREATE ROLE {role} LOGIN")
            try:
                admin.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
                admin.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}")
                cfg = load_config(cfg_path).model_copy(update={"database": _as_role(url, role)})
                with site(cfg) as s:
                    for path in ("/", "/day/2026-11-10", "/day/2026-11-11", "/month/2026-11", "/feed.atom",
                                 "/search?q=quake", "/healthz"):
                        r = s.get(path)
                        assert r.status_code == 200, (path, r.status_code, r.text[:300])
                    assert "Opunake" in s.get("/day/2026-11-10").text
                assert admin.execute(f"SELECT count(*) FROM {schema}.day_counts").fetchone() == (0,)
            finally:
                admin.execute(f"DROP OWNED BY {role}")
                admin.execute(f"DROP ROLE {role}")
