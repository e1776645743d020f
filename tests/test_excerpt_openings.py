"""An excerpt as an editor reads it: from the lede's first word, not its dateline, and cut where
a sentence of its script ends.

Before: the agencies' datelines with a day ("LONDON, June 5 (Reuters) -"), several places
("NEW YORK/WASHINGTON"), a country of three words ("DUBAI, United Arab Emirates —"), a place in
Title Case ("Kyiv, Ukraine —", "New York, NY –") and CNN's credit without a dash ("(CNN)
President ...") stayed as the excerpt's first words (scrapinghub: 4 of 181 pages, GVC: 2 of 152
reports).  A Thai, Lao, Khmer or Burmese excerpt, with no full stop to end at, was cut at its
last space or mid-cluster."""

from __future__ import annotations

import unicodedata

import pytest

from digest.output.context import excerpt
from digest.output.params import EXCERPT_PHRASE_SPACE

LEDE = "Oil prices fell on Tuesday as traders weighed the chance of more supply from the Gulf."


@pytest.mark.parametrize(
    "dateline",
    [
        # the agencies: a day, an agency in brackets, a dash or two
        "LONDON, June 5 (Reuters) - ",
        "NEW YORK/WASHINGTON, Dec 4 (Reuters) - ",
        "(Reuters) - ",
        "BEIJING, Dec 5 (Xinhua) -- ",
        "PARIS (AFP) - ",
        "WASHINGTON (Bloomberg) -- ",
        "(Bloomberg) -- ",
        "SAN FRANCISCO, Dec. 4, 2019 (AP) — ",
        "LONDON, 5 June (Reuters) - ",
        # in Title Case
        "London, June 5 (Reuters) - ",
        "London (Reuters) - ",
        "Kyiv, Ukraine — ",
        "Dayton, Ohio (WDTN) – ",
        "Kokomo, IND. — ",
        "Santa Fe, N.M. — ",
        # a city state's own name, a town named after a country in a state
        "Singapore, Singapore — ",
        "Lebanon, N.H. — ",
        # Georgia after the comma is the US state's, before it a town's name ("Georgia, Vt.")
        "Jordan, Georgia – ",
        "Georgia, Vermont – ",
        "San Francisco, California - ",
        # a place's name of "St.", a capital after "Mc" or "De", "d'", a letter with an accent
        # (stop 52: each stayed as the excerpt's first words)
        "St. Louis, Missouri – ",
        "McAllen, Texas — ",
        "DeKalb, Ill. — ",
        "O'Fallon, Mo. — ",
        "Coeur d'Alene, Idaho – ",
        "Sault Ste. Marie, Ontario – ",
        "Bogotá, Colombia — ",
        # a capital of Latin Extended-A first (stop 52's review: "Łódź" was no word, its
        # accented letters taken as small ones only up to "ÿ")
        "Łódź, Poland — ",
        "Žilina, Slovakia – ",
        "St. Paul, Minn. (AP) — ",
        # scrapinghub, GVC: a country of three words, a state in capitals, CNN's credit
        "DUBAI, United Arab Emirates — ",
        "New York, NY – ",
        "Indianapolis , IND. — ",
        "(CNN) ",
        "(CNN)",
        "( CNN ) ",
        "Hong Kong (CNN Business) ",
        # ECB+: the day after the dash, and a dash again
        "WASHINGTON - April 27 - ",
    ],
)
def test_an_excerpt_begins_after_an_agencys_dateline(dateline: str) -> None:
    assert excerpt(dateline + LEDE, 400) == LEDE


