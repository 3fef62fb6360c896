"""The cleaning stage (issue 2) on real snippets and whole articles from shared/samples/vi.

Boilerplate lines are dropped, captions kept but marked, inline images removed, bylines recognised, the trailing
related-news list cut off, titles found; the raw text is never modified.
"""

from datetime import date

import pytest

from quanhe.pipeline import analyze
from quanhe.text.clean import clean

# ---- boilerplate lines, each on a snippet copied verbatim from a sample ------------------------------------------

# (sample, snippet, the boilerplate line(s) in it)
BOILERPLATE_SNIPPETS = [
    (
        "001",
        "“Như bạn đã biết, có một số kênh liên lạc nhất định giữa Washington và Moscow, thông qua cả đường quân sự và "
        "ngoại giao. Nhưng đây chỉ là những liên hệ mang tính kỹ thuật, không diễn ra đối thoại chính trị hoặc đối "
        "thoại ở cấp cao nhất”, người phát ngôn Điện Kremlin tiết lộ.\n"
        "Video đang HOT\n"
        "Tại cuộc họp báo tổng kết về hoạt động ngoại giao của Nga trong năm 2024, Ngoại trưởng Sergei Lavrov cũng "
        "nhấn mạnh, mối quan hệ Nga – Mỹ không dễ dàng ở giai đoạn này.",
        ["Video đang HOT"],
    ),
    (
        "003",
        "Susucn Nguyen nguồn bình luận 999\n"
        "A- A A+\n"
        "Điện Kremlin hôm 27/1 nói Mỹ không xem xét những lo ngại an ninh chính đáng của Moscow về vấn đề Ukraine, "
        "nhưng hai bên vẫn để ngỏ khả năng tái đàm phán trong tương lai.",
        ["Susucn Nguyen nguồn bình luận 999", "A- A A+"],
    ),
    (
        "003",
        "Ông Biden từng tuyên bố Mỹ sẽ không gửi binh lính và quân đội đồng minh đến Ukraine chống lại Nga, nhưng "
        "NATO cho biết họ đã cử lực lượng đến tăng cường cho các nước ở Đông Âu với nhiều tàu và máy bay chiến đấu.\n"
        "\n"
        "Nguồn Tin:\n"
        "Video và Bài nổi bật",
        ["Nguồn Tin:", "Video và Bài nổi bật"],
    ),
    (
        "004",
        "Năm 2014, Nga đã sáp nhập bán đảo Crimea của Ukraine. Sau khi nổ ra chiến sự ở Ukraine, vào tháng 9-2024 Nga "
        "tuyên bố sáp nhập bốn vùng của Ukraine là Donetsk, Lugansk, Zaporizhzhia và Kherson.\n"
        "Tối đa: 1500 ký tự\n"
        "Hiện chưa có bình luận nào, hãy là người đầu tiên bình luận",
        ["Tối đa: 1500 ký tự", "Hiện chưa có bình luận nào, hãy là người đầu tiên bình luận"],
    ),
]
SNIPPET_IDS = ["001-video-dang-hot", "003-comment-count-and-font-size", "003-nguon-tin-and-noi-bat",
               "004-comment-box"]


def line_texts(cleaned):
    return [cleaned.text[line.start:line.end] for line in cleaned.lines]


def role_of(cleaned, text):
    roles = [line.role for line in cleaned.lines if cleaned.text[line.start:line.end] == text]
    assert len(roles) == 1, f"{text!r} is {len(roles)} times a line of the clean text"
    return roles[0]


@pytest.mark.parametrize(("number", "snippet", "boilerplate"), BOILERPLATE_SNIPPETS, ids=SNIPPET_IDS)
def test_snippets_are_real(sample_text, number, snippet, boilerplate):
    assert snippet in sample_text(number)


@pytest.mark.parametrize(("number", "snippet", "boilerplate"), BOILERPLATE_SNIPPETS, ids=SNIPPET_IDS)
def test_boilerplate_lines_are_dropped(number, snippet, boilerplate):
    cleaned = clean(snippet)
    kept = line_texts(cleaned)
    for line in boilerplate:
        assert line not in kept
        assert line not in cleaned.text
    body = [line.strip() for line in snippet.splitlines() if line.strip() and line.strip() not in boilerplate]
    assert [line for line in kept if line != cleaned.title] == body


