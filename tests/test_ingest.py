"""Ingest (issue 2): files, folders, JSONL dumps, HTML pages, date headers and defaults, legacy encodings, and bad
input that yields one reason per source without stopping the batch."""

import json
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from quanhe.ingest.readers import read_paths, split_date_header
from quanhe.ingest.records import IngestError, RawRecord
from quanhe.pipeline import analyze, process

HEADLINE = "Nga và Nhật Bản đình chỉ đàm phán hiệp ước hòa bình"
LEAD = ("Người phát ngôn Điện Kremlin Dmitry Peskov cho biết quan hệ giữa Moskva và Tokyo đã giảm xuống mức không "
        "trong bối cảnh xung đột tại Ukraine tiếp tục diễn biến phức tạp.")
SECOND = ("Theo đài RT, ông Peskov khẳng định Nga và Nhật Bản hiện không tiến hành bất kỳ cuộc đàm phán nào liên quan "
          "đến việc ký kết hiệp ước hòa bình, do quan hệ song phương đang ở mức thấp nhất.")
THIRD = ("Tiến trình ký kết hiệp ước hòa bình lâu nay bị cản trở bởi tranh chấp chủ quyền đối với bốn đảo cực Nam "
         "thuộc quần đảo Kuril. Các đảo này do Liên Xô tiếp quản vào cuối Chiến tranh thế giới thứ hai.")
ARTICLE = f"{HEADLINE}\n{LEAD}\n{SECOND}\n"


def records_and_errors(paths):
    items = list(read_paths(paths))
    return [i for i in items if isinstance(i, RawRecord)], [i for i in items if isinstance(i, IngestError)]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---- files and folders ---------------------------------------------------------------------------------------------


def test_one_file(sample_path, sample_text):
    records, errors = records_and_errors([sample_path("001")])
    assert errors == []
    [record] = records
    assert record.source == str(sample_path("001"))
    assert record.text == sample_text("001")
    assert record.published is None
    assert record.warnings == []


def test_sample_folder(samples_dir):
    records, errors = records_and_errors([samples_dir])
    assert errors == []
    assert [Path(r.source).name[:3] for r in records] == ["000", "001", "002", "003", "004"]


def test_folder_is_read_recursively(tmp_path):
    write(tmp_path / "b.txt", ARTICLE)
    write(tmp_path / "a.txt", f"{HEADLINE}\n{THIRD}\n")
    write(tmp_path / "sub" / "c.txt", f"Điện Kremlin bình luận\n{SECOND}\n")
    write(tmp_path / "sub" / "deeper" / "d.jsonl", json.dumps({"text": LEAD}, ensure_ascii=False) + "\n")
    write(tmp_path / ".hidden.txt", ARTICLE)  # dot-files (editor and OS litter) are skipped
    records, errors = records_and_errors([tmp_path])
    assert errors == []
    assert [Path(r.source.rsplit(":", 1)[0] if r.source.endswith(":1") else r.source).relative_to(tmp_path).as_posix()
            for r in records] == ["a.txt", "b.txt", "sub/c.txt", "sub/deeper/d.jsonl"]
    assert records[-1].source == f"{tmp_path / 'sub' / 'deeper' / 'd.jsonl'}:1"


def test_files_and_folders_together(tmp_path, sample_path):
    folder = tmp_path / "more"
    write(folder / "x.txt", ARTICLE)
    records, errors = records_and_errors([sample_path("000"), folder])
    assert errors == []
    assert len(records) == 2


# ---- JSONL ---------------------------------------------------------------------------------------------------------


def test_jsonl_dump(tmp_path):
    lines = [
        {"text": ARTICLE, "url": "https://baoquocte.vn/nga-nhat-123.html", "title": HEADLINE, "date": "2026-02-21"},
        {"text": f"{LEAD}\n{THIRD}"},
        {"text": f"date 2025-01-14\n{SECOND}", "url": "https://tuoitre.vn/b.htm"},
        {"text": THIRD, "date": "2024-12-19T10:30:00+07:00"},
    ]
    dump = write(tmp_path / "dump.jsonl", "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n\n")
    records, errors = records_and_errors([dump])
    assert errors == []
    assert len(records) == 4
    assert [r.source for r in records] == [f"{dump}:{n}" for n in (1, 2, 3, 4)]
    first, second, third, fourth = records
    assert (first.url, first.title, first.published) == ("https://baoquocte.vn/nga-nhat-123.html", HEADLINE,
                                                         date(2026, 2, 21))
    assert (second.url, second.title, second.published) == (None, None, None)
    assert third.published == date(2025, 1, 14) and not third.text.startswith("date")
    assert fourth.published == date(2024, 12, 19)

    doc = process(first)
    assert doc.article.title == HEADLINE
    assert doc.article.url == "https://baoquocte.vn/nga-nhat-123.html"
    assert doc.article.published == date(2026, 2, 21)
    assert doc.article.text == f"{HEADLINE}\n{LEAD}\n{SECOND}"


