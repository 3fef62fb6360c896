"""Sentence splitting (issue 2): quotes, abbreviations, dates and numbers; one paragraph per line; offsets."""

import pytest

from quanhe.text.clean import Line, clean
from quanhe.text.sentences import split_sentences


def lines_of(text: str, role: str = "body") -> list[Line]:
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append(Line(offset, offset + len(line), role))
        offset += len(line) + 1
    return lines


def split(text: str) -> list[str]:
    return [text[s.start:s.end] for s in split_sentences(lines_of(text), text)]


# ---- quotes --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "“Chúng tôi sẵn sàng đàm phán. Nhưng Mỹ phải lắng nghe.”, ông Peskov nói. Sau đó ông rời cuộc họp.",
            ["“Chúng tôi sẵn sàng đàm phán. Nhưng Mỹ phải lắng nghe.”, ông Peskov nói.", "Sau đó ông rời cuộc họp."],
        ),
        (
            '"Chúng tôi sẵn sàng đàm phán. Nhưng Mỹ phải lắng nghe", ông Peskov nói. Sau đó ông rời cuộc họp.',
            ['"Chúng tôi sẵn sàng đàm phán. Nhưng Mỹ phải lắng nghe", ông Peskov nói.', "Sau đó ông rời cuộc họp."],
        ),
        (
            # curly open, straight close: sites mix them
            "“Chúng tôi sẵn sàng đàm phán. Nhưng Mỹ phải lắng nghe\", ông Peskov nói. Sau đó ông rời cuộc họp.",
            ["“Chúng tôi sẵn sàng đàm phán. Nhưng Mỹ phải lắng nghe\", ông Peskov nói.", "Sau đó ông rời cuộc họp."],
        ),
        (
            "Ông Lavrov nói: “Nga không đóng cửa. Chúng tôi vẫn chờ đề xuất của Mỹ.” Phía Mỹ chưa phản hồi.",
            ["Ông Lavrov nói: “Nga không đóng cửa. Chúng tôi vẫn chờ đề xuất của Mỹ.”", "Phía Mỹ chưa phản hồi."],
        ),
    ],
    ids=["curly", "straight", "mixed", "quote-after-colon"],
)
def test_multi_sentence_quote_is_one_sentence(text, expected):
    assert split(text) == expected


@pytest.mark.parametrize(
    ("number", "quote_start", "attribution_end"),
    [
        ("001", "“Mối quan hệ giữa Nga và Mỹ về cơ bản là con số 0", "Sergei Ryabkov ngày 14/1."),
        ("001", "“Như bạn đã biết, có một số kênh liên lạc", "người phát ngôn Điện Kremlin tiết lộ."),
        ("002", "“Tổng thống nhiều lần cho biết đã sẵn sàng", "- ông Peskov nhắc lại."),
        ("003", '"Chúng tôi kêu gọi Bắc Kinh', "Victoria Nuland nói."),
        ("004", '"Những cuộc tiếp xúc đầu tiên với chính quyền mới', "được phát trên truyền hình."),
    ],
)
def test_sample_quotes_with_attribution_are_one_sentence(sample_docs, number, quote_start, attribution_end):
    doc = sample_docs[number]
    found = [doc.text[s.start:s.end] for s in doc.sentences if doc.text[s.start:s.end].startswith(quote_start)]
    assert len(found) == 1, found
    assert found[0].endswith(attribution_end)


def test_stray_quote_mark_does_not_swallow_the_paragraph():
    text = "Ông nói “không có gì. Hai bên sẽ gặp lại vào tuần tới. Phía Mỹ chưa phản hồi."
    assert len(split(text)) == 3


# ---- abbreviations, dates, numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Đoàn công tác của TP.HCM đã đến Hà Nội. Ông An cho biết như vậy.",
            ["Đoàn công tác của TP.HCM đã đến Hà Nội.", "Ông An cho biết như vậy."],
        ),
        (
            "Ông đến Tp. Hồ Chí Minh hôm qua. Ông ở lại hai ngày.",
            ["Ông đến Tp. Hồ Chí Minh hôm qua.", "Ông ở lại hai ngày."],
        ),
        (
            "Theo ThS. Nguyễn Văn An, quan hệ Nga - Mỹ khó cải thiện. Ông nói thêm.",
            ["Theo ThS. Nguyễn Văn An, quan hệ Nga - Mỹ khó cải thiện.", "Ông nói thêm."],
        ),
        (
            "TS. Lê Văn Bình phát biểu tại hội thảo. Sau đó hội thảo kết thúc.",
            ["TS. Lê Văn Bình phát biểu tại hội thảo.", "Sau đó hội thảo kết thúc."],
        ),
        (
            "Quan chức U.S. Department of State nói vậy. Nga phản đối.",
            ["Quan chức U.S. Department of State nói vậy.", "Nga phản đối."],
        ),
    ],
    ids=["TP.HCM", "Tp.", "ThS.", "TS.", "U.S."],
)
def test_abbreviations_do_not_end_sentences(text, expected):
    assert split(text) == expected


def test_compound_academic_title_does_not_end_a_sentence():
    """"PGS.TS." (associate professor, doctor) is as common as "ThS." before a Vietnamese name."""
    text = "PGS.TS. Trần Văn Bình nhận định quan hệ Nga - Mỹ khó cải thiện. Ông nói thêm."
    assert split(text) == ["PGS.TS. Trần Văn Bình nhận định quan hệ Nga - Mỹ khó cải thiện.", "Ông nói thêm."]


