"""PostgreSQL and Redis out of reach, or gone mid-run: one line naming the server, no source
blamed for it, nothing stored lost (reviews, stop 33).

Real servers on loopback (a throwaway schema and key prefix); a Redis that goes away is
a private ``redis-server`` this test starts and stops.  Skipped without them (failing with
DIGEST_REQUIRE_SERVICES), as in ``tests/test_scale.py``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.app import App
from digest.cli import main
from digest.config import load_config
from digest.errors import DigestError
from digest.service.workers import loop_worker
from digest.store.base import open_store
from tests.support.examples import copy_examples
from tests.support.services import REDIS, need_redis, pg_schema, redis_prefix

pytestmark = pytest.mark.scale

ALL_TIME = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def failures(url: str) -> dict[str, int]:
    with open_store(url) as s:
        return {st.name: st.failures for st in s.list_source_states()}


def article_count(url: str) -> int:
    with open_store(url) as s:
        return s.count_articles_fetched_between(*ALL_TIME)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def private_redis(port: int, *options: str) -> Iterator[subprocess.Popen[bytes]]:
    """A redis-server of this test's own on ``port`` (no persistence); stopped afterwards."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (a test that stops its Redis needs its own)")
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", *options], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)


def test_an_index_out_of_reach_stops_the_run_with_one_line_and_blames_no_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    need_redis()
    host = REDIS.rsplit(":", 1)[0]
    config = copy_examples(tmp_path)
    with pg_schema() as pg:
        # a Redis that answers, but not for this index: its database 99 does not exist
        with config.open("a") as f:
            f.write(f"\ndatabase: {pg}\nindex: redis://{host}:{REDIS.rsplit(':', 1)[1]}/99?basename=x\n")
        assert main(["run", "--config", str(config)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        errors = [line for line in err if line.startswith("error:")]
        assert len(errors) == 1, err
        assert errors[0].startswith(f"error: index redis://{host}:") and "cannot reach Redis" in errors[0]
        assert "internal error" not in "\n".join(err)
        assert set(failures(pg).values()) <= {0}, "no source is blamed for the index"
        assert article_count(pg) == 0


@pytest.mark.slow  # starts and stops a redis-server: ~2 s
def test_redis_going_away_mid_run_keeps_what_was_stored_and_the_next_run_goes_on(tmp_path: Path) -> None:
    port = free_port()
    config = copy_examples(tmp_path)
    with pg_schema() as pg, private_redis(port) as server:
        cfg = load_config(config)
        cfg.database, cfg.index = pg, f"redis://127.0.0.1:{port}/0?basename=gone"
        everything = list(cfg.sources)
        with App(cfg.model_copy(update={"sources": everything[:3]}), open_store(pg)) as app:
            assert app.run().errors == []
        stored = article_count(pg)
        assert stored > 0
        server.terminate()
        server.wait(10)
        with App(cfg, open_store(pg)) as app, pytest.raises(DigestError) as err:
            app.run()
        assert str(err.value).startswith(f"index redis://127.0.0.1:{port}/0?basename=gone: cannot reach Redis")
        assert "\n" not in str(err.value)
        assert article_count(pg) == stored, "what was stored stays; nothing half-stored"
        assert set(failures(pg).values()) == {0}, "no source is blamed for the index"
        # back (empty): the next run rebuilds the index and goes on
        with private_redis(port), App(cfg, open_store(pg)) as app:
            report = app.run()
        assert report.errors == [] and article_count(pg) == 21


def test_postgresql_out_of_reach_is_one_line_without_the_password(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """libpq's 'Is the server running on that host...?' hint was a second 'error:' line."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[scale]')")
    config = tmp_path / "feeds.yaml"
    config.write_text(f"sources: []\ndatabase: postgresql://postgres@127.0.0.1:{free_port()}/test\n")
    assert main(["sources", "--config", str(config)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot connect" in err[0] and "Is the server running" in err[0], err
    # libpq's other way to give a password: hidden too
    config.write_text(f"sources: []\ndatabase: postgresql://postgres@127.0.0.1:{free_port()}/test"
                      "?sslmode=disable&password=hunter2\n")
    assert main(["sources", "--config", str(config)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "hunter2" not in err[0] and "password=***" in err[0], err


def test_a_lost_connection_stops_the_run_with_one_line_and_blames_no_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy_examples(tmp_path)
    with pg_schema() as pg:
        with config.open("a") as f:
            f.write(f"\ndatabase: {pg}\n")
        with open_store(pg) as store:  # the server ends the connection at Metro Daily's first article
            store.db.execute(
                "CREATE FUNCTION kill_me() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$")
            store.db.execute("CREATE TRIGGER kill_me AFTER INSERT ON articles FOR EACH ROW "
                             "WHEN (NEW.source = 'Metro Daily') EXECUTE FUNCTION kill_me()")
        assert main(["run", "--config", str(config)]) == 2
        err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
        assert len(err) == 1 and "connection to PostgreSQL was lost" in err[0], err
        stored = article_count(pg)
        assert 0 < stored < 21, "the sources before Metro Daily are stored"
        assert set(failures(pg).values()) == {0}, "no source is blamed for the connection"
        with open_store(pg) as store:
            store.db.execute("DROP TRIGGER kill_me ON articles")
        assert main(["run", "--config", str(config)]) == 0
        assert article_count(pg) == 21


def test_an_index_emptied_under_a_running_process_is_refilled_not_silently_missed(tmp_path: Path) -> None:
    """Redis restarted without persistence (as the docs allow) while a process runs: its engine
    holds every article, the index none.  New copies used to be compared with nothing."""
    need_redis()
    config = copy_examples(tmp_path)
    with pg_schema() as single, pg_schema() as pg, redis_prefix() as rd:
        cfg = load_config(config)
        cfg.database = single
        with App(cfg, open_store(single)) as app:
            assert app.run().errors == []
        cfg.database, cfg.index = pg, rd
        everything = list(cfg.sources)
        with App(cfg.model_copy(update={"sources": everything[:2]}), open_store(pg)) as app:
            assert app.run().errors == []
            flush(rd)  # Redis restarts, empty; the process goes on
            app.cfg = cfg
            with pytest.raises(DigestError, match="the index was emptied"):
                app.run()
            assert app.run().errors == []  # the engine rebuilt from the store refills the index
        assert stored_partition(pg) == stored_partition(single)


def flush(index_url: str) -> None:
    import redis

    host, port = REDIS.rsplit(":", 1)
    client = redis.Redis(host=host, port=int(port))
    basename = index_url.rsplit("basename=", 1)[1]
    client.delete(*client.scan_iter(match=f"{basename}/*"))


def stored_partition(url: str) -> list[list[str]]:
    with open_store(url) as s:
        return sorted(sorted(v.key for v in s.story_versions(st.id))
                      for st in s.stories_first_seen_between(*ALL_TIME))


def test_a_looping_worker_goes_on_to_its_next_pass_when_redis_is_out_of_reach(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    need_redis()
    config = copy_examples(tmp_path)
    host, port = REDIS.rsplit(":", 1)
    with pg_schema() as pg:
        cfg = load_config(config)
        cfg.database, cfg.index = pg, f"redis://{host}:{port}/99?basename=x"  # no database 99
        with open_store(pg) as store:
            loop_worker(cfg, store, index=0, of=1, every_minutes=0.001, rounds=2)
        lines = [r.getMessage() for r in caplog.records if "cannot reach Redis" in r.getMessage()]
        assert len(lines) == 2 and all(line.startswith("worker 0/1, slot-") for line in lines), lines
        assert article_count(pg) == 0 and set(failures(pg).values()) <= {0}


@pytest.mark.slow  # starts a redis-server; a refused login is retried: ~6 s
def test_an_index_url_with_a_redis_acl_user_logs_in_as_that_user(tmp_path: Path) -> None:
    """``redis://digest:pw@host`` logged in as the default user with digest's password."""
    from digest.dedup.index_redis import RedisIndex, open_index

    port = free_port()
    with private_redis(port, "--user", "default", "off", "--user", "digest", "on", ">s3cret", "~*", "&*", "+@all"):
        index = open_index(f"redis://digest:s3cret@127.0.0.1:{port}/0?basename=acl", 0.08)
        assert isinstance(index, RedisIndex) and "s3cret" not in index.where
        assert "k" not in index
        with pytest.raises(DigestError, match=r"cannot reach Redis: .*(password|WRONGPASS)"):
            open_index(f"redis://digest:wrong@127.0.0.1:{port}/0?basename=acl", 0.08)