def test_jsonl_title_not_in_text_is_added(tmp_path):
    dump = write(tmp_path / "d.jsonl", json.dumps({"text": f"{LEAD}\n{SECOND}", "title": HEADLINE},
                                                  ensure_ascii=False) + "\n")
    [record] = list(read_paths([dump]))
    doc = process(record)
    assert doc.article.title == HEADLINE
    assert doc.article.text.splitlines() == [HEADLINE, LEAD, SECOND]


# ---- HTML ----------------------------------------------------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{headline} | Báo Thế Giới và Việt Nam</title>
{meta}
<link rel="stylesheet" href="/static/site.css">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
</head>
<body>
<header class="site-header">
  <a class="logo" href="/">Báo Thế Giới và Việt Nam</a>
  <nav class="menu"><ul>
    <li><a href="/">Trang chủ</a></li><li><a href="/the-gioi">Thế giới</a></li>
    <li><a href="/kinh-te">Kinh tế</a></li><li><a href="/the-thao">Thể thao</a></li>
    <li><a href="/giai-tri">Giải trí</a></li>
  </ul></nav>
</header>
<main>
<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/the-gioi">Thế giới</a></div>
<article class="detail">
  <h1 class="title">{headline}</h1>
  <div class="meta"><span class="author">Minh Anh</span>
    <time datetime="2026-02-21T08:30:00+07:00">Thứ bảy, 21/2/2026 08:30 (GMT+7)</time></div>
  <div class="content">
    <p>{lead}</p>
    <p>{second}</p>
    <p>{third}</p>
  </div>
  <div class="share">Chia sẻ: <a href="#">Facebook</a> <a href="#">Zalo</a></div>
</article>
<aside class="most-read"><h3>Đọc nhiều</h3><ul>
  <li><a href="/x">Giá vàng hôm nay tăng mạnh</a></li><li><a href="/y">Lịch thi đấu bóng đá cuối tuần</a></li>
</ul></aside>
</main>
<footer class="site-footer">
  <p>Bản quyền © 2026 Báo Thế Giới và Việt Nam. Giấy phép số 123/GP-BTTTT.</p>
  <p>Liên hệ quảng cáo: 0243 123 4567</p>
