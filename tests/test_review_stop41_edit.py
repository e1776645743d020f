"""Review of stop 41's ``digest add`` / ``digest remove`` and the loopback feed key, with real
files and the CLI.

* A ``feeds.yaml`` written with CRLF line endings (Windows Notepad): ``digest remove`` (and
  ``digest add``) wrote every line back with LF, though the edit promises every other line kept
  byte for byte: the whole file showed as changed in the user's version control.
* A file saved with a UTF-8 byte order mark whose first key is ``sources:``: removing its last
  source failed ("sources: Input should be a valid list"): ``sources: []`` was not written, the
  BOM before the key.
* A feed titled with a zero-width space was added as the source '\\u200b', one whose title
  opened with U+202E (a bidi override) turned each line naming it around; a blank ``--name`` was
  refused after the feed was read, at a line of a file never written.
* A feed titled "Yes", "On" or "Off" (or such a ``--name``, ``--category``) could not be added:
  ruamel wrote it plain, YAML 1.2's text, and the configuration's YAML 1.1 loader read ``True``.
* ``[0:0:0:0:0:0:0:1]`` and ``[::ffff:127.0.0.1]`` are ``[::1]`` and ``127.0.0.1`` spelt
  otherwise: one local feed listed under them was two feeds to ``identity.feed_key`` (no
  warning, each page listed twice).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config
from digest.text.identity import feed_key
from tests.support.httpd import TestServer

CRLF_CONFIG = ("# my feeds\r\ntimezone: UTC\r\nsources:\r\n"
               "  - name: A\r\n    url: https://a.example/feed\r\n"
               "  # B's note\r\n  - name: B\r\n    url: https://b.example/feed\r\n")


def test_remove_keeps_a_crlf_files_line_endings(tmp_path: Path) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_bytes(CRLF_CONFIG.encode())
    assert main(["remove", "--config", str(cfg), "A"]) == 0
    assert cfg.read_bytes() == CRLF_CONFIG.replace("  - name: A\r\n    url: https://a.example/feed\r\n", "").encode()
    assert [s.name for s in load_config(cfg).sources] == ["B"]


def test_add_keeps_a_crlf_files_line_endings(tmp_path: Path) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_bytes(CRLF_CONFIG.encode())
    assert main(["add", "--config", str(cfg), "--no-check", "--name", "C", "https://c.example/feed"]) == 0
    raw = cfg.read_bytes()
    assert raw.startswith(CRLF_CONFIG.encode()) and b"\n" not in raw.replace(b"\r\n", b"")
    assert [s.name for s in load_config(cfg).sources] == ["A", "B", "C"]


def test_the_last_source_of_a_file_with_a_byte_order_mark_is_removed(tmp_path: Path) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_bytes(b"\xef\xbb\xbfsources:\n  - name: A\n    url: https://a.example/feed\ntimezone: UTC\n")
    assert main(["remove", "--config", str(cfg), "A"]) == 0
    assert cfg.read_bytes() == b"\xef\xbb\xbfsources: []\ntimezone: UTC\n"
    assert load_config(cfg).sources == []


def test_add_keeps_a_byte_order_mark(tmp_path: Path) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_bytes(b"\xef\xbb\xbfsources:\n  - name: A\n    url: https://a.example/feed\n")
    assert main(["add", "--config", str(cfg), "--no-check", "--name", "C", "https://c.example/feed"]) == 0
    assert cfg.read_bytes().startswith(b"\xef\xbb\xbfsources:\n  - name: A\n")
    assert [s.name for s in load_config(cfg).sources] == ["A", "C"]


@pytest.mark.parametrize("a, b", [
    ("http://[0:0:0:0:0:0:0:1]:8080/feed", "http://localhost:8080/feed"),
    ("http://[::ffff:127.0.0.1]:8080/feed", "http://127.0.0.1:8080/feed/"),
    ("http://[::FFFF:7f00:1]/feed", "http://[::1]/feed"),
])
def test_loopback_addresses_however_spelt_are_one_feed(a: str, b: str) -> None:
    assert feed_key(a) == feed_key(b)


@pytest.mark.parametrize("a, b", [
    ("http://[::2]/feed", "http://[::1]/feed"),
    ("http://[::ffff:127.0.0.2]/feed", "http://127.0.0.1/feed"),  # another address
    ("http://[2001:db8::1]/feed", "http://localhost/feed"),
])
def test_other_addresses_stay_other_feeds(a: str, b: str) -> None:
    assert feed_key(a) != feed_key(b)


def test_add_finds_a_local_feed_listed_under_an_ipv6_spelling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Bridge\n    url: http://[0:0:0:0:0:0:0:1]:8080/feed\n", encoding="utf-8")
    assert main(["add", "--config", str(cfg), "http://localhost:8080/feed"]) == 0  # asks no server
    assert "is there already (as 'Bridge')" in capsys.readouterr().out
    assert [s.name for s in load_config(cfg).sources] == ["Bridge"]


def add_titled(cfg: Path, title: str) -> None:
    """``digest add`` a loopback feed whose ``<title>`` is ``title`` (markup as written)."""
    rss = (f'<rss version="2.0"><channel><title>{title}</title><item><title>t</title>'
           '<link>https://h.example/1</link><description>d</description></item></channel></rss>')
    with TestServer() as srv:
        srv.set("/feed.rss", rss.encode(), headers={"Content-Type": "application/rss+xml"})
        assert main(["add", "--config", str(cfg), srv.url("/feed.rss")]) == 0


@pytest.mark.parametrize("title", ["Yes", "On", "OFF", "no"])
def test_a_feed_titled_as_a_yaml_boolean_is_added_under_its_title(tmp_path: Path, title: str) -> None:
    """ruamel writes YAML 1.2 (``Yes`` plain is text); the configuration is read as YAML 1.1
    (``Yes`` plain is ``True``): the feed was refused with "sources[1].name: needs text, not True"
    at a line of a file that was never written."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("timezone: UTC\nfetch:\n  allow_hosts: ['127.0.0.1']\nsources: []\n", encoding="utf-8")
    add_titled(cfg, title)
    assert [s.name for s in load_config(cfg).sources] == [title]
    assert main(["remove", "--config", str(cfg), title]) == 0
    assert load_config(cfg).sources == []


