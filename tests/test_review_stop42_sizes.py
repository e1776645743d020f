"""Review (stop 42), sizes: what the largest, most numerous or slowest input costs.

Real parts: loopback HTTP servers (``tests.support.httpd``), ``digest run`` in a process of
its own (``python -m digest``: a hang is a failed test, not a stuck run), ``digest replay``
through the CLI, SQLite on disk, the configuration read from its file.

Each test builds a hostile input and runs a process over it (2-5 s each, about a minute in
all): slow tests, run by CI (``--run-slow``), not by the README's quick command.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.daemon import loopback_config
from tests.support.httpd import TestServer

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
RSS = "application/rss+xml"
GOOD_TEXT = ("The harbour board approved a new ferry timetable on Tuesday after months of complaints "
             "from commuters about late and crowded boats on the morning run.")
GOOD = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Ferry timetable '
        f"approved</title><link>https://example.com/2</link><guid>g2</guid><description>{GOOD_TEXT}"
        "</description></item></channel></rss>").encode()


def digest(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``digest ARGS`` in a process of its own; a run over ``timeout`` seconds fails the test."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"digest {args[0]} still running after {timeout:.0f} s")


# -- a cut-off feed's screen: catastrophic backtracking -------------------------------------------


HEAD = '<?xml version="1.0"?>'
FIRST = "<item><title>Quake hits the coast</title><description>The quake hit the coast.</description></item>"
CUT_OFF = {
    # an unclosed DOCTYPE of "[]" pairs: every split of them was tried (twice the time a pair)
    "doctype-pairs": (HEAD + "<!DOCTYPE rss " + "[]" * 40 + ' [ <rss version="2.0"><channel><title>T</title>'
                      + FIRST),
    # 60,000 "<item " with no ">" after them: each was read to the document's end (quadratic)
    "open-item-tags": HEAD + '<rss version="2.0"><channel><title>T</title>' + FIRST + "<item " * 60_000,
}


@pytest.mark.parametrize("name", list(CUT_OFF))
def test_a_cut_off_feeds_screen_takes_no_time_the_other_feed_is_read(tmp_path: Path, name: str) -> None:
    """A feed ill-formed at its end is looked at for where it was cut (``cutoff.where_cut``),
    by regular expressions that backtracked: 80 bytes of DOCTYPE held a core for days, 360 KB
    of ``<item `` for minutes, in the middle of ``digest run``.  Now the run is over in
    seconds; the hostile feed reads as any cut-off feed does, and the other feed is read."""
    with TestServer() as srv:
        srv.set("/hostile", CUT_OFF[name].encode(), headers={"Content-Type": RSS})
        srv.set("/good", GOOD, headers={"Content-Type": RSS})
        cfg = loopback_config(tmp_path, srv, {"Hostile": "/hostile", "Good": "/good"})
        done = digest("run", "--config", str(cfg), cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    out_md = next(tmp_path.glob("out/digest-*.md")).read_text(encoding="utf-8")
    assert "Ferry timetable approved" in out_md


# -- the configuration: aliases and nesting -------------------------------------------------------


def laughs(levels: int) -> str:
    """A "billion laughs": each line's list names the line before's nine times."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\nsources:\n  - name: *l{levels - 1}\n    url: https://example.com/feed\n"


@pytest.mark.parametrize("text", [laughs(9), "sources: " + "[" * 100_000 + "]" * 100_000],
                         ids=["billion-laughs", "nested-100000-deep"])
