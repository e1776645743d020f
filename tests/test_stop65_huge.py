"""Stop 65, a huge first read: the contents and the earlier news capped with "and N more", the
page's Markdown links found as the library finds them, the run's time with its writing."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import lxml.html
import markdown
import pytest

from digest.app import App
from digest.cli import main
from digest.output import mailfit
from digest.output.mdlinks import fast_links
from digest.output.params import BACKLOG_LINES, TOC_LINES
from digest.output.render import render_email_html, render_html, render_markdown, render_text
from digest.records import DigestView, StoryView, VersionView
from digest.runreport import RunReport
from tests.support.views import NOON


def _view(n: int, earlier: int = 0) -> DigestView:
    stories = [StoryView(f"id{i}", f"Story number {i}",
                         VersionView(f"Source {i}", f"Story number {i}", f"https://s{i}.example/a", NOON,
                                     f"Text of story {i}."), [])
               for i in range(n)]
    stories += [StoryView(f"old{i}", f"Old story {i}",
                          VersionView("Archive", f"Old story {i}", f"https://old.example/{i}",
                                      NOON - timedelta(days=30, minutes=i), f"Old text {i}."), [],
                          backlog=True)
                for i in range(earlier)]
    return DigestView("2024-05-01", stories, n + earlier, 0, generated=NOON)


def test_the_caps_are_the_params() -> None:
    assert (TOC_LINES, BACKLOG_LINES) == (100, 100)


def test_a_day_of_the_cap_lists_every_story_in_its_contents() -> None:
    md = render_markdown(_view(TOC_LINES, BACKLOG_LINES))
    assert f"\n{TOC_LINES}. [Story number {TOC_LINES - 1}](#" in md
    assert " more stories below." not in md and "not listed here" not in md
    assert md.count("- [Old story ") == BACKLOG_LINES


@pytest.fixture
def small_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mailfit, "TOC_LINES", 5)
    monkeypatch.setattr(mailfit, "BACKLOG_LINES", 3)


@pytest.mark.usefixtures("small_caps")
def test_contents_and_earlier_news_capped_in_every_format() -> None:
    view = _view(8, 5)
    md = render_markdown(view)
    toc = md.split("In this digest:", 1)[1].split("## ", 1)[0]
    assert [line.split(".")[0] for line in toc.splitlines() if line[:1].isdigit()] == ["1", "2", "3", "4", "5"]
    assert "\nand 3 more stories below.\n" in toc
    assert md.count("## [Story number ") == 8  # every story in full all the same
    assert md.count("- [Old story ") == 3 and "\n2 more stories of earlier news, not listed here.\n" in md
    for page in (render_html(view), render_email_html(view)):
        root = lxml.html.document_fromstring(page)
        ol = root.xpath("//p[contains(@class, 'toc-label')]/following-sibling::ol[1]")[0]
        assert len(ol.findall("li")) == 5
        assert ol.getnext().text_content() == "and 3 more stories below."
        assert len(root.xpath("//h2[a]")) == 8
        assert "2 more stories of earlier news, not listed here." in root.text_content()
    text = render_text(view)
    assert " 5. Story number 4 (1 outlet)\nand 3 more stories below.\n" in text
    assert " 6. Story number 5" not in text
    assert "2 more stories of earlier news, not listed here." in text


@pytest.mark.usefixtures("small_caps")
def test_one_more_is_said_singular() -> None:
    md = render_markdown(_view(6, 4))
    assert "\nand 1 more story below.\n" in md
    assert "\n1 more story of earlier news, not listed here.\n" in md


@pytest.mark.parametrize("text", [
    "[a](https://x.example/) and [b [c] d](https://y.example/) [e]",
    "[unclosed and [nested [deep]](https://z.example/)",
    "### [Title \\[1\\]](https://x.example/a) [x][ref]\n\n[ref]: https://r.example/",
    "[a] [b] ![i](https://i.example/p.png) [[c]](#id) ] [",
])
def test_fast_links_convert_as_the_library(text: str) -> None:
    plain = markdown.Markdown(extensions=["attr_list", "md_in_html"])
    fast = fast_links(markdown.Markdown(extensions=["attr_list", "md_in_html"]))
    assert fast.convert(text) == plain.convert(text)


def test_the_run_says_the_digest_s_writing() -> None:
    report = RunReport(sources=1, entries=3, new_articles=3, seconds=175.04)
    assert report.summary().endswith("0 failed (175.0s)")
    report.writing = 90.0
    assert report.summary().endswith("0 failed (265.0s, 90.0s of it writing the digest)")


def test_run_builds_the_day_s_view_once_and_says_its_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    root = Path(__file__).resolve().parents[1]
    shutil.copy(root / "feeds.yaml", tmp_path / "feeds.yaml")
    shutil.copytree(root / "examples", tmp_path / "examples")
    built: list[object] = []
    kept = App.build_view

    def counted(self: App, *args: object, **kwargs: object) -> object:
        built.append(args)
        return kept(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(App, "build_view", counted)
    assert main(["run", "--quiet", "--config", str(tmp_path / "feeds.yaml")]) == 0
    assert len(built) == 1  # was 2: one for the summary, one to write (a huge day's took seconds)
    assert (tmp_path / "out" / "digest-2026-11-20.html").is_file()
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert re.search(r", 0 failed \(\d+\.\ds, \d+\.\ds of it writing the digest\)$", summary), summary