@pytest.mark.parametrize(
    "text",
    [
        # a place and a day, no agency or dash after them: the sentence's
        "London, June 5 was the wettest day on record, the Met Office said.",
        "Kyiv, Ukraine and Poland signed the accord on Tuesday.",
        # a place in Title Case alone before a dash
        "Liverpool – Chelsea: the player ratings from Sunday's match.",
        "Indianapolis – Several thousand teachers wearing red surrounded the Statehouse.",
        # a bracket that is no agency's, a first word that is no place
        "Tesla (TSLA) – Shares rose 5% on Monday after the delivery figures.",
        "Microsoft (NSDQ: MSFT) issued an emergency patch on Wednesday.",
        "The (AP) Stylebook now accepts the singular they.",
        "In British Columbia, Attorney - General Wally Oppal has focused on gangs.",
        # places joined by a slash with neither day nor agency
        "AC/DC — The band announced a tour of forty cities.",
        # a name in Title Case, a comma and capitalised words that name no state or country
        # (a review: each lost its first words as a dateline)
        "John Smith, CEO – The company will open two plants next year.",
        "Manchester United, Chelsea – Both clubs were fined for the brawl.",
        "Tesla, Inc. – Shares rose 5% on Monday after the delivery figures.",
        "Hello, World – This is the first post of the new blog.",
        "Later, On – The band played on past midnight.",
        # two countries, or two nations, a comma between: sides, not a place and its country
        # (a review: each lost its first words, as "Kyiv, Ukraine —" does)
        "Brazil, Argentina – Both sides drew 1-1 in the qualifier.",
        "England, Wales – The two sides meet at Twickenham on Saturday.",
        "India, Pakistan – The two countries agreed to reopen the border.",
        # Georgia first is the country (stop 52: it was missing from the countries, so this lost
        # its first words)
        "Georgia, Armenia – Both sides signed the border accord in Tbilisi.",
        # a person of a place, a company's name with a capital inside it
        "Bill Flynn of Fort Smith, Ark. – He said the storm took his roof.",
        "SunExpress, Kazakhstan – The airline opens a route to Almaty in May.",
        "SunĆity, Kazakhstan – The resort opens a route to Almaty in May.",  # its capital Latin Extended-A
    ],
)
def test_an_excerpt_keeps_a_sentence_that_opens_like_a_dateline(text: str) -> None:
    assert excerpt(text, 400) == text


# Ordinary news sentences of our own: Bangkok's cabinet on the northern floods (a space ends each
# sentence; "ธ.ค." and "ดร." are abbreviations), Phnom Penh's dengue figures (the khan "។" ends
# each), Yangon's flooded roads (Burmese "။").
THAI = ("กรุงเทพฯ นายกรัฐมนตรีเป็นประธานการประชุมคณะรัฐมนตรีที่ทำเนียบรัฐบาลเมื่อวันอังคาร "
        "เพื่อหารือมาตรการช่วยเหลือเกษตรกรที่ได้รับผลกระทบจากน้ำท่วมในภาคเหนือ "
        "กรมอุตุนิยมวิทยาเตือนว่าจะมีฝนตกหนักต่อเนื่องในหลายจังหวัดจนถึงวันที่ 12 ธ.ค. 2569 "
        "ประชาชนที่อาศัยอยู่ริมแม่น้ำควรติดตามประกาศของทางราชการอย่างใกล้ชิด "
        "ดร. สมชาย ใจดี ผู้เชี่ยวชาญด้านการจัดการน้ำกล่าวว่าระดับน้ำในเขื่อนหลักยังอยู่ในเกณฑ์ที่ควบคุมได้")
KHMER = ("ភ្នំពេញ៖ ក្រសួងសុខាភិបាលបានប្រកាសនៅថ្ងៃអង្គារថា ចំនួនអ្នកឆ្លងជំងឺគ្រុនឈាមបានកើនឡើងក្នុងខេត្តចំនួនប្រាំ។ "
         "មន្ត្រីសុខាភិបាលបានអំពាវនាវឱ្យប្រជាពលរដ្ឋសម្អាតទឹកដែលដក់នៅជុំវិញផ្ទះរបស់ខ្លួន។ "
         "រដ្ឋាភិបាលនឹងបញ្ជូនក្រុមគ្រូពេទ្យទៅកាន់តំបន់ដែលរងផលប៉ះពាល់ខ្លាំងជាងគេនៅសប្តាហ៍ក្រោយ។")
BURMESE = ("ရန်ကုန်မြို့တွင် ယမန်နေ့က မိုးသည်းထန်စွာ ရွာသွန်းခဲ့သဖြင့် လမ်းများ ရေလွှမ်းမိုးခဲ့သည်။ "
           "မြို့တော်စည်ပင်သာယာရေးကော်မတီက ရေနုတ်မြောင်းများကို ရှင်းလင်းနေကြောင်း ပြောကြားခဲ့သည်။")


