"""read_path on a small folder of mixed files (tests/fixtures/parse/folder)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.errors import ParseError
from digest.records import AUTHOR_CHARS, TITLE_CHARS, Entry
from digest.sources import localfiles
from digest.sources.localfiles import decode, read_path

FOLDER = Path(__file__).parent / "fixtures" / "parse" / "folder"


def split(items: list[Entry | ParseError]) -> tuple[list[Entry], list[ParseError]]:
    return [i for i in items if isinstance(i, Entry)], [i for i in items if isinstance(i, ParseError)]


def test_folder_reads_every_kind_in_order_and_reports_bad_files() -> None:
    items = list(read_path(FOLDER, source="desk"))
    entries, errors = split(items)
    # one error for the .xml that is no feed; the broken feed still yields entries
    assert [(Path(e.source).name, e.kind) for e in errors] == [("c_notafeed.xml", "not-a-feed")]
    assert str(errors[0]).startswith(str(FOLDER / "c_notafeed.xml") + ": not a feed")
    titles = [e.title for e in entries]
    assert titles == [
        "Council & mayor agree on budget",
        "Relative link story",
        "Hostile link",
        "Survivor one",
        "Survivor two",
        "Harbour crane collapses",
        "The Great Flood of 2024",
        "Page & title",
        "Setext Title",
    ]
    assert all(e.source == "desk" for e in entries)
    # hidden files/folders and unknown kinds are never read
    assert not any("secret" in (e.text or "") or e.title == "hidden" for e in entries)


def test_text_and_markdown_articles() -> None:
    entries, _ = split(list(read_path(FOLDER, source="desk")))
    by_title = {e.title: e for e in entries}
    note = by_title["Harbour crane collapses"]
    assert note.text == "A crane fell at the harbour on Tuesday.\n\nNobody was hurt."
    assert note.url == (FOLDER / "d_note.txt").resolve().as_uri()
    assert note.content_html is None and not note.is_page
    md = by_title["The Great Flood of 2024"]
    assert md.text is not None
    assert "Intro line before the heading." in md.text and "two metres" in md.text
    assert "**" not in md.text and "](" not in md.text and "sandbags" in md.text
    setext = by_title["Setext Title"]
    assert setext.text == "Paragraph one."


def test_html_page_is_carried_whole() -> None:
    (page,) = [e for e in split(list(read_path(FOLDER / "sub", source="s")))[0] if e.is_page]
    assert page.title == "Page & title"
    assert page.content_html is not None and "<h1>Heading</h1>" in page.content_html


def test_mtime_stands_in_for_missing_dates(tmp_path: Path) -> None:
    f = tmp_path / "n.txt"
    f.write_text("Title\nbody")
    stamp = datetime(2023, 4, 5, 6, 7, 8, tzinfo=UTC).timestamp()
    os.utime(f, (stamp, stamp))
    (e,) = read_path(f, source="s")
    assert isinstance(e, Entry) and e.published == datetime(2023, 4, 5, 6, 7, 8, tzinfo=UTC)
    # a feed entry with its own date keeps it; one without gets the mtime
    feed = tmp_path / "f.rss"
    feed.write_text(
        '<rss version="2.0"><channel><title>t</title>'
        "<item><guid>1</guid><title>dated</title><pubDate>Sun, 07 Jan 2024 12:00:00 GMT</pubDate></item>"
        "<item><guid>2</guid><title>undated</title></item></channel></rss>"
    )
    os.utime(feed, (stamp, stamp))
    got = {e.title: e.published for e in read_path(feed, source="s") if isinstance(e, Entry)}
    assert got == {"dated": datetime(2024, 1, 7, 12, tzinfo=UTC), "undated": datetime.fromtimestamp(stamp, UTC)}


def test_future_mtime_is_clamped(tmp_path: Path) -> None:
    f = tmp_path / "n.txt"
    f.write_text("Title\nbody")
    future = datetime(2999, 1, 1, tzinfo=UTC).timestamp()
    os.utime(f, (future, future))
    (e,) = read_path(f, source="s")
    assert isinstance(e, Entry) and e.published is not None and e.published.year < 2999


def test_too_large_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(localfiles, "MAX_BYTES", 100)
    (tmp_path / "big.txt").write_text("T\n" + "x" * 200)
    (tmp_path / "small.txt").write_text("Small\nok")
    entries, errors = split(list(read_path(tmp_path, source="s")))
    assert [e.title for e in entries] == ["Small"]
    assert len(errors) == 1 and errors[0].kind == "too-large" and "big.txt" in str(errors[0])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Grüße, café".encode(), "Grüße, café"),
        (b"\xef\xbb\xbfBOM text", "BOM text"),
        ("utf16 é".encode("utf-16"), "utf16 é"),
        ("Smart “quotes” – cp1252".encode("cp1252"), "Smart “quotes” – cp1252"),
        (b"undefined \x81 byte \xe9", "undefined \x81 byte é"),  # latin-1 last resort
    ],
)
def test_decode_fallbacks(data: bytes, expected: str) -> None:
    assert decode(data) == expected


def test_html_declared_charset(tmp_path: Path) -> None:
    f = tmp_path / "ru.html"
    f.write_bytes('<html><head><meta charset="windows-1251"><title>Новости</title></head></html>'.encode("cp1251"))
    (e,) = read_path(f, source="s")
    assert isinstance(e, Entry) and e.title == "Новости"


def test_single_file_of_unknown_kind_is_sniffed(tmp_path: Path) -> None:
    feed = tmp_path / "feed.php"
    feed.write_bytes((Path(__file__).parent / "fixtures" / "parse" / "atom.xml").read_bytes())
    page = tmp_path / "page.asp"
    page.write_text("<!DOCTYPE html><html><head><title>Sniffed</title></head><body>x</body></html>")
    text = tmp_path / "NOTES"
    text.write_text("Plain notes\nline two")
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\x00\x01\x02garbage\x00" * 50)
    assert [e.title for e in read_path(feed, source="s") if isinstance(e, Entry)] == ["Storm <warning> issued", "Text only"]
    (p,) = read_path(page, source="s")
    assert isinstance(p, Entry) and p.is_page and p.title == "Sniffed"
    (t,) = read_path(text, source="s")
    assert isinstance(t, Entry) and (t.title, t.text) == ("Plain notes", "line two")
    (b,) = read_path(blob, source="s")
    assert isinstance(b, ParseError) and "binary" in str(b)
    # in a folder, unknown kinds are skipped silently
    folder_titles = [e.title for e in read_path(tmp_path, source="s") if isinstance(e, Entry)]
    assert folder_titles == []


def test_missing_path_empty_file_and_fifo(tmp_path: Path) -> None:
    (missing,) = read_path(tmp_path / "nope", source="s")
    assert isinstance(missing, ParseError) and "no such file" in str(missing)
    (tmp_path / "empty.txt").write_text("  \n\n")
    (empty,) = read_path(tmp_path / "empty.txt", source="s")
    assert isinstance(empty, ParseError) and empty.kind == "empty"
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.txt")
        (fifo,) = read_path(tmp_path / "pipe.txt", source="s")  # must not block
        assert isinstance(fifo, ParseError) and "regular file" in str(fifo)
        # in a folder the fifo is skipped, the empty file reported
        assert [type(i).__name__ for i in read_path(tmp_path, source="s")] == ["ParseError"]


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("X\nbody")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [e.title for e in read_path(tmp_path, source="s") if isinstance(e, Entry)] == ["X"]


def _page(
    tmp_path: Path, name: str, head: str, body: str = "<p>Body text of the page.</p>"
) -> Entry:
    return _local(tmp_path, name, f"<html><head>{head}</head><body>{body}</body></html>")


def _local(tmp_path: Path, name: str, text: str) -> Entry:
    """The one entry of a local file written with ``text``, its file time 2020-01-02 03:04:05."""
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    stamp = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()
    os.utime(f, (stamp, stamp))
    (e,) = read_path(f, source="s")
    assert isinstance(e, Entry)
    return e


def test_html_title_prefers_og_title_then_drops_the_site_suffix(tmp_path: Path) -> None:
    og = _page(
        tmp_path,
        "og.html",
        "<title>Bridge opens to cyclists at last | Riverside Post</title>"
        '<meta content="Bridge opens to cyclists at last" property="og:title">',
    )
    assert og.title == "Bridge opens to cyclists at last"
    suffix = _page(
        tmp_path, "suffix.html", "<title>Bridge opens to cyclists at last | Riverside Post</title>"
    )
    assert suffix.title == "Bridge opens to cyclists at last"
    # a short "A - B" headline is not a suffix
    short = _page(tmp_path, "short.html", "<title>Wolves - Rovers</title>")
    assert short.title == "Wolves - Rovers"


def test_html_date_keeps_the_stated_time(tmp_path: Path) -> None:
    meta = _page(
        tmp_path,
        "meta.html",
        "<title>t</title><meta content='2023-05-06T14:40:00+02:00' property='article:published_time'>",
    )
    assert meta.published == datetime(2023, 5, 6, 12, 40, tzinfo=UTC) and not meta.date_from_file
    ld = _page(
        tmp_path,
        "ld.html",
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2023-05-06T09:15:00Z"}</script>',
    )
    assert ld.published == datetime(2023, 5, 6, 9, 15, tzinfo=UTC)
    tag = _page(
        tmp_path,
        "tag.html",
        "",
        '<time itemprop="datePublished" datetime="2023-05-06 18:05">x</time><p>b</p>',
    )
    assert tag.published == datetime(2023, 5, 6, 18, 5, tzinfo=UTC)
    # the HTML5 draft's bare ``pubdate`` attribute: htmldate's fallback keeps its minute
    bare = _page(tmp_path, "bare.html", "", '<time datetime="2023-05-07T07:30Z" pubdate>x</time><p>b</p>')
    assert bare.published == datetime(2023, 5, 7, 7, 30, tzinfo=UTC)
    # a date without a time still dates the page (to its day)
    day = _page(
        tmp_path, "day.html", "<meta property='article:published_time' content='2023-05-06'>"
    )
    assert day.published is not None and day.published.date().isoformat() == "2023-05-06"
    # a stated time in the future is not believed: the file's time stands in
    future = _page(
        tmp_path,
        "future.html",
        "<meta property='article:published_time' content='2999-01-01T00:00:00Z'>",
    )
    assert future.published == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC) and future.date_from_file


def test_a_markdown_article_with_front_matter(tmp_path: Path) -> None:
    e = _local(tmp_path, "a.md", "---\ntitle: Wall falls\ndate: 2026-11-20T09:30:00Z\nauthor: Jo\n---\n\n"
              "# Wall falls\n\nThe harbour wall fell into the sea.\n")
    assert (e.title, e.published, e.author, e.date_from_file) == (
        "Wall falls", datetime(2026, 11, 20, 9, 30, tzinfo=UTC), "Jo", False)
    assert e.text == "The harbour wall fell into the sea."  # no keys, no repeated heading
    # a heading other than the block's title stays in the text
    other = _local(tmp_path, "b.md", "---\ntitle: Wall falls\n---\n# What we know\n\nIt fell.\n")
    assert other.title == "Wall falls" and other.text is not None and other.text.startswith("What we know")
    # the block's title wins over a heading further down, which stays where it was
    later = _local(tmp_path, "c.md", "---\ntitle: Wall falls\n---\nIt fell.\n\n## Background\n\nOld wall.\n")
    assert later.title == "Wall falls" and later.text == "It fell.\n\nBackground\n\nOld wall."


def test_a_text_article_with_front_matter_and_a_stated_date_in_the_future(tmp_path: Path) -> None:
    e = _local(tmp_path, "a.txt", "---\ntitle: Ferry back\ndate: 2999-01-01\n---\nFerry back\nIt sails again.\n")
    assert (e.title, e.text) == ("Ferry back", "It sails again.")
    # a first line that is not the title stays as it was (a wrapped paragraph is not cut)
    wrapped = _local(tmp_path, "b.txt", "---\ntitle: Ferry back\n---\nThe ferry is\nback today.\n")
    assert wrapped.text == "The ferry is\nback today."
    # not believed: the file's time stands in
    assert e.published == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC) and e.date_from_file


def test_titles_and_authors_of_local_files_are_capped(tmp_path: Path) -> None:
    words = " ".join(f"word{i}" for i in range(20_000))  # ~190 kB: over 600 times the title cap
    head = " ".join(words.split()[:60])

    def capped(value: str | None, limit: int) -> None:
        assert value is not None and len(value) <= limit and value.endswith("…"), (value or "")[-40:]
        assert value[:-1].rstrip().split()[-1] in head.split()  # whole words, from the start

    long = " ".join(words.split()[:5000])  # ~40 kB: within the part of a page read for its title
    page = _page(tmp_path, "a.html", f'<meta property="og:title" content="{long}"><title>{long}</title>')
    capped(page.title, TITLE_CHARS)
    plain_title = _page(tmp_path, "b.html", f"<title>{long}</title>")
    capped(plain_title.title, TITLE_CHARS)
    heading = _local(tmp_path, "b2.md", f"# {words}\n\nThe wall fell.\n")
    capped(heading.title, TITLE_CHARS)
    assert heading.text == "The wall fell."
    front = _local(tmp_path, "c.md", f"---\ntitle: {words}\nauthor: {words}\n---\nIt fell.\n")
    capped(front.title, TITLE_CHARS)
    capped(front.author, AUTHOR_CHARS)
    # a first line too long to be a title is the article's first paragraph: nothing is lost
    para = _local(tmp_path, "d.txt", f"{words}\nSecond line.\n")
    assert len(para.title) <= TITLE_CHARS and para.text is not None
    assert para.text.startswith(words[:1000]) and para.text.endswith("Second line.")
    assert len(para.text) > len(words)
    md_para = _local(tmp_path, "e.md", f"{words}\n\nSecond paragraph.\n")
    assert len(md_para.title) <= TITLE_CHARS and md_para.text is not None
    assert md_para.text.startswith("word0 word1") and md_para.text.endswith("Second paragraph.")
    assert len(md_para.text) > len(words)


FIRE_BODY = "A fire destroyed a furniture warehouse on Mill Road overnight. Firefighters fought the blaze for five [...]"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("fire.txt", f"Brindle warehouse fire\n{FIRE_BODY}\n"),
        ("fire.md", f"---\ntitle: Brindle warehouse fire\n---\n{FIRE_BODY}\n"),
        ("fire.rss", '<rss version="2.0"><channel><title>t</title><item><guid>f1</guid>'
                     f"<title>Brindle warehouse fire</title><description>{FIRE_BODY}</description></item></channel></rss>"),
    ],
)
def test_an_article_cut_short_with_brackets_keeps_its_title_and_its_text(
    tmp_path: Path, name: str, content: str
) -> None:
    """"[...]" ends a truncated summary: the paragraph is the (truncated) text, not a headline."""
    from digest.text.prepare import prepare

    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / name).write_text(content)
    (entry,) = read_path(tmp_path / "folder", source="Local")
    assert isinstance(entry, Entry)
    article = prepare(entry)
    assert article is not None
    assert (article.title, article.text, article.junk) == ("Brindle warehouse fire", FIRE_BODY, [])
    assert article.truncated


def test_a_title_stated_in_front_matter_is_never_second_guessed(tmp_path: Path) -> None:
    """A front-matter ``title:`` of under four words was taken for a line that is no headline,
    and a body opening with a Title Case line without a stop replaced it."""
    from digest.text.prepare import prepare

    (tmp_path / "f.md").write_text("---\ntitle: Fire\n---\nMill Road Warehouse Blaze Latest\n\n"
                                   "A fire destroyed a furniture warehouse on Mill Road overnight, the fire service said.\n")
    (entry,) = read_path(tmp_path / "f.md", source="Local")
    assert isinstance(entry, Entry) and entry.title_stated
    article = prepare(entry)
    assert article is not None and article.title == "Fire"
    assert "A fire destroyed a furniture warehouse" in article.text


def test_a_single_path_of_a_kind_digest_does_not_read_is_one_error_naming_it(tmp_path: Path) -> None:
    """``path: doc.pdf`` became a story titled "%PDF-1.4 binary"; a text file of another kind
    named on purpose (``notes.rst``) is read as text, as it was."""
    from digest.sources.localfiles import named

    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(b"%PDF-1.4 binary")
    notes = tmp_path / "notes.rst"
    notes.write_text("Harbour works begin\n\nWork on the harbour wall began on Monday, the council said.\n")
    (err,) = read_path(pdf, source="Pdf")
    assert isinstance(err, ParseError) and err.kind == "not-a-feed"
    line = str(named(err, pdf, "Pdf"))
    assert line.startswith("Pdf: a PDF document, not a feed or article: digest reads feed files")
    assert "\n" not in line
    (rst,) = read_path(notes, source="Notes")
    assert isinstance(rst, Entry) and rst.title == "Harbour works begin"
    # in a folder they are of unknown kinds: skipped without a word
    assert list(read_path(tmp_path, source="Folder")) == []


def test_binary_data_named_as_an_article_is_one_error_and_no_entry(tmp_path: Path) -> None:
    """Random bytes named ``binary.txt`` in a folder became a story with a mojibake title."""
    import random

    from digest.sources.localfiles import named

    rng = random.Random(7)
    noise = bytes(rng.randrange(256) for _ in range(3000))
    (tmp_path / "binary.txt").write_bytes(noise)
    (tmp_path / "controls.md").write_bytes(noise.replace(b"\x00", b"x"))  # no NUL: control characters tell
    (tmp_path / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n" + noise)
    (tmp_path / "note.txt").write_text("Harbour crane collapses\nA crane fell at the harbour on Tuesday.\n")
    (tmp_path / "legacy.txt").write_bytes("Café reopens\nThe café on Quay Street reopened, its owner said.".encode("cp1252"))
    entries, errors = split(list(read_path(tmp_path, source="Bin")))
    assert [e.title for e in entries] == ["Café reopens", "Harbour crane collapses"]
    assert sorted(str(named(e, tmp_path, "Bin")) for e in errors) == [
        "Bin: binary.txt: binary data (NUL bytes), not a .txt article: skipped",
        "Bin: controls.md: binary data (control characters), not a .md article: skipped",
        "Bin: photo.html: a PNG image, not a .html article: skipped",
    ]