</footer>
</body>
</html>
"""
HTML_META = {
    "meta": ('<meta property="og:title" content="{headline}">\n'
             '<meta property="article:published_time" content="2026-02-21T08:30:00+07:00">'),
    "time-only": "",
}


@pytest.mark.parametrize("variant", list(HTML_META))
def test_html_page(tmp_path, variant):
    meta = HTML_META[variant].format(headline=HEADLINE)
    page = write(tmp_path / "nga-nhat.html",
                 HTML_PAGE.format(headline=HEADLINE, meta=meta, lead=LEAD, second=SECOND, third=THIRD))
    records, errors = records_and_errors([page])
    assert errors == []
    [record] = records
    assert record.title == HEADLINE
    assert record.published == date(2026, 2, 21)
    for paragraph in (LEAD, SECOND, THIRD):
        assert paragraph in record.text
    for furniture in ("Trang chủ", "Kinh tế", "Giải trí", "Bản quyền", "Giấy phép", "quảng cáo", "Giá vàng",
                      "dataLayer", "Báo Thế Giới và Việt Nam"):
        assert furniture not in record.text

    doc = process(record)
    assert doc.article.title == HEADLINE
    assert doc.article.published == date(2026, 2, 21)
    assert doc.article.text.splitlines()[0] == HEADLINE
    assert doc.article.text.count(HEADLINE) == 1
    assert LEAD in doc.article.text and THIRD in doc.article.text


def test_html_page_without_article_text_is_one_error(tmp_path):
    page = write(tmp_path / "empty.html", "<html><head><meta charset='utf-8'><script>var a = 1;</script></head>"
                                          "<body><div id='app'></div><script src='/app.js'></script></body></html>")
    records, errors = records_and_errors([page])
    assert records == []
    [error] = errors
    assert error.source == str(page)


# ---- dates ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "body", "published"),
    [
        ("date 2026-02-21\nNgười phát ngôn nói.", "Người phát ngôn nói.", date(2026, 2, 21)),
        (" date 2026-02-21 Người phát ngôn nói.", "Người phát ngôn nói.", date(2026, 2, 21)),  # sample 000's shape
        ("\ufeffdate 2026-02-21\nNgười phát ngôn nói.", "Người phát ngôn nói.", date(2026, 2, 21)),
        ("Người phát ngôn nói.", "Người phát ngôn nói.", None),
        ("Cập nhật date 2026-02-21\nNgười phát ngôn nói.", "Cập nhật date 2026-02-21\nNgười phát ngôn nói.", None),
    ],
    ids=["own-line", "same-line", "bom", "none", "not-at-start"],
)
def test_date_header(text, body, published):
    assert split_date_header(text) == (body, published)


def test_date_header_in_a_file(tmp_path):
    path = write(tmp_path / "a.txt", f"date 2025-01-14\n{ARTICLE}")
    [record] = list(read_paths([path]))
    assert record.published == date(2025, 1, 14)
    assert record.text == ARTICLE


def test_impossible_header_date_is_one_error(tmp_path):
    path = write(tmp_path / "a.txt", f"date 2025-13-45\n{ARTICLE}")
    good = write(tmp_path / "b.txt", ARTICLE)
    records, errors = records_and_errors([path, good])
    assert [e.source for e in errors] == [str(path)]
    assert "date" in errors[0].reason
    assert [r.source for r in records] == [str(good)]


def test_default_date_fills_only_missing_dates(tmp_path):
    undated = RawRecord("undated.txt", ARTICLE)
    dated = RawRecord("dated.txt", ARTICLE, published=date(2026, 2, 21))
    assert process(undated).article.published is None
    assert process(undated, date(2024, 5, 1)).article.published == date(2024, 5, 1)
    assert process(dated, date(2024, 5, 1)).article.published == date(2026, 2, 21)
    # the header of a file wins over the default too
    path = write(tmp_path / "h.txt", f"date 2025-01-14\n{ARTICLE}")
    [record] = list(read_paths([path]))
    assert process(record, date(2024, 5, 1)).article.published == date(2025, 1, 14)


def test_analyze_date_argument():
    assert analyze(ARTICLE, published="2024-05-01").article.published == date(2024, 5, 1)
    assert analyze(ARTICLE, published=date(2024, 5, 1)).article.published == date(2024, 5, 1)
    assert analyze("date 2026-02-21\n" + ARTICLE, published="2024-05-01").article.published == date(2026, 2, 21)


# ---- legacy encodings ----------------------------------------------------------------------------------------------

# TCVN3 (ABC) has codes only for lowercase toned vowels (uppercase ones came from a separate .VnTimeH font), so the
# TCVN3 copy starts from a text with those few capitals lowered.
_UPPER_TONED = {ch for ch in map(chr, range(0x00C0, 0x1EFA))
                if ch.isupper() and len(unicodedata.normalize("NFD", ch)) > 1
                and any(mark in unicodedata.normalize("NFD", ch) for mark in "\u0300\u0301\u0303\u0309\u0323")}


def tcvn3_safe(text: str) -> str:
    return "".join(ch.lower() if ch in _UPPER_TONED else ch for ch in text)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_legacy_file_ingests_like_the_unicode_original(tmp_path, sample_text, number, encoding):
    from quanhe.ingest.encoding import encode_legacy

    original = sample_text(number)
    if encoding == "tcvn3":
        original = tcvn3_safe(original)
    unicode_file = tmp_path / "unicode.txt"
    unicode_file.write_text(original, encoding="utf-8")
    legacy_file = tmp_path / f"{encoding}.txt"
    data = encode_legacy(original, encoding)
    legacy_file.write_bytes(data)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really legacy bytes, not UTF-8

    [expected] = list(read_paths([unicode_file]))
    [converted] = list(read_paths([legacy_file]))
    assert isinstance(converted, RawRecord), str(converted)
    want, got = process(expected), process(converted)
    assert got.article.text == want.article.text
    assert got.article.title == want.article.title
    assert got.article.published == want.article.published
    assert [(s.start, s.end, s.role) for s in got.sentences] == [(s.start, s.end, s.role) for s in want.sentences]
    assert want.article.warnings == []
    assert any(encoding.upper() in warning and "legacy" in warning.lower() for warning in got.article.warnings), \
        got.article.warnings


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_text_inside_a_jsonl_dump_is_repaired(tmp_path, encoding):
    """TCVN3/VNI bytes that a scraper already decoded as Windows-1252 arrive as garbled UTF-8 strings."""
    from quanhe.ingest.encoding import encode_legacy

    garbled = encode_legacy(ARTICLE, encoding).decode("cp1252", errors="strict")
    assert garbled != ARTICLE
    dump = write(tmp_path / "d.jsonl", json.dumps({"text": garbled}, ensure_ascii=False) + "\n")
    [record] = list(read_paths([dump]))
    doc = process(record)
    assert doc.article.text == process(RawRecord("u", ARTICLE)).article.text
    assert any(encoding.upper() in warning for warning in doc.article.warnings), doc.article.warnings


def test_legacy_api():
    from quanhe.ingest.encoding import decode_bytes, encode_legacy, repair_text

    assert decode_bytes(ARTICLE.encode("utf-8")).text == ARTICLE
    assert decode_bytes(ARTICLE.encode("utf-8")).warning is None
    assert decode_bytes(encode_legacy(ARTICLE, "vni")).text == ARTICLE
    assert decode_bytes(encode_legacy(ARTICLE, "tcvn3")).text == ARTICLE
    assert repair_text(ARTICLE).text == ARTICLE and repair_text(ARTICLE).warning is None


# ---- bad input -----------------------------------------------------------------------------------------------------


def write_dump_with_a_bad_line(path: Path) -> Path:
    lines = [json.dumps({"text": ARTICLE, "url": "https://a.vn/1"}, ensure_ascii=False),
             '{"text": "Ông Putin nói cuộc gặp Nga-Mỹ', # cut off mid-line
             json.dumps({"text": f"{LEAD}\n{THIRD}", "date": "2024-12-19"}, ensure_ascii=False)]
    return write(path, "\n".join(lines) + "\n")


@pytest.mark.parametrize("kind", ["missing", "empty", "binary", "encoding", "huge"])
def test_each_bad_input_is_one_error_and_the_batch_goes_on(tmp_path, make_bad_inputs, kind):
    bad, word = make_bad_inputs(tmp_path / "bad")[kind]
    before = write(tmp_path / "a.txt", ARTICLE)
    after = write(tmp_path / "z.txt", f"{HEADLINE}\n{THIRD}\n")
    records, errors = records_and_errors([before, bad, after])
    assert [r.source for r in records] == [str(before), str(after)]
    [error] = errors
    assert error.source == str(bad)
    assert word.lower() in error.reason.lower(), error.reason
    line = str(error)
    assert "\n" not in line and str(bad) in line and error.reason in line
    assert len(line) < 300


def test_malformed_jsonl_line_is_one_error_and_the_other_lines_ingest(tmp_path):
    dump = write_dump_with_a_bad_line(tmp_path / "dump.jsonl")
    records, errors = records_and_errors([dump])
    assert [r.source for r in records] == [f"{dump}:1", f"{dump}:3"]
    [error] = errors
    assert error.source == f"{dump}:2"
    assert "json" in error.reason.lower()
    assert "\n" not in str(error)
    assert records[1].published == date(2024, 12, 19)


@pytest.mark.parametrize(
    ("line", "word"),
    [('["a list", "not an object"]', "object"), ('{"url": "https://a.vn/1"}', "text"),
     ('{"text": "Nga nói.", "date": "tháng trước"}', "date")],
    ids=["not-an-object", "no-text", "bad-date"],
)
def test_other_bad_jsonl_lines(tmp_path, line, word):
    dump = write(tmp_path / "d.jsonl", line + "\n" + json.dumps({"text": ARTICLE}, ensure_ascii=False) + "\n")
    records, errors = records_and_errors([dump])
    assert [r.source for r in records] == [f"{dump}:2"]
    [error] = errors
    assert error.source == f"{dump}:1" and word in error.reason.lower()


def test_a_whole_bad_batch_never_raises(tmp_path, make_bad_inputs):
    bad = make_bad_inputs(tmp_path / "bad")
    dump = write_dump_with_a_bad_line(tmp_path / "bad" / "dump.jsonl")
    empty_folder = tmp_path / "nothing-here"
    empty_folder.mkdir()
    paths = [path for path, _ in bad.values()] + [empty_folder]
    records, errors = records_and_errors(paths + [tmp_path / "bad"])
    # the folder repeats the four existing bad files and holds the dump: 2 good lines, 1 bad one
    assert len(records) == 2
    sources = [e.source for e in errors]
    assert sources.count(str(bad["missing"][0])) == 1
    assert sources.count(str(empty_folder)) == 1
    assert sources.count(f"{dump}:2") == 1
    assert sources.count(str(bad["huge"][0])) == 2  # once given by name, once inside its folder
    for error in errors:
        assert error.reason and "\n" not in error.reason