@pytest.mark.parametrize(
    ("text", "limit", "shown"),
    [
        # the sentence's end is a space; "ธ.ค. 2569" was read as one ("... วันที่ 12 ธ.ค. …")
        (THAI, 250, THAI[: THAI.index(" กรมอุตุ")] + " …"),
        # the khan: the excerpt had ended at the space after it, then at a coeng ("ចំនួនប្…")
        (KHMER, 160, KHMER[: KHMER.index("។") + 1] + " …"),
        (BURMESE, 160, BURMESE[: BURMESE.index("။") + 1] + " …"),
    ],
)
def test_an_excerpt_ends_where_a_sentence_of_its_script_ends(text: str, limit: int, shown: str) -> None:
    assert excerpt(text, limit) == shown


def _breaks_a_cluster(before: str, after: str) -> bool:
    """A cut between ``before`` and ``after`` leaves a mark, a vowel or a virama on nothing."""
    return bool(after) and (
        unicodedata.category(after).startswith("M")
        or after in "ะาำๅະາຳ"
        or before in "เแโใไເແໂໃໄ"
        or (unicodedata.combining(before) == 9 and after.isalpha())
    )


@pytest.mark.parametrize("text", [THAI, KHMER, BURMESE, THAI.replace(" ", ""), KHMER.replace(" ", "")])
def test_an_excerpt_of_thai_khmer_or_burmese_is_never_cut_in_a_letters_cluster(text: str) -> None:
    """At every length: a Thai excerpt of 100 characters ended "ทำเนีย…" (in "ทำเนียบ"), a Khmer
    one at a coeng, "ចំនួនប្…"; where the window has a space a quarter of it in or further, the
    cut is at one."""
    for limit in range(20, len(text)):
        shown = excerpt(text, limit).removesuffix("…").rstrip()
        assert text.startswith(shown), limit
        rest = text[len(shown):]
        assert not _breaks_a_cluster(shown[-1], rest[:1]), (limit, shown[-3:], rest[:3])
        if text.rfind(" ", 0, limit + 1) >= limit * EXCERPT_PHRASE_SPACE:
            assert rest[:1] in ("", " "), (limit, shown[-3:], rest[:3])


@pytest.mark.parametrize(("lede", "limit"), [
    ("กรุงเทพฯ ", 400),  # the place, then a phrase past the window
    ("Apple เปิดตัว iPhone รุ่นใหม่ ", 200),  # Thai and English, then a long phrase
])
def test_a_thai_excerpt_is_not_cut_back_to_a_space_near_its_start(lede: str, limit: int) -> None:
    """A phrase of Thai runs 100 characters and more without a space.  Before, the last space
    anywhere in the window was taken: the 400-character excerpt of a lede opening with its
    place was "กรุงเทพฯ…", of a lede naming a product in English its first 28 characters.  Now
    cut hard near the window's end, its last cluster whole."""
    phrase = "ที่งานประชุมนักพัฒนาประจำปีซึ่งจัดขึ้นที่เมืองคูเปอร์ติโนรัฐแคลิฟอร์เนียเมื่อวันจันทร์ที่ผ่านมา" * 6
    text = lede + phrase
    shown = excerpt(text, limit).removesuffix("…")
    assert text.startswith(shown) and len(shown) >= limit - 3, shown
    assert not _breaks_a_cluster(shown[-1], text[len(shown)])


def test_a_chinese_excerpt_is_not_cut_back_to_its_first_space() -> None:
    """Chinese is cut at any character, as before: only a Thai, Lao, Khmer or Burmese excerpt
    goes back past the window's second half to a space."""
    text = "新华社北京12月5日电 " + "国务院总理主持召开国务院常务会议部署进一步做好防汛救灾工作要求各地加强监测预警" * 6
    shown = excerpt(text, 100)
    assert len(shown) == 101 and text.startswith(shown[:-1]), shown


def test_a_khmer_excerpt_begins_at_its_lede_under_a_deck() -> None:
    """A line ending in Khmer's khan "។" ends like a sentence: read as unfinished, every line of a
    Khmer text was, and the deck over the lede stayed the excerpt's first words."""
    deck = "ជំងឺគ្រុនឈាមកើនឡើងក្នុងខេត្តចំនួនប្រាំ"
    lede, rest = KHMER.split("។ ", 2)[:2]
    assert excerpt(f"{deck}\n\n{lede}។\n\n{rest}។", 400) == f"{lede}។ {rest}។"
