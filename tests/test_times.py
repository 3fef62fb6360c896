"""Time expressions: spans, resolution against the publication date, context, false positives, speed."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import regex

from quanhe.analyze.times import find_times
from quanhe.model import Sentence


def sentences(text: str) -> list[Sentence]:
    """Sentences split on ". " and line breaks; paragraph = line number."""
    out: list[Sentence] = []
    offset = 0
    for paragraph, line in enumerate(text.split("\n")):
        for m in regex.finditer(r".+?(?:\.(?= )|$)", line):
            if m.group().strip():
                out.append(Sentence(len(out), offset + m.start(), offset + m.end(), paragraph))
        offset += len(line) + 1
    return out


def times(text: str, published: str | None, lang: str = "vi"):
    pub = dt.date.fromisoformat(published) if published else None
    found = find_times(text, pub, sentences(text), lang)
    for t in found:
        assert text[t.start:t.end] == t.text
    assert [t.start for t in found] == sorted(t.start for t in found)
    return found


def one(text: str, published: str | None, expr: str, lang: str = "vi"):
    """The time expression whose text is `expr` (exactly one)."""
    found = [t for t in times(text, published, lang) if t.text == expr]
    assert len(found) == 1, (expr, [t.text for t in times(text, published, lang)])
    return found[0]


CASES = [
    # (sentence, published, expression, value, precision, anchor)
    ("Ngày 20/2, Nga tuyên bố rút quân.", "2026-02-21", "Ngày 20/2", "2026-02-20", "day", "published"),
    ("Tháng 3/2022, hai bên ký hiệp định.", "2026-02-21", "Tháng 3/2022", "2022-03", "month", "text"),
    ("Hai nước lập quan hệ ngoại giao năm 1956.", "2026-02-21", "năm 1956", "1956", "year", "text"),
    ("Trật tự này hình thành từ cuối Chiến tranh thế giới thứ hai.", "2026-02-21",
     "cuối Chiến tranh thế giới thứ hai", "1945", "period", "text"),
    ("Ngày 14/1, ông Lavrov hội đàm với ông Wang Yi.", "2025-01-14", "Ngày 14/1", "2025-01-14", "day", "published"),
    ("Ngày 18/12, Hội đồng Bảo an họp khẩn.", "2025-01-14", "Ngày 18/12", "2024-12-18", "day", "published"),
    ("Hồi tháng 9, Nga đã tấn công.", "2025-01-14", "tháng 9", "2024-09", "month", "published"),
    ("Hội nghị sẽ khai mạc ngày 20/1 tới.", "2025-01-14", "ngày 20/1 tới", "2025-01-20", "day", "published"),
    ("Thỏa thuận được ký ngày 10.7.", "2025-01-14", "ngày 10.7", "2024-07-10", "day", "published"),
    ("Năm 2024, thương mại tăng mạnh.", "2025-01-14", "Năm 2024", "2024", "year", "text"),
    ("Mục tiêu đặt ra cho năm 2026 rất cao.", "2025-01-14", "năm 2026", "2026", "year", "text"),
    ("Tháng 12 năm ngoái, ông Putin tới thăm.", "2022-10-31", "Tháng 12 năm ngoái", "2021-12", "month", "published"),
    ("Từ tháng 1 năm nay, giá khí đốt tăng.", "2022-10-31", "tháng 1 năm nay", "2022-01", "month", "published"),
    ("Cuối tháng 2, xung đột nổ ra.", "2022-10-31", "Cuối tháng 2", "2022-02", "month", "published"),
    ("Đầu tháng này, hai bên trao đổi tù binh.", "2022-10-31", "Đầu tháng này", "2022-10", "month", "published"),
    ("Tháng 6.2021, hai ông gặp nhau ở Geneva.", "2022-10-31", "Tháng 6.2021", "2021-06", "month", "text"),
    ("Đàm phán bắt đầu từ tháng 3.2022.", "2022-10-31", "tháng 3.2022", "2022-03", "month", "text"),
    ("Ông cho biết Mỹ sẽ tổ chức bầu cử giữa kỳ vào tháng 11.", "2022-10-31", "tháng 11", "2022-11", "month",
     "published"),
    ("Đầu tháng 10, Nga phóng tên lửa.", "2022-10-31", "Đầu tháng 10", "2022-10", "month", "published"),
    ("Chiều 16.1, núi lửa phun trào.", "2022-10-31", "Chiều 16.1", "2022-01-16", "day", "published"),
    ("Giữa tháng 12 năm ngoái, ông đã tới Moskva.", "2022-10-31", "Giữa tháng 12 năm ngoái", "2021-12", "month",
     "published"),
    ("Hôm 27/1, Mỹ gửi phản hồi bằng văn bản.", "2022-01-28", "Hôm 27/1", "2022-01-27", "day", "published"),
    ("Phát biểu hôm 26/1, ông Blinken nói.", "2022-01-28", "hôm 26/1", "2022-01-26", "day", "published"),
    ("Ngày 12/1, NATO và Nga họp tại Brussels.", "2022-01-28", "Ngày 12/1", "2022-01-12", "day", "published"),
    ("Ngày 27-2, ông Zelensky phát biểu.", "2025-02-27", "Ngày 27-2", "2025-02-27", "day", "published"),
    ("Cuộc gặp diễn ra ngày 12-2 tại Riyadh.", "2025-02-27", "ngày 12-2", "2025-02-12", "day", "published"),
    ("Vào tháng 9-2024, hai bên nối lại đối thoại.", "2025-02-27", "tháng 9-2024", "2024-09", "month", "text"),
    ("Năm 2014, Nga sáp nhập Crimea.", "2025-02-27", "Năm 2014", "2014", "year", "text"),
    ("Đầu tuần này, ông Trump điện đàm với ông Putin.", "2025-02-27", "Đầu tuần này", "2025-02-24", "period",
     "published"),
    # more forms
    ("Sáng 5/3, quân đội bắn thử tên lửa.", "2026-02-21", "Sáng 5/3", "2025-03-05", "day", "published"),
    ("Tối 12-2, hai bên ra tuyên bố chung.", "2026-02-21", "Tối 12-2", "2026-02-12", "day", "published"),
    ("Đêm 3/4, lực lượng phòng không khai hỏa.", "2026-02-21", "Đêm 3/4", "2025-04-03", "day", "published"),
    ("Rạng sáng 4/5, nhiều vụ nổ vang lên.", "2026-02-21", "Rạng sáng 4/5", "2025-05-04", "day", "published"),
    ("Lệnh ngừng bắn có hiệu lực từ 20/1.", "2026-02-21", "20/1", "2026-01-20", "day", "published"),
    ("Hiệp định ký ngày 12/1/2022 tại Hà Nội.", "2026-02-21", "ngày 12/1/2022", "2022-01-12", "day", "text"),
    ("Hiệp định ký ngày 12-1-2022 tại Hà Nội.", "2026-02-21", "ngày 12-1-2022", "2022-01-12", "day", "text"),
    ("Văn bản đề ngày 12/1/2022.", "2026-02-21", "ngày 12/1/2022", "2022-01-12", "day", "text"),
    ("Theo văn bản 12/1/2022, hai bên thống nhất.", "2026-02-21", "12/1/2022", "2022-01-12", "day", "text"),
    ("Ngày 20 tháng 2 năm 2022, Nga công nhận hai vùng ly khai.", "2026-02-21", "Ngày 20 tháng 2 năm 2022",
     "2022-02-20", "day", "text"),
    ("Tháng 3 năm 2022, hai bên đàm phán tại Istanbul.", "2026-02-21", "Tháng 3 năm 2022", "2022-03", "month",
     "text"),
    ("Tháng 11, bão đổ bộ miền Trung.", "2022-10-31", "Tháng 11", "2021-11", "month", "published"),
    ("Hội nghị sẽ diễn ra vào tháng 11 tới.", "2025-01-14", "tháng 11 tới", "2025-11", "month", "published"),
    ("Tháng trước, ông đã thăm Bắc Kinh.", "2022-10-31", "Tháng trước", "2022-09", "month", "published"),
    ("Trong tháng này, giá dầu giảm.", "2022-10-31", "tháng này", "2022-10", "month", "published"),
    ("Tuần trước, Nga tập trận.", "2025-02-27", "Tuần trước", "2025-02-17", "period", "published"),
    ("Tuần này, hai bên đối thoại.", "2025-02-27", "Tuần này", "2025-02-24", "period", "published"),
    ("Hôm qua, ông Tập phát biểu.", "2026-02-21", "Hôm qua", "2026-02-20", "day", "published"),
    ("Hôm nay, Quốc hội họp phiên bất thường.", "2026-02-21", "Hôm nay", "2026-02-21", "day", "published"),
    ("Ngày mai, ông sẽ lên đường.", "2026-02-21", "Ngày mai", "2026-02-22", "day", "published"),
    ("Sáng nay, Bình Nhưỡng phóng tên lửa.", "2026-02-21", "Sáng nay", "2026-02-21", "day", "published"),
    ("Năm ngoái, kim ngạch đạt 175 tỷ USD.", "2026-02-21", "Năm ngoái", "2025", "year", "published"),
    ("Năm nay, hai nước kỷ niệm quan hệ.", "2026-02-21", "Năm nay", "2026", "year", "published"),
    ("Năm tới, hai bên sẽ tập trận.", "2026-02-21", "Năm tới", "2027", "year", "published"),
    ("Năm sau, hai bên sẽ tập trận.", "2026-02-21", "Năm sau", "2027", "year", "published"),
    ("Bầu cử sẽ diễn ra vào năm 2026.", "2025-01-14", "năm 2026", "2026", "year", "text"),
    ("Quan hệ hai nước phát triển mạnh trong thập kỷ qua.", "2026-02-21", "thập kỷ qua", None, "period", "text"),
    ("Trật tự thế giới sau Chiến tranh thế giới thứ hai.", "2026-02-21", "sau Chiến tranh thế giới thứ hai",
     "1945", "period", "text"),
    ("Châu Âu trong Chiến tranh thế giới thứ hai.", "2026-02-21", "Chiến tranh thế giới thứ hai", "1939",
     "period", "text"),
    ("Liên Xô tham gia Thế chiến II từ năm 1941.", "2026-02-21", "Thế chiến II", "1939", "period", "text"),
    ("Thời kỳ Chiến tranh Lạnh đã qua.", "2026-02-21", "Chiến tranh Lạnh", "1947", "period", "text"),
    ("Sau Chiến tranh Lạnh, NATO mở rộng.", "2026-02-21", "Sau Chiến tranh Lạnh", "1991", "period", "text"),
    ("Nhà máy xây từ thời Xô viết.", "2026-02-21", "thời Xô viết", "1922", "period", "text"),
    ("Những năm 1990, kinh tế Nga khủng hoảng.", "2026-02-21", "Những năm 1990", "1990", "period", "text"),
    ("Cách đây 3 năm, xung đột nổ ra.", "2026-02-21", "Cách đây 3 năm", "2023", "year", "published"),
    ("Hai năm trước, ông từng tới Kiev.", "2026-02-21", "Hai năm trước", "2024", "year", "published"),
    ("Họp vào thứ Hai tuần trước.", "2026-02-21", "thứ Hai tuần trước", "2026-02-09", "day", "published"),
    ("Phát biểu hôm thứ Năm, ông nói.", "2026-02-21", "hôm thứ Năm", "2026-02-19", "day", "published"),
    ("Ông sẽ tới Nga vào thứ Sáu tới.", "2026-02-18", "thứ Sáu tới", "2026-02-20", "day", "published"),
    ("Lệnh ngừng bắn được duy trì từ 2014 đến nay.", "2026-02-21", "2014", "2014", "year", "text"),
    ("Ngày 29/2, hội nghị bế mạc.", "2025-01-14", "Ngày 29/2", "2024-02-29", "day", "published"),
    ("Ngày 15 tháng Ba, ông đến Paris.", "2026-02-21", "Ngày 15 tháng Ba", "2025-03-15", "day", "published"),
]


@pytest.mark.parametrize("text, published, expr, value, precision, anchor", CASES)
def test_expression(text, published, expr, value, precision, anchor):
    t = one(text, published, expr)
    assert (t.value, t.precision, t.anchor) == (value, precision, anchor)
    assert t.sentence == 0


def test_cung_ngay_from_the_paragraph_date():
    text = "Ngoại trưởng Nga tới Bắc Kinh ngày 14/1. Cùng ngày, Mỹ công bố trừng phạt mới."
    found = times(text, "2025-01-14")
    assert [(t.text, t.value, t.anchor, t.sentence) for t in found] == [
        ("ngày 14/1", "2025-01-14", "published", 0),
        ("Cùng ngày", "2025-01-14", "context", 1),
    ]


def test_context_from_an_earlier_paragraph_and_offsets():
    text = ("Hôm 18/2, ngoại trưởng hai nước gặp nhau tại Riyadh.\n"
            "Điện Kremlin hoan nghênh cuộc gặp.\n"
            "Tối cùng ngày, ông Trump nói. Hôm sau, ông Zelensky phản ứng.")
    found = {t.text: t for t in times(text, "2026-02-21")}
    assert found["Tối cùng ngày"].value == "2026-02-18" and found["Tối cùng ngày"].anchor == "context"
    assert found["Hôm sau"].value == "2026-02-19" and found["Hôm sau"].anchor == "context"


def test_context_without_an_earlier_date_uses_publication():
    t = one("Hôm đó, ông nói rằng đàm phán thất bại.", "2026-02-21", "Hôm đó")
    assert (t.value, t.anchor) == ("2026-02-21", "published")


def test_day_of_the_context_month():
    text = "Ngày 20/1, hai bên họp. Đến ngày 23, họ ra tuyên bố chung."
    t = one(text, "2026-02-21", "ngày 23")
    assert (t.value, t.anchor) == ("2026-01-23", "context")


def test_day_list_and_range():
    found = times("Hội nghị diễn ra ngày 20 và 21/1, còn tập trận từ ngày 5-9/2.", "2026-02-21")
    assert [(t.text, t.value, t.precision) for t in found] == [
        ("ngày 20", "2026-01-20", "day"),
        ("21/1", "2026-01-21", "day"),
        ("ngày 5-9/2", "2026-02-05", "period"),
    ]


def test_ranges_of_full_dates():
    found = times("Từ ngày 14-11 đến ngày 8-12, dịch lan rộng. Thi từ 15-6 đến 20-6-2006, còn tập trận từ 20/1 "
                  "đến 25/1.", "2008-06-01")
    assert [(t.text, t.value, t.precision, t.anchor) for t in found] == [
        ("ngày 14-11 đến ngày 8-12", "2007-11-14", "period", "published"),
        ("15-6 đến 20-6-2006", "2006-06-15", "period", "text"),
        ("20/1 đến 25/1", "2008-01-20", "period", "published"),
    ]


def test_relative_day_with_its_date():
    # older press: "hôm qua (29-3)"; the stated date wins over the offset
    found = times("Hôm qua (29-3), Quốc hội họp. Rạng sáng qua, 27-12, có nổ. Sáng nay (23/3), cháy lớn.", "2008-03-30")
    assert [(t.text, t.value) for t in found] == [
        ("Hôm qua (29-3)", "2008-03-29"), ("Rạng sáng qua, 27-12", "2007-12-27"), ("Sáng nay (23/3)", "2008-03-23")]


def test_named_events_beat_month_names():
    found = times("Cách mạng tháng Tám năm 1945 thành công.", "2026-02-21")
    assert [(t.text, t.value, t.precision) for t in found] == [
        ("Cách mạng tháng Tám", "1945", "period"), ("năm 1945", "1945", "year")]


def test_cung_ngay_before_a_date_is_the_date():
    found = times("Ngày 12-2 có họp. Trong tuyên bố cùng ngày 27-2, ông nói.", "2025-02-27")
    assert [(t.text, t.value) for t in found] == [("Ngày 12-2", "2025-02-12"), ("ngày 27-2", "2025-02-27")]


def test_future_markers_and_recent_start():
    # "sẽ ... ngày 5/3": next occurrence; a date a few days before publication stays in the past
    assert one("Hai bên sẽ ký thỏa thuận ngày 5/3.", "2026-02-21", "ngày 5/3").value == "2026-03-05"
    assert one("Cuộc tập trận sẽ kéo dài từ ngày 19/2.", "2026-02-21", "ngày 19/2").value == "2026-02-19"
    # a past marker nearer than the future one wins
    text = "Ông nói Nga sẽ phản ứng vì hồi tháng 11 đã bị tấn công."
    assert one(text, "2022-10-31", "tháng 11").value == "2021-11"


def test_published_none():
    found = {t.text: t for t in times("Ngày 20/2, hôm qua, tháng 3/2022, năm 2014, tháng 5.", None)}
    assert found["Ngày 20/2"].value is None and found["Ngày 20/2"].precision == "day"
    assert found["hôm qua"].value is None
    assert found["tháng 3/2022"].value == "2022-03"
    assert found["năm 2014"].value == "2014"
    assert found["tháng 5"].value is None


@pytest.mark.parametrize("text", [
    "Quân đội bắn hạ 16 tên lửa.",
    "Cuộc họp kéo dài 5 đến 6 giờ.",
    "Đội nhà thắng với tỷ số 3-1.",
    "Có 1.500 người tham gia biểu tình.",
    "Hãng phát hành phiên bản 6.2 của phần mềm.",
    "Hội nghị G20 diễn ra ở Ấn Độ.",
    "Xe tăng T-72B3 bị phá hủy.",
    "Ông đã làm việc ở đó 5 năm.",
    "Quan hệ xấu đi trong nhiều năm qua.",
    "Dân số tăng đến 2/3 dân số cả nước.",
    "Đây là ngày thứ hai liên tiếp có biểu tình.",
    "Thứ hai, Nga cần rút quân.",
    "Tỷ lệ lạm phát 3,5% trong quý 4.",
    "Tàu mang số hiệu 20/2 cập cảng.",
    "Những ngày đó thật khó khăn.",
    "Gói viện trợ sẽ giải ngân trong 5 năm tới.",
    "Ánh sáng qua cửa sổ.",
    "Cuộc chiến có thể kéo dài 3 tháng 5 ngày.",
    "Hơn 2000 binh sĩ tham gia.",
    "Tour 5 ngày 4 đêm giá rẻ.",
    "Đạo Phật có trên 2.500 năm trước khi ấy.",
    "Các em học từ thứ hai đến thứ sáu.",
    "Nhóm thứ ba tới từ Khoa Môi trường.",
    "Hội thi lần thứ 3 này rất đông.",
    "Tối thứ bảy hằng tuần, nhà thờ đông người.",
    "Mỗi chiều thứ sáu, anh ra biển.",
    "Bán được ngày nào hay ngày đó.",
])
def test_no_false_positives(text):
    assert times(text, "2026-02-21") == []


def test_invalid_dates_are_rejected():
    assert times("Ngày 31/2, ngày 30/2 và ngày 12/13 không tồn tại.", "2026-02-21") == []


def test_english():
    text = ("Russia said on 20 February that it was ready. On February 20, talks began. The deal of Feb. 20, 2022 "
            "collapsed. Last week, officials met. Yesterday, he spoke. In March 2022, troops moved. In 2014, Crimea "
            "was annexed. The same day, China reacted. After World War II, the order changed.")
    found = {t.text: t for t in times(text, "2026-02-21", "en")}
    assert found["20 February"].value == "2026-02-20"
    assert found["February 20"].value == "2026-02-20"
    assert found["Feb. 20, 2022"].value == "2022-02-20" and found["Feb. 20, 2022"].anchor == "text"
    assert (found["Last week"].value, found["Last week"].precision) == ("2026-02-09", "period")
    assert found["Yesterday"].value == "2026-02-20"
    assert (found["March 2022"].value, found["March 2022"].precision) == ("2022-03", "month")
    assert (found["2014"].value, found["2014"].precision) == ("2014", "year")
    assert (found["The same day"].value, found["The same day"].anchor) == ("2026-02-20", "context")
    assert (found["After World War II"].value, found["After World War II"].precision) == ("1945", "period")


def test_english_false_positives():
    assert times("May I ask? There were 2000 people and version 6.2 on a Sunday.", "2026-02-21", "en") == []


def test_unknown_language_and_empty_text():
    assert find_times("", dt.date(2026, 2, 21), []) == []
    assert find_times("ngày 20/2", dt.date(2026, 2, 21), [], lang="xx") == []


def test_speed():
    """Linear and fast: typical news text at several MB/s (the floor here is loose for shared CI machines)."""
    paragraph = ("Ngày 20/2, Bộ Ngoại giao Nga cho biết Moskva sẵn sàng nối lại đàm phán với Ukraine nhưng phản "
                 "đối kế hoạch mở rộng của NATO. Cùng ngày, Thủ tướng Nhật Bản tuyên bố tăng ngân sách quốc phòng "
                 "lên 2% GDP trong 5 năm tới, mức cao nhất kể từ sau Chiến tranh thế giới thứ hai. Năm ngoái, kim "
                 "ngạch thương mại đạt hơn 175 tỷ USD, tăng 3,5% so với năm 2023; các bên đã bắn hạ 16 tên lửa.\n")
    text = paragraph * 300  # ~0.15 MB
    find_times("ngày 1/1", dt.date(2026, 2, 21), [])  # compile
    start = time.process_time()
    found = find_times(text, dt.date(2026, 2, 21), [])
    elapsed = time.process_time() - start
    assert len(found) == 300 * 5
    assert len(text.encode()) / 1e6 / elapsed > 1.5


@pytest.mark.parametrize("unit", ["{}, ", "{} và ", "ngày {}-", "năm 19{}-", "{}/"])
def test_linear_on_pathological_lists(unit):
    """Long runs of numbers and connectors must not backtrack quadratically (a 8 KB list in well under 1 s; it took minutes once)."""
    text = "".join(unit.format(i % 28 + 1) for i in range(1500))
    start = time.process_time()
    find_times(text, dt.date(2026, 2, 21), [])
    assert time.process_time() - start < 1.0