def test_a_configuration_of_aliases_or_deep_nesting_is_one_short_error_line(tmp_path: Path, text: str) -> None:
    """Nine lines of nine aliases each stand for 387 million values: ``digest run`` took 92 s
    and 16 GB of memory to print an error line of 2 GB quoting them.  100,000 nested lists were
    a RecursionError's traceback.  Each is now one line naming the file, at once."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(text, encoding="utf-8")
    done = digest("run", "--config", str(cfg), cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {cfg}: "), done.stderr[:2000]
    assert "Traceback" not in done.stderr and len(lines[0]) < 300


def test_a_value_of_the_wrong_type_is_quoted_short(tmp_path: Path) -> None:
    """A list where a name belongs is quoted in the error line, its start only (the whole of a
    list of 50,000 values was one line of 400 KB); a configuration of many aliases under the
    limit is read as before."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(laughs(4) + "  - name: Long\n    url: https://example.com/other\n"
                   + "  - name: [" + ", ".join(["123456"] * 50_000) + "]\n    url: https://example.com/3\n",
                   encoding="utf-8")
    done = digest("run", "--config", str(cfg), cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert any("sources[0].name: needs text, not [[[" in line for line in lines), lines
    assert any("sources[2].name: needs text, not [123456, " in line for line in lines), lines
    assert max(len(line) for line in lines if "needs text" in line) < 300


# -- a local page's meta tags ---------------------------------------------------------------------


def test_a_local_pages_long_meta_tag_takes_no_time_the_other_page_is_read(tmp_path: Path) -> None:
    """A saved page's ``<meta`` tag of 100,000 letters (no ``=``): its attributes' expression
    tried every start and length of the run, quadratic (60,000 letters: 33 s of ``digest run``,
    the 200,000 of the page's head searched ~5 min).  Now the run is over in seconds, both pages
    read."""
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "hostile.html").write_text(
        "<html><head><meta " + "a" * 100_000 + "><title>Hostile page</title></head><body><p>The hostile "
        "page says little of note to anyone reading it today.</p></body></html>", encoding="utf-8")
    (desk / "good.html").write_text(
        f"<html><head><title>Ferry timetable approved</title></head><body><p>{GOOD_TEXT}</p></body></html>",
        encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("timezone: UTC\noutput_dir: out\ndata_dir: data\nsources:\n  - name: Desk\n    path: desk\n",
                   encoding="utf-8")
    done = digest("run", "--config", str(cfg), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out_md = next(tmp_path.glob("out/digest-*.md")).read_text(encoding="utf-8")
    assert "Ferry timetable approved" in out_md and "Hostile page" in out_md


# -- a replayed record's fields -------------------------------------------------------------------


@pytest.mark.parametrize(("key", "limit"), [("url", "4,096"), ("source", "300"), ("id", "2,000")])
def test_a_replayed_records_huge_field_is_a_bad_line_and_the_others_are_read(
    tmp_path: Path, key: str, limit: str
) -> None:
    """A feed's link is at most 4,096 characters and its id is cut to 2,000; a replayed record
    had no such bound: a ``url`` or ``source`` of 10 MB went into the digest whole (a 10 MB
    digest; the url's record took 1.75 GB of memory), an ``id`` into the store whole.  Such a
    record is now one bad line naming the field; the other record is read."""
    from tests.test_timeline import write_inputs

    good = {"id": "ferry", "title": "Ferry timetable approved", "source": "Harbour News",
            "published": "2026-11-10T08:00:00+00:00", "text": GOOD_TEXT}
    hostile = {"id": "quake", "title": "Quake hits the coast", "source": "Coast News",
               "published": "2026-11-10T09:00:00+00:00", "url": "https://example.com/quake",
               "text": "The quake hit the coast today. Houses fell and roads closed in the town."}
    hostile[key] = hostile[key] + "x" * 1_000_000
    data, cfg = write_inputs(tmp_path, [hostile, good])
    done = digest("replay", str(data), "--config", str(cfg), cwd=tmp_path)
    assert done.returncode == 1, done.stderr[-2000:]
    assert f"{data}:1: '{key}' is 1,00" in done.stderr and f"long (at most {limit})" in done.stderr
    out_md = next(tmp_path.glob("out/digest-*.md"))
    assert "Ferry timetable approved" in out_md.read_text(encoding="utf-8")
    assert out_md.stat().st_size < 10_000


# -- a folder source's depth ----------------------------------------------------------------------


def test_a_folder_nested_too_deep_is_one_line_and_its_other_files_are_read(tmp_path: Path) -> None:
    """``os.walk`` descends by recursion: a folder source holding a tree 1,100 folders deep was
    "Desk: internal error: RecursionError", none of its files read.  The walk now stops
    ``MAX_DEPTH`` folders down with one line naming where; the folder's files above are read."""
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "good.txt").write_text(f"Ferry timetable approved\n\n{GOOD_TEXT}\n", encoding="utf-8")
    chain = [desk / ("a/" * i + "a") for i in range(1100)]
    for folder in chain:
        folder.mkdir()
    (chain[-1] / "deep.txt").write_text("Deep note\n\nA note kept very deep in the folder tree.\n", encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("timezone: UTC\noutput_dir: out\ndata_dir: data\nsources:\n  - name: Desk\n    path: desk\n",
                   encoding="utf-8")
    try:
        done = digest("run", "--config", str(cfg), cwd=tmp_path)
    finally:  # removed bottom up: shutil.rmtree (pytest's clean-up) recurses too
        (chain[-1] / "deep.txt").unlink()
        for folder in reversed(chain):
            folder.rmdir()
    assert done.returncode == 1
    [line] = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert line.startswith("error: Desk: a/a/") and "folders nested more than 64 deep" in line, done.stderr
    out_md = next(tmp_path.glob("out/digest-*.md")).read_text(encoding="utf-8")
    assert "Ferry timetable approved" in out_md and "Deep note" not in out_md


# -- a folder source's number of files ------------------------------------------------------------


def test_a_folder_of_more_files_than_a_feeds_entries_reads_the_newest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Each file of a folder source is an article to clean and compare: 3,000 small notes took a
    first ``digest run`` 17 s, a folder of 200,000 about 20 minutes, and each run after read
    them all again.  A folder is now read as a feed is (``feeds.MAX_ENTRIES``, 20,000): its
    newest files by modification time, with one warning naming the source."""
    from digest.sources.localfiles import read_path

    desk = tmp_path / "desk"
    desk.mkdir()
    for i in range(20_010):
        f = desk / f"n{i:05d}.txt"
        f.write_text(f"Note {i}\n\nThe note number {i}.\n", encoding="utf-8")
        os.utime(f, (1_700_000_000 + i, 1_700_000_000 + i))  # n00000 the oldest
    items = list(read_path(desk, source="Desk"))
    titles = {e.title for e in items if not isinstance(e, Exception)}
    assert len(titles) == 20_000 and "Note 20009" in titles and "Note 9" not in titles and "Note 10" in titles
    [warning] = [r.getMessage() for r in caplog.records if "files" in r.getMessage()]
    assert warning == "Desk: the folder holds 20,010 files; only the 20,000 newest (by modification time) are read"


# -- an OPML list's names -------------------------------------------------------------------------


def test_a_list_of_many_outlines_of_one_title_loads_at_once(tmp_path: Path) -> None:
    """A list's feeds are named by their titles, a title taken being ``Title (List)``, then
    ``Title (List) 2``...: each name counted up from 2, so 40,000 outlines of one title (3.4 MB,
    under ``lists.MAX_LIST``) took every command 160 s to load the configuration.  Now ~2 s,
    the same names."""
    outlines = "".join(f'<outline type="rss" text="Same" xmlUrl="https://example.com/f{i}.xml"/>'
                       for i in range(40_000))
    (tmp_path / "list.opml").write_text(f'<?xml version="1.0"?><opml version="2.0"><head><title>L</title>'
                                        f"</head><body>{outlines}</body></opml>", encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("timezone: UTC\noutput_dir: out\ndata_dir: data\nsources:\n  - name: List\n"
                   "    path: list.opml\n", encoding="utf-8")
    done = digest("sources", "--config", str(cfg), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    names = [line.split(":")[0] for line in done.stdout.splitlines() if line.startswith("Same")]
    assert names[:3] == ["Same", "Same (List)", "Same (List) 2"] and names[-1] == "Same (List) 39999"
    assert len(set(names)) == 40_000


# -- a JSON Lines file's line ---------------------------------------------------------------------


def test_a_replayed_line_longer_than_the_cap_is_a_bad_line_never_held(tmp_path: Path) -> None:
    """A record's text is cut to 200,000 characters and its HTML read to 5,000,000, but the line
    was read and parsed whole: a line of 100 MB took ``digest replay`` 1.7 GB of memory.  A line
    of more than ``MAX_LINE_BYTES`` (32 MiB) is now one bad line giving its length, read past in
    pieces; the next line is read."""
    from tests.test_timeline import write_inputs

    good = {"id": "ferry", "title": "Ferry timetable approved", "source": "Harbour News",
            "published": "2026-11-10T08:00:00+00:00", "text": GOOD_TEXT}
    huge = {"id": "quake", "title": "Quake hits the coast", "source": "Coast News",
            "published": "2026-11-10T09:00:00+00:00", "text": "The quake hit the coast today. " * 1_100_000}
    data, cfg = write_inputs(tmp_path, [huge, good])
    size = len(data.read_bytes().split(b"\n")[0]) + 1
    done = digest("replay", str(data), "--config", str(cfg), cwd=tmp_path)
    assert done.returncode == 1, done.stderr[-2000:]
    assert f"{data}:1: {size:,} bytes long: not read (at most 33,554,432)" in done.stderr
    out_md = next(tmp_path.glob("out/digest-*.md")).read_text(encoding="utf-8")
    assert "Ferry timetable approved" in out_md and "Quake" not in out_md


def test_a_line_piped_in_longer_than_the_cap_is_a_bad_line_too(tmp_path: Path) -> None:
    """``digest dedupe -`` (and ``replay -``) read standard input line by line with no bound:
    a file's line of more than ``MAX_LINE_BYTES`` was one bad line, the same line piped in was
    held and parsed whole.  Standard input is now read as a file is."""
    import json

    good = {"id": "ferry", "title": "Ferry timetable approved", "text": GOOD_TEXT}
    huge = {"id": "quake", "title": "Quake hits the coast", "text": "The quake hit the coast today. " * 1_200_000}
    data = (json.dumps(huge) + "\n" + json.dumps(good) + "\n").encode()
    size = data.index(b"\n") + 1
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "digest", "dedupe", "-"], cwd=tmp_path, env=env, input=data,
                          capture_output=True, timeout=120, check=False)
    err = done.stderr.decode()
    assert f"stdin:1: {size:,} bytes long: not read (at most 33,554,432)" in err, err[-2000:]
    assert b'"ferry"' in done.stdout and b'"quake"' not in done.stdout