@pytest.mark.parametrize(("number", "snippet", "boilerplate"), BOILERPLATE_SNIPPETS, ids=SNIPPET_IDS)
def test_boilerplate_lines_are_gone_from_the_whole_article(sample_docs, number, snippet, boilerplate):
    text = sample_docs[number].article.text
    for line in boilerplate:
        assert line not in text


def test_boilerplate_is_matched_whole_line_only():
    """Words of a boilerplate line inside a real sentence do not make the sentence boilerplate."""
    lines = [
        "Theo nguồn tin của Reuters, video đang được lan truyền trên mạng xã hội là giả.",
        "Bài nổi bật nhất của hội nghị là phát biểu của ông Lavrov về quan hệ Nga – Mỹ.",
        "Nguồn: Bộ Ngoại giao Nga cho biết sẽ đáp trả các biện pháp trừng phạt mới.",
    ]
    assert line_texts(clean("\n".join(lines))) == lines


# ---- captions ------------------------------------------------------------------------------------------------------

SAMPLE_CAPTIONS = [
    ("000", "Thủ tướng Nhật Bản Sanae Takaichi phát biểu tại cuộc họp báo ở Tokyo. Ảnh: THX/TTXVN"),
    ("001", "Thứ trưởng Ngoại giao Nga Sergei Ryabkov (Ảnh: TASS)."),
    ("001", "Thứ trưởng Ngoại giao Nga Sergei Ryabkov (Ảnh: Interfax)."),
    ("002", "Phái đoàn Nga - Ukraina đàm phán tại Istanbul, Thổ Nhĩ Kỳ, tháng 3.2022. Ảnh: AFP"),
    ("003", "Xe tăng T-72B3 của Nga trong cuộc tập trận ngày 12/1. Ảnh: NBC News"),
    ("004", "Tổng thống Nga Vladimir Putin phát biểu tại Matxcơva ngày 27-2 - Ảnh: REUTERS"),
]


@pytest.mark.parametrize(("number", "caption"), SAMPLE_CAPTIONS)
def test_sample_captions_are_kept_and_marked(sample_text, number, caption):
    assert caption in sample_text(number)
    cleaned = clean(sample_text(number))
    assert caption in cleaned.text
    assert role_of(cleaned, caption) == "caption"


@pytest.mark.parametrize(
    "caption",
    [
        "Ảnh: Reuters",
        "Ảnh: TTXVN",
        "Ảnh: AFP",
        "Ông Peskov tại Điện Kremlin. Ảnh: AP",
        "Ngoại trưởng Nga Sergei Lavrov (Ảnh: TASS).",
        "Ngoại trưởng Nga Sergei Lavrov (Ảnh: Reuters)",
    ],
)
def test_caption_shapes(caption):
    text = "Ông Lavrov đến Bắc Kinh hôm 8/4.\n" + caption + "\nHai bên thảo luận về quan hệ song phương."
    cleaned = clean(text)
    assert role_of(cleaned, caption) == "caption"
    assert role_of(cleaned, "Ông Lavrov đến Bắc Kinh hôm 8/4.") == "body"


@pytest.mark.parametrize(
    "line",
    [
        # sample 003: "ảnh hưởng" (influence) is not a photo credit
        '"Chúng tôi kêu gọi Bắc Kinh sử dụng ảnh hưởng của mình với Moscow để thúc đẩy ngoại giao. Nếu có cuộc xung '
        'đột ở Ukraine, nó cũng không có lợi cho Trung Quốc", Thứ trưởng Bộ Ngoại giao Mỹ Victoria Nuland nói.',
        "Hình ảnh vệ tinh cho thấy Nga đã rút một phần lực lượng khỏi khu vực biên giới.",
        "Ảnh hưởng của lệnh trừng phạt lên kinh tế Nga ngày càng rõ rệt, ông nói.",
    ],
)
def test_lines_mentioning_anh_are_body(line):
    text = "Ông Lavrov đến Bắc Kinh hôm 8/4.\n" + line
    assert role_of(clean(text), line) == "body"


