"""Text in languages other than English through the pipeline (stop 35 review: languages).

The fingerprint's tokens were made for English: a Hindi word fell apart at its vowel signs
(Python's ``\\w`` holds no combining mark) into consonants every Hindi text shares, and a
Chinese or Japanese clause, written without spaces, was one term.  Text of other scripts is now
read as such (``digest.text.scripts``), and English text gives the very terms it gave before:
:func:`test_english_terms_are_byte_for_byte_those_before_stop_35` pins them on the tests'
English fixtures (their digest was taken with the code before the change).
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.batch import dedupe_records
from digest.dedup.terms import VOCAB, analyse, lede, term_weights, tokens
from digest.output.render import excerpt
from digest.output.view import whats_new
from digest.store.base import StoredArticle
from digest.text.clean import classify_lines
from digest.text.sentences import sentences
from digest.text.shown import shorten

ROOT = Path(__file__).resolve().parent.parent
#: sha256 of the terms of every English fixture below, by the code before stop 35's change.
ENGLISH_TERMS = "640cdf1e2dcb52bb85956eccd9dfc788952110cda99628e6af2fe8f1839c3546"
#: Fixtures added after the pin (4e993f3's, for test_regroup; stop 52's, for test_young_cap; stop 53's,
#: for test_places): the hash is of those there then.
_LATER = frozenset({"review_book.txt", "review_manual.txt", "fire_a1.txt", "fire_a2.txt", "fire_b1.txt", "fire_b2.txt",
                    "burst_a1.txt", "burst_a2.txt", "burst_b1.txt", "burst_b2.txt"})


def _english_texts() -> list[tuple[str, str]]:
    files = sorted(
        [*ROOT.glob("tests/fixtures/stories/*.txt"), *ROOT.glob("tests/fixtures/timeline/*.txt"),
         *ROOT.glob("tests/fixtures/clean/*.txt"), *ROOT.glob("examples/articles/*/*.txt"),
         *ROOT.glob("examples/articles/*/*.md")]
    )
    out = []
    for f in files:
        if f.name in _LATER:
            continue
        title, _, text = f.read_text(encoding="utf-8").partition("\n")
        out.append((title, text))
    return out


def test_english_terms_are_byte_for_byte_those_before_stop_35() -> None:
    h = hashlib.sha256()
    texts = _english_texts()
    assert len(texts) >= 20
    for title, text in texts:
        h.update(repr(sorted(term_weights(title, text).items())).encode())
        idx, weights, words = analyse(title, text)
        h.update(repr((VOCAB.ids[idx].tolist(), weights.tolist(), words)).encode())
        h.update(repr((lede(text), tokens(title, text))).encode())
    assert h.hexdigest() == ENGLISH_TERMS


ZH_FERRY = (
    "周五清晨，客轮“极光号”在凯斯特尔角附近的沙洲搁浅。海岸警卫队表示，船上212名乘客和14名船员全部安全上岸。"
    "这艘由蓝水航运公司运营的客轮于清晨5时50分从哈尔登港出发，约四十分钟后在浓雾中触礁。拖船将在傍晚涨潮时尝试让客轮脱浅。"
    "公司发言人说，事故中无人受伤，公司将展开调查。前往凯斯特尔岛的航线暂停运营，通勤者需改乘经大桥行驶的巴士。"
)
ZH_REWRITE = (
    "载有226人的“极光号”渡轮周五在浓雾中于凯斯特尔角搁浅。据海岸警卫队女发言人介绍，所有乘客和船员均已平安获救。"
    "该渡轮属于蓝水航运公司，当天早上六点前从哈尔登港启航。拖船计划在晚间涨潮时把渡轮拖离沙洲。"
    "蓝水航运公司表示将对事故进行调查。在此之前，哈尔登港与凯斯特尔岛之间的渡轮服务暂停，公司请乘客耐心等待。"
)
ZH_BRIDGE = (
    "哈尔登市议会周四以八票对三票通过决议，将在梅尔河上修建一座步行和自行车桥，连接老市场和火车站，造价680万欧元。"
    "市长洛特·布兰特表示，大桥将于2028年春季开通。反对派批评造价过高，要求举行市民投票。工程预计明年夏天开工，招标已于十月开始。"
)
JA_FERRY = (
    "金曜日の早朝、旅客フェリー「オーロラ」がケストレル岬付近の砂州で座礁した。沿岸警備隊によると、乗客212人と乗員14人は全員無事に救助された。"
    "ブルーウォーター・ラインズが運航する同船は午前5時50分にハルデン港を出航し、約40分後に濃霧の中で座礁した。"
    "タグボートが夕方の満潮時に離礁を試みる予定だ。同社の広報担当者は、けが人はいないと述べ、調査を行う方針を示した。"
)
JA_REWRITE = (
    "226人を乗せたフェリー「オーロラ」が金曜日、濃霧の中ケストレル岬で座礁した。沿岸警備隊の女性報道官によると、乗客と乗員は全員無事だった。"
    "同船はブルーウォーター・ラインズの所属で、当日午前6時前にハルデン港を出た。タグボートは夜の満潮時に船を砂州から引き出す計画だ。"
    "同社は事故を調査すると発表した。それまでハルデン港とケストレル島の間のフェリーは運休する。"
)
JA_BRIDGE = (
    "ハルデン市議会は木曜日、メア川に歩行者と自転車のための橋を建設する案を賛成8、反対3で可決した。橋は旧市場と駅を結び、"
    "建設費は680万ユーロの見込み。ロッテ・ブラント市長は、橋は2028年春に開通すると述べた。野党は費用が高すぎると批判し、住民投票を求めた。"
)


def _stories(records: list[tuple[str, str, str]]) -> list[set[str]]:
    rows = dedupe_records(
        {"id": rid, "title": title, "text": text, "source": f"outlet {n}", "published": f"2026-11-20T{8 + n:02d}:00:00Z"}
        for n, (rid, title, text) in enumerate(records)
    )
    groups: dict[str, set[str]] = {}
    for row in rows:
        groups.setdefault(row["story"], set()).add(row["id"])
    return sorted(groups.values(), key=min)


def test_a_chinese_or_japanese_rewrite_joins_its_story_and_another_story_stays_apart() -> None:
    # A clause was one term: a rewrite shared none of them with the original and stood alone.
    assert _stories([("ferry", "“极光号”客轮在凯斯特尔角搁浅", ZH_FERRY), ("rewrite", "浓雾中渡轮搁浅 226人平安获救", ZH_REWRITE),
                     ("bridge", "哈尔登将在梅尔河上建桥", ZH_BRIDGE)]) == [{"bridge"}, {"ferry", "rewrite"}]
    assert _stories([("ferry", "フェリー「オーロラ」がケストレル岬で座礁", JA_FERRY),
                     ("rewrite", "濃霧でフェリー座礁、226人全員救助", JA_REWRITE),
                     ("bridge", "ハルデン市、メア川に橋を建設へ", JA_BRIDGE)]) == [{"bridge"}, {"ferry", "rewrite"}]


def test_chinese_is_read_as_character_bigrams_and_counted_two_characters_a_word() -> None:
    terms = term_weights("", "客轮搁浅。")
    assert set(terms) == {"客轮", "轮搁", "搁浅"}
    _, _, words = analyse("", ZH_FERRY)
    han = sum(1 for c in ZH_FERRY if "\u4e00" <= c <= "\u9fff")
    assert abs(words - han / 2) <= 10  # was 14: one "word" a clause


def test_a_word_keeps_its_combining_marks() -> None:
    # "हिन्दी" was "ह", "न", "द" (its vowel signs and virama are no \w): pieces every text shares.
    assert set(term_weights("", "हिन्दी भाषा")) == {"हिन्दी", "भाषा"}
    assert "שָׁלוֹם" in term_weights("", "שָׁלוֹם עולם")
    assert "ภาษาไทย" not in term_weights("", "ภาษาไทย")  # Thai: trigrams, no spaces between words
    assert {"ภาษ", "าษา", "ษาไ", "าไท", "ไทย"} == set(term_weights("", "ภาษาไทย"))


# -- where a text is cut for display -------------------------------------------------------------

TH_FERRY = (
    "เรือโดยสารออโรราเกยตื้นบนสันดอนใกล้แหลมเคสเตรลเมื่อเช้าวันศุกร์หน่วยยามฝั่งระบุว่าผู้โดยสารทั้งหมดขึ้นฝั่งอย่างปลอดภัย"
)


def _cut_whole(shown: str, text: str) -> None:
    """``shown`` (less its "…") is ``text``'s beginning, and the next character of ``text`` is
    not a mark of its last letter, nor the rest of an emoji or a flag."""
    head = shown.rstrip("…").rstrip()
    assert text.startswith(head)
    rest = text[len(head):]
    assert rest and unicodedata.category(rest[0]) not in ("Mn", "Mc", "Me")
    assert rest[0] not in "\u200d\ufe0f" and not head.endswith("\u200d")
    flags = len(head) - len(head.rstrip("".join(chr(c) for c in range(0x1F1E6, 0x1F200))))
    assert flags % 2 == 0


@pytest.mark.parametrize("limit", range(200, 260))
def test_an_excerpt_of_thai_is_not_cut_between_a_letter_and_its_marks(limit: int) -> None:
    text = TH_FERRY * 4  # no space: cut where it must, at a character
    _cut_whole(excerpt(text, limit), text)


@pytest.mark.parametrize("at", range(40, 60))
def test_a_title_cut_keeps_emoji_and_flags_whole(at: int) -> None:
    text = "Fans 🇩🇪🇫🇷🇪🇸 " + "👨‍👩‍👧‍👦🧑🏽‍🚒🏳️‍🌈" * 20  # no space after the first few
    _cut_whole(shorten(text, at), text)


def test_an_excerpt_of_chinese_or_arabic_ends_at_a_sentence() -> None:
    zh = ZH_FERRY + ZH_REWRITE + ZH_BRIDGE
    shown = excerpt(zh, 400)
    assert shown.rstrip(" …").endswith("。") and len(shown) > 200  # was 400 characters cut mid-clause
    ar = ("جنحت العبّارة «أورورا» صباح يوم الجمعة على رصيف رملي قرب رأس كيستريل. " * 8).strip()
    assert excerpt(ar, 400).endswith("كيستريل. …")  # was cut after a word, mid-sentence


def test_sentences_of_scripts_without_capitals() -> None:
    assert len(list(sentences(ZH_FERRY))) == 6
    assert list(sentences("यह पहला वाक्य है। यह दूसरा है।")) == ["यह पहला वाक्य है। ", "यह दूसरा है।"]
    assert list(sentences("שלום לכולם. זה משפט שני.")) == ["שלום לכולם. ", "זה משפט שני."]
    assert list(sentences("「止まれ！」と言った。次だ。")) == ["「止まれ！」と言った。", "次だ。"]


def _stored(key: str, title: str, text: str, hour: int) -> StoredArticle:
    at = datetime(2026, 11, 20, hour, tzinfo=UTC)
    return StoredArticle(key=key, source="s", url=None, title=title, text=text, published=at, fetched=at,
                         author=None, truncated=False, priority=0.0, junk=[], fingerprint=b"", story_id="x",
                         score=None, score_detail=None)


def test_whats_new_in_chinese_is_the_first_sentence() -> None:
    # A Chinese sentence was one "word" (split at spaces): never the six words of a lede, so the
    # line was the text's first 240 characters, cut mid-clause.
    old = _stored("a", "“极光号”客轮在凯斯特尔角搁浅", ZH_FERRY, 8)
    new = _stored("b", "“极光号”客轮在凯斯特尔角搁浅", ZH_REWRITE + ZH_BRIDGE, 12)
    assert whats_new([new], [old], old.title) == "载有226人的“极光号”渡轮周五在浓雾中于凯斯特尔角搁浅。"


# -- junk in other languages ----------------------------------------------------------------------

_BODY = ("Die Passagierfähre Aurora ist am Freitagmorgen vor Kestrel Point auf eine Sandbank gelaufen. "
         "Alle 212 Passagiere und 14 Besatzungsmitglieder wurden sicher an Land gebracht.")


@pytest.mark.parametrize(
    "line",
    [
        "Lesen Sie auch: Hafen Halden erhält neue Kaimauer", "À lire aussi : Le port de Halden s'agrandit",
        "Lea también: El puerto de Halden crece", "Читайте также: В порту Халдена построят причал",
        "اقرأ أيضا: ميناء هالدن يحصل على رصيف جديد", "עוד באתר: נמל הלדן יקבל רציף חדש",
        "यह भी पढ़ें: हाल्डन बंदरगाह को नया घाट मिलेगा", "相关阅读：哈尔登港将建新码头", "関連記事：ハルデン港に新しい岸壁",
        "Διαβάστε επίσης: Νέα αποβάθρα στο λιμάνι", "อ่านเพิ่มเติม: ท่าเรือฮัลเดนจะได้ท่าเทียบเรือใหม่",
    ],
)
def test_a_link_to_another_story_under_its_label_goes_in_other_languages_too(line: str) -> None:
    # Each names another story, so it never recurs in the source; only English labels were known.
    assert classify_lines(f"{_BODY}\n\n{line}") == [(_BODY, None), (line, "related link")]


def test_a_sentence_opening_with_such_words_stays() -> None:
    line = "Lesen Sie auch die Stellungnahme des Bürgermeisters, die er am Freitag veröffentlichte."
    assert classify_lines(f"{_BODY}\n\n{line}") == [(_BODY, None), (line, None)]
