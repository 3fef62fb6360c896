"""Actors: one-syllable country words inside Vietnamese names are not countries.

"Đức" (Germany), "Mỹ" (USA), "Nga" (Russia), "Anh" (UK), "Lào" (Laos) are also syllables of personal and place
names. The sentences are from the VNTC news corpus (../shared/corpora), where these names coded leaders of
Vietnam as Germany and a bridge in the Mekong delta as the United States.
"""

from __future__ import annotations

import pytest

from quanhe.pipeline import analyze


def countries(text: str) -> list[tuple[str, str]]:
    return [(m.text, m.code) for m in analyze(text, published="2006-02-01").mentions if m.kind == "COUNTRY"]


@pytest.mark.parametrize("text", [
    "Nhân dịp năm mới Bính Tuất, Chủ tịch nước Trần Đức Lương đã gửi lời chúc mừng năm mới.",
    "Phó Chủ tịch nước Trương Mỹ Hoa thăm và tặng quà trẻ tàn tật.",
    "Trạm thu phí cầu Mỹ Thuận: Lập lại trật tự, dân mất lối đi.",
    "Chiến dịch hỗ trợ hộ nghèo tại Tân Phú, huyện Đức Hòa, tỉnh Long An.",
    "Nhiều doanh nghiệp xả thải ra dòng sông này, như Vedan, Đạm Phú Mỹ.",
    "Bà Tô Thị Thanh Nga, Phó Giám đốc Sở GD-ĐT TPHCM, trả lời.",
    "Công ty Quản lý đường sắt Yên Lào đã cấm đường.",
    "Đức Giáo hoàng kêu gọi hòa bình.",
])
def test_a_country_syllable_inside_a_name_is_no_country(text):
    assert countries(text) == []


def test_the_person_keeps_the_whole_name():
    doc = analyze("Tổng Bí thư Nông Đức Mạnh thăm Nga.", published="2006-02-01")
    assert [(m.text, m.kind) for m in doc.mentions if m.kind in ("PERSON", "COUNTRY")] == \
        [("Nông Đức Mạnh", "PERSON"), ("Nga", "COUNTRY")]


@pytest.mark.parametrize("text, expected", [
    ("Chủ tịch nước đã hội đàm với Thủ tướng Anh Tony Blair và Tổng thống Pháp Jacques Chirac.",
     [("Anh", "GBR"), ("Pháp", "FRA")]),
    ("Đại sứ Việt Nam tại Mỹ Nguyễn Tâm Chiến cho biết.", [("Việt Nam", "VNM"), ("Mỹ", "USA")]),
    ("Nga cảnh báo Nhật Bản.", [("Nga", "RUS"), ("Nhật Bản", "JPN")]),
    ("Hàn Quốc và Mỹ tập trận.", [("Hàn Quốc", "KOR"), ("Mỹ", "USA")]),
    ("Thủ tướng Lào Bua-xỏn Bup-pha-vẳn thăm Hà Nội.", [("Lào", "LAO")]),
])
def test_a_country_before_a_foreign_or_family_name_stays_a_country(text, expected):
    assert countries(text) == expected


def test_a_lowercase_ambiguous_word_after_a_title_is_no_country():
    """"ý" (Italy) qualifies a title only capitalised: here it is "ý thức", awareness (VNTC)."""
    assert countries("Cán bộ lãnh đạo ý thức kém như vậy thì làm sao tham mưu cho cấp trên.") == []
    assert countries("Thủ tướng Ý gặp Tổng thống Đức.") == [("Ý", "ITA"), ("Đức", "DEU")]