def test_repeated_caption_is_kept_once(sample_docs):
    caption = "Phái đoàn Nga - Ukraina đàm phán tại Istanbul, Thổ Nhĩ Kỳ, tháng 3.2022. Ảnh: AFP"
    assert sample_docs["002"].article.text.count(caption) == 1


# ---- inline images -------------------------------------------------------------------------------------------------


def test_004_inline_image_removed_and_alt_text_is_the_title(sample_text, sample_docs):
    assert "data:image" in sample_text("004")
    article = sample_docs["004"].article
    assert article.title == "Ông Putin nói cuộc gặp Nga-Mỹ đầu tiên thắp lên hy vọng"
    for furniture in ("data:image", "base64", "<image>", "</image>", "alt=", "Ảnh 1"):
        assert furniture not in article.text
    assert article.text.startswith("Ông Putin nói cuộc gặp Nga-Mỹ đầu tiên thắp lên hy vọng\n")
    assert article.text.count("Ông Putin nói cuộc gặp Nga-Mỹ đầu tiên thắp lên hy vọng") == 1
    assert "data:image" in article.raw_text


@pytest.mark.parametrize(
    "image",
    [
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAA"
        "BJRU5ErkJggg==",
        '<img src="data:image/jpeg;base64,/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCg'
        'kICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/" alt="">',
    ],
    ids=["bare-data-uri", "img-element"],
)
def test_inline_data_image_blobs_are_removed(image):
    before = "Ngày 27-2, Tổng thống Nga Vladimir Putin tiếp tục đưa ra những phát biểu tích cực."
    after = "Theo ông, Nga và Mỹ đã sẵn sàng thiết lập hợp tác."
    for text in (f"{before}\n{image}\n{after}", f"{before} {image} {after}"):
        cleaned = clean(text)
        assert "data:image" not in cleaned.text
        assert "base64" not in cleaned.text
        assert before in cleaned.text and after in cleaned.text


# ---- bylines and the related-news list -----------------------------------------------------------------------------


def test_002_byline_recognised(sample_docs):
    article = sample_docs["002"].article
    assert "Ngọc Vân" in article.authors
    assert "Ngọc Vân |" not in article.text
    assert "Ngọc Vân" not in article.text.splitlines()
    # authors of the other stories in the related-news list are not this article's authors
    for other in ("Khánh Minh", "Song Minh", "Yến Nhi", "AN NGUYÊN", "Việt Dũng", "MINH QUÂN", "Vân Hoa"):
        assert other not in article.authors


def test_002_related_news_list_cut_off(sample_docs):
    article = sample_docs["002"].article
    assert article.title == "Nga tiết lộ khả năng đàm phán giữa hai Tổng thống Nga-Mỹ"
    assert article.text.endswith("cần sự tham gia của cả hai bên.")
    for related in ("Nefetari", "TIN LIÊN QUAN", "tàu ngầm hạt nhân", "Hùng Dũng", "ô mai gừng", "Khánh Minh"):
        assert related not in article.text
    # the body before the list is all there
    assert "Lần cuối cùng Tổng thống Nga-Mỹ gặp mặt trực tiếp là vào tháng 6.2021 tại Geneva" in article.text


def test_related_news_list_cut_without_its_marker(sample_text):
    """Without the "TIN LIÊN QUAN" line, the headline / `Name |` / teaser blocks still mark the list."""
    cleaned = clean(sample_text("002").replace("TIN LIÊN QUAN\n", ""))
    assert cleaned.text.endswith("cần sự tham gia của cả hai bên.")
    assert "Nefetari" not in cleaned.text
    assert cleaned.related_cut > 0


def test_related_news_marker_is_counted(sample_text):
    cleaned = clean(sample_text("002"))
    assert cleaned.related_cut > 0
    assert cleaned.authors == ["Ngọc Vân"]


