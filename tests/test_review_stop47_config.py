"""Stop 47 review: what writes ``feeds.yaml`` from hostile input (``digest add``,
``digest import-opml``), and the file itself under stress (a symlink, a full disk, two
edits at once)."""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config
from digest.config.edit import add_sources
from tests.support.httpd import TestServer

HEAD = "# my feeds\nsources:\n  # local desk\n  - name: Notes\n    path: notes   # my notes\n"
TAIL = "# the end\ntimezone: UTC\nfetch:\n  allow_hosts: ['127.0.0.1']\n"


def config(folder: Path) -> Path:
    (folder / "notes").mkdir(exist_ok=True)
    path = folder / "feeds.yaml"
    path.write_text(HEAD + TAIL, encoding="utf-8")
    return path


def test_an_opml_url_with_a_yaml_line_break_is_not_written_as_another_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # U+0085 (NEL) and U+2028 are line breaks to YAML 1.1: written inside single quotes they
    # were folded, and read back as another URL (one with a space), which the next import of the
    # same list did not know and added again
    cfg = config(tmp_path)
    with TestServer() as srv:
        opml = tmp_path / "list.opml"
        opml.write_text(f'<opml version="2.0"><body><outline text="Nel" xmlUrl="{srv.url("/a")}&#133;x"/>'
                        f'<outline text="Ls" xmlUrl="{srv.url("/b")}&#x2028;y"/></body></opml>', encoding="utf-8")
        assert main(["import-opml", "--config", str(cfg), str(opml)]) == 1  # no feed in it to add
        main(["import-opml", "--config", str(cfg), str(opml)])
    out = capsys.readouterr().out
    urls = [s.url for s in load_config(cfg).sources][1:]
    assert all(u in (f"{srv.url('/a')}\x85x", f"{srv.url('/b')}\u2028y") for u in urls), urls  # as listed, or not at all
    assert len(urls) == len(set(urls)) <= 2
    assert cfg.read_text(encoding="utf-8").startswith(HEAD) and "not added" in out


def test_a_yaml_line_break_in_a_name_or_url_reads_back_as_written(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    feeds = [{"name": "a\x85b", "url": "https://h.example/a\u2028b", "category": "c\u2029d"}]
    add_sources(cfg, feeds)
    got = load_config(cfg).sources[-1]
    assert (got.name, got.url, got.category) == ("a\x85b", "https://h.example/a\u2028b", "c\u2029d")


def _add(cfg: str, i: int, start: object) -> None:
    start.wait()  # type: ignore[attr-defined]
    add_sources(Path(cfg), [{"name": f"Feed {i}", "url": f"https://h{i}.example/feed"}])


def test_two_adds_at_once_both_end_up_in_the_file(tmp_path: Path) -> None:
    # each read the file, added its own and replaced it: the last one won, the others were lost
    cfg = config(tmp_path)
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(4)
    procs = [ctx.Process(target=_add, args=(str(cfg), i, start)) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    assert sorted(s.name for s in load_config(cfg).sources) == ["Feed 0", "Feed 1", "Feed 2", "Feed 3", "Notes"]
    assert cfg.read_text(encoding="utf-8").startswith(HEAD)


def test_a_symlinked_feeds_yaml_is_edited_where_it_points(tmp_path: Path) -> None:
    # a feeds.yaml kept in a dotfiles folder and linked: the link was replaced by a copy, and
    # the file it pointed to (the one under version control) never saw the new source
    (tmp_path / "dotfiles").mkdir()
    real = config(tmp_path / "dotfiles")
    (tmp_path / "notes").mkdir()
    link = tmp_path / "feeds.yaml"
    link.symlink_to(real)
    assert main(["add", "--no-check", "--config", str(link), "https://h.example/feed"]) == 0
    assert link.is_symlink()
    assert [s.url for s in load_config(real).sources] == [None, "https://h.example/feed"]


def _limited() -> None:  # the child: files may not grow past 2000 bytes (as a full disk)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))


def test_a_full_disk_is_one_error_line_and_the_old_backup_stays(tmp_path: Path) -> None:
    # the backup was copied over the old one in place: on a full disk it was left empty (the
    # last good copy gone) and the command ended in a traceback
    cfg = config(tmp_path)
    cfg.write_text(HEAD + "".join(f"  - name: S{i}\n    url: https://s{i}.example/feed\n" for i in range(60)) + TAIL)
    before = cfg.read_bytes()
    backup = tmp_path / "feeds.yaml.bak"
    backup.write_text(HEAD + TAIL)
    run = subprocess.run([sys.executable, "-m", "digest", "add", "--no-check", "--config", str(cfg),
                          "https://new.example/feed"], capture_output=True, text=True, preexec_fn=_limited,
                         cwd=Path(__file__).parent.parent, env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
                         timeout=120)
    assert len(before) > 2000
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and run.stderr.count("\n") == 1 and str(cfg) in run.stderr
    assert cfg.read_bytes() == before
    assert backup.read_text() == HEAD + TAIL


def test_the_backup_keeps_the_files_permissions(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    cfg.chmod(0o600)  # an SMTP password in it
    add_sources(cfg, [{"name": "A", "url": "https://a.example/feed"}])
    assert (tmp_path / "feeds.yaml.bak").stat().st_mode & 0o777 == 0o600
    assert cfg.stat().st_mode & 0o777 == 0o600


def test_a_folder_that_cannot_be_locked_is_edited_all_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Some NFS and FUSE mounts have no locks (ENOLCK): the edit is made as before the lock was
    added, with one warning, not a traceback.  (No such mount here: flock is made to fail.)"""
    import errno
    import fcntl

    def no_locks(fd: int, op: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    path = config(tmp_path)
    monkeypatch.setattr(fcntl, "flock", no_locks)
    add_sources(path, [{"name": "Added Wire", "url": "https://added.example/feed"}])
    assert "Added Wire" in [s.name for s in load_config(path).sources]
    assert "cannot be locked" in caplog.text