def test_middle_initial_does_not_end_a_sentence():
    text = "Cựu Tổng thống George W. Bush từng gặp ông Putin tại Slovenia. Hai bên thảo luận nhiều vấn đề."
    assert split(text) == ["Cựu Tổng thống George W. Bush từng gặp ông Putin tại Slovenia.",
                           "Hai bên thảo luận nhiều vấn đề."]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Lần cuối hai ông gặp nhau là vào tháng 6.2021 tại Geneva, Thụy Sĩ. Sau đó họ điện đàm.",
            ["Lần cuối hai ông gặp nhau là vào tháng 6.2021 tại Geneva, Thụy Sĩ.", "Sau đó họ điện đàm."],
        ),
        (
            "Ngày 27-2, Tổng thống Nga Vladimir Putin phát biểu. Ông tỏ ra lạc quan.",
            ["Ngày 27-2, Tổng thống Nga Vladimir Putin phát biểu.", "Ông tỏ ra lạc quan."],
        ),
        (
            "Tại hội nghị thượng đỉnh NATO ở Washington D.C ngày 10.7, Mỹ và Đức ra tuyên bố. Nga phản đối.",
            ["Tại hội nghị thượng đỉnh NATO ở Washington D.C ngày 10.7, Mỹ và Đức ra tuyên bố.", "Nga phản đối."],
        ),
        (
            "Hội nghị diễn ra ngày 10.7. Sau đó Mỹ rút.",
            ["Hội nghị diễn ra ngày 10.7.", "Sau đó Mỹ rút."],
        ),
        (
            "Gói viện trợ 3.5 triệu USD được thông qua. Ukraine hoan nghênh.",
            ["Gói viện trợ 3.5 triệu USD được thông qua.", "Ukraine hoan nghênh."],
        ),
        (
            "Khoảng 1.500 binh sĩ tham gia tập trận. Tập trận kéo dài 3 ngày.",
            ["Khoảng 1.500 binh sĩ tham gia tập trận.", "Tập trận kéo dài 3 ngày."],
        ),
    ],
    ids=["6.2021", "27-2", "D.C-10.7", "10.7-at-end", "3.5", "1.500"],
)
def test_dates_and_numbers_do_not_end_sentences(text, expected):
    assert split(text) == expected


def test_question_exclamation_and_ellipsis_end_sentences():
    text = "Nga nói gì sau khi Mỹ công bố kế hoạch? Nga đã có phản ứng mạnh… Mỹ im lặng! Hết."
    assert split(text) == ["Nga nói gì sau khi Mỹ công bố kế hoạch?", "Nga đã có phản ứng mạnh…", "Mỹ im lặng!",
                           "Hết."]


def test_001_last_paragraph(sample_docs):
    doc = sample_docs["001"]
    texts = [doc.text[s.start:s.end] for s in doc.sentences]
    assert "Nga nói gì sau khi Mỹ công bố kế hoạch đưa tên lửa tầm xa đến Đức?" in texts
    last = texts[-1]
    assert last.startswith("Tại hội nghị thượng đỉnh NATO ở Washington D.C ngày 10.7, Mỹ và Đức")
    assert last.endswith("cam kết của họ với NATO...")


# ---- paragraphs and offsets ----------------------------------------------------------------------------------------


def test_each_line_is_its_own_paragraph():
    text = "Quan hệ Nga - Mỹ gần bằng 0\nÔng Ryabkov nói vậy. Ông Peskov đồng ý\nNga cảnh báo Mỹ."
    sentences = split_sentences(lines_of(text), text)
    assert [text[s.start:s.end] for s in sentences] == [
        "Quan hệ Nga - Mỹ gần bằng 0", "Ông Ryabkov nói vậy.", "Ông Peskov đồng ý", "Nga cảnh báo Mỹ."]
    assert [s.paragraph for s in sentences] == [0, 1, 1, 2]
    assert [s.index for s in sentences] == [0, 1, 2, 3]


def test_roles_come_from_the_lines():
    cleaned = clean("Nga cảnh báo Mỹ về nguy cơ thảm họa hạt nhân\n"
                    "Thứ trưởng Ngoại giao Nga Sergei Ryabkov (Ảnh: Interfax).\n"
                    "Moscow cảnh báo các động thái của Mỹ. Ông Ryabkov nói vậy.")
    sentences = split_sentences(cleaned.lines, cleaned.text)
    assert [s.role for s in sentences] == ["title", "caption", "body", "body"]


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_offsets_point_into_the_clean_text(sample_docs, number):
    doc = sample_docs[number]
    text = doc.text
    assert doc.sentences
    line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    previous_end = -1
    for i, s in enumerate(doc.sentences):
        piece = text[s.start:s.end]
        assert s.index == i
        assert 0 <= s.start < s.end <= len(text)
        assert s.start >= previous_end, "sentences overlap or go backwards"
        assert "\n" not in piece, "a sentence crosses a paragraph"
        assert piece == piece.strip()
        assert text.count("\n", 0, s.start) == s.paragraph
        previous_end = s.end
    # every non-space character of the clean text is inside some sentence
    covered = sum(len(text[s.start:s.end].replace(" ", "")) for s in doc.sentences)
    assert covered == len(text.replace(" ", "").replace("\n", ""))
    # every paragraph starts a sentence
    assert {s.start for s in doc.sentences} >= set(line_starts)