def test_a_name_and_category_of_another_yaml_type_are_written_as_text(tmp_path: Path) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources: []\n", encoding="utf-8")
    assert main(["add", "--config", str(cfg), "--no-check", "--name", "0b101", "--category", "Off",
                 "https://b.example/feed"]) == 0
    [src] = load_config(cfg).sources
    assert (src.name, src.category) == ("0b101", "Off")


@pytest.mark.parametrize(("title", "name"), [
    ("&#8203;", "127.0.0.1"),  # a zero-width space: nothing visible, the host names it
    ("&#160;&#8203;&#x202E;", "127.0.0.1"),
    ("&#x202E;Harbour Herald", "Harbour Herald"),  # a bidi override turned each line naming it around
    ("Harbour&#8203; Herald&#xFEFF;", "Harbour Herald"),
    ("\u0645\u06cc\u200c\u0631\u0648\u0645", "\u0645\u06cc\u200c\u0631\u0648\u0645"),  # a joiner spells the word
])
def test_a_titles_invisible_characters_name_no_source(tmp_path: Path, title: str, name: str) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("fetch:\n  allow_hosts: ['127.0.0.1']\nsources: []\n", encoding="utf-8")
    add_titled(cfg, title)
    assert [s.name for s in load_config(cfg).sources] == [name]


def test_a_blank_name_is_refused_before_the_feed_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources: []\n", encoding="utf-8")
    assert main(["add", "--config", str(cfg), "--name", "  ", "http://192.0.2.1/feed"]) == 2  # asks no server
    assert "--name is blank" in capsys.readouterr().err
    assert cfg.read_text(encoding="utf-8") == "sources: []\n"