# ---- titles, dates, raw text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "title"),
    [
        ("000", None),
        ("001", "Quan chức Moscow: Quan hệ Nga – Mỹ gần bằng 0"),
        ("002", "Nga tiết lộ khả năng đàm phán giữa hai Tổng thống Nga-Mỹ"),
        ("003", "Đàm phán không đột phá, Nga đổ lỗi cho Mỹ"),
        ("004", "Ông Putin nói cuộc gặp Nga-Mỹ đầu tiên thắp lên hy vọng"),
    ],
)
def test_sample_titles(sample_docs, number, title):
    doc = sample_docs[number]
    assert doc.article.title == title
    if title is not None:
        assert doc.article.text.startswith(title + "\n")
        assert doc.sentences[0].role == "title"
        assert doc.text[doc.sentences[0].start:doc.sentences[0].end] == title
    else:
        assert all(sentence.role != "title" for sentence in doc.sentences)


def test_000_date_header(sample_docs, sample_text):
    article = sample_docs["000"].article
    assert sample_text("000").lstrip().startswith("date 2026-02-21")
    assert article.published == date(2026, 2, 21)
    assert article.title is None
    assert "date 2026-02-21" not in article.text
    assert "2026-02-21" not in article.text
    assert article.text.startswith("Người phát ngôn Điện Kremlin Dmitry Peskov cho biết")


def test_000_through_analyze(sample_text):
    doc = analyze(sample_text("000"))
    assert doc.article.published == date(2026, 2, 21)
    assert doc.article.title is None
    assert doc.article.text.startswith("Người phát ngôn Điện Kremlin")


def test_001_clean_text(sample_docs):
    article = sample_docs["001"].article
    assert article.title == "Quan chức Moscow: Quan hệ Nga – Mỹ gần bằng 0"
    for gone in ("Video đang HOT", "đán.h", "ch.ỉ", "tríc.h", "đ.e dọ.a"):
        assert gone not in article.text
    for kept in ("chúng tôi đánh giá rằng Nga", "không muốn chỉ trích", "mối đe dọa", "Washington D.C ngày 10.7"):
        assert kept in article.text


def test_raw_text_is_kept(sample_docs):
    raw = sample_docs["001"].article.raw_text
    assert "đán.h" in raw
    assert "ch.ỉ tríc.h" in raw
    assert "Video đang HOT" in raw
    assert "Nefetari" in sample_docs["002"].article.raw_text
    assert "Tối đa: 1500 ký tự" in sample_docs["004"].article.raw_text


def test_003_all_furniture_gone(sample_docs):
    text = sample_docs["003"].article.text
    for gone in ("Susucn", "nguồn bình luận", "A- A A+", "Nguồn Tin:", "Video và Bài nổi bật"):
        assert gone not in text
    assert text.rstrip().endswith("với nhiều tàu và máy bay chiến đấu.")


def test_004_comment_box_gone(sample_docs):
    text = sample_docs["004"].article.text
    assert "Tối đa" not in text
    assert "bình luận nào" not in text
    assert text.endswith("Donetsk, Lugansk, Zaporizhzhia và Kherson.")


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_lines_partition_the_clean_text(sample_text, number):
    cleaned = clean(sample_text(number))
    assert "\n".join(line_texts(cleaned)) == cleaned.text
    assert all(line.strip() == line and line for line in line_texts(cleaned))
    assert all(line.role in {"title", "heading", "body", "caption"} for line in cleaned.lines)
    assert [line.role for line in cleaned.lines].count("title") == (cleaned.title is not None)


def test_title_from_metadata_heads_the_text():
    body = "Người phát ngôn Điện Kremlin Dmitry Peskov cho biết quan hệ Nga - Nhật đã xuống mức thấp nhất."
    cleaned = clean(body, title="Điện Kremlin: Quan hệ Nga - Nhật ở mức không")
    assert cleaned.title == "Điện Kremlin: Quan hệ Nga - Nhật ở mức không"
    assert line_texts(cleaned) == [cleaned.title, body]
    assert cleaned.lines[0].role == "title"
    # a title already heading the text is not repeated
    again = clean(cleaned.title + "\n" + body, title=cleaned.title)
    assert line_texts(again) == [cleaned.title, body]


def test_subheading_inside_the_body_is_marked(sample_text):
    cleaned = clean(sample_text("004"))
    roles = dict(zip(line_texts(cleaned), (line.role for line in cleaned.lines)))
    assert roles["Nga không đàm phán về lãnh thổ sáp nhập từ Ukraine"] == "heading"
    assert next(role for line, role in roles.items() if line.startswith("Năm 2014, Nga đã sáp nhập")) == "body"
