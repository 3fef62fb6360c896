"""Character-level normalisation (issue 2): NFC, one tone-mark convention, censorship dots."""

import unicodedata

import pytest

from quanhe.text.normalize import fold, nfc, normalize, normalize_tone_placement, remove_censorship_dots


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# ---- NFC ---------------------------------------------------------------------------------------------------------


def test_decomposed_input_comes_back_composed():
    text = "Thứ trưởng Ngoại giao Nga Sergei Ryabkov cho biết quan hệ Nga – Mỹ gần như bằng 0."
    assert nfd(text) != text
    assert nfc(nfd(text)) == text
    assert normalize(nfd(text)) == text
    assert unicodedata.is_normalized("NFC", normalize(nfd("Hiệp ước hoà bình")))


def test_fold_treats_composed_and_decomposed_alike():
    assert fold(nfd("Điện Kremlin")) == fold("Điện Kremlin") == "điện kremlin"


# ---- tone-mark placement ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "modern"),
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("thoả thuận", "thỏa thuận"),
        ("Thuỵ Sĩ", "Thụy Sĩ"),
        ("toà án", "tòa án"),
        ("hoạ", "họa"),
        ("tuỳ", "tùy"),
        ("Hoà Bình", "Hòa Bình"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
        ("hiệp ước hoà bình", "hiệp ước hòa bình"),
    ],
)
def test_old_tone_placement_becomes_modern(old, modern):
    assert normalize(old) == modern
    assert normalize(nfd(old)) == modern
    assert normalize_tone_placement(old) == modern
    assert fold(old) == fold(modern)


@pytest.mark.parametrize("pair", [("hoà", "hòa"), ("thuỷ", "thủy"), ("Thuỷ Điện Hoà Bình", "thủy điện hòa bình")])
def test_fold_makes_both_conventions_equal(pair):
    old, modern = pair
    assert fold(old) == fold(modern)


@pytest.mark.parametrize(
    "word",
    # a consonant or vowel follows inside the word, or qu- (the u is part of the onset): the tone stays where it is
    ["hoàng", "thuyền", "quý", "quà", "quả", "hòa", "thủy", "khỏe", "Nguyễn", "luật", "tuyên bố", "hoạt động"],
)
def test_tone_placement_leaves_correct_words_alone(word):
    assert normalize(word) == word


def test_fold_keeps_different_words_apart():
    assert fold("hòa") != fold("hoa")
    assert fold("thủy") != fold("thùy")
    assert fold("Nga") != fold("Ngà")


def test_fold_collapses_case_space_and_dashes():
    assert fold("  Quan hệ   Nga – Mỹ ") == fold("quan hệ nga - mỹ") == "quan hệ nga - mỹ"
    assert fold("Nga—Mỹ") == fold("Nga-Mỹ")


# ---- censorship dots -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dotted", "clean"),
    [
        ("đán.h giá", "đánh giá"),
        ("ch.ỉ tríc.h", "chỉ trích"),
        ("đ.e dọ.a", "đe dọa"),
        # as they appear in sample 001
        ("chúng tôi đán.h giá rằng Nga", "chúng tôi đánh giá rằng Nga"),
        ("không muốn ch.ỉ tríc.h sự phát triển", "không muốn chỉ trích sự phát triển"),
        ("không gây ra mối đ.e dọ.a đối với khu vực", "không gây ra mối đe dọa đối với khu vực"),
    ],
)
def test_censorship_dots_are_removed(dotted, clean):
    assert normalize(dotted) == clean
    assert remove_censorship_dots(dotted) == clean
    assert normalize(nfd(dotted)) == clean


@pytest.mark.parametrize(
    "text",
    [
        "tháng 6.2021",
        "vào tháng 6.2021 tại Geneva",
        "tháng 3.2022.",
        "quan chức U.S.",
        "U.S. officials",
        "Washington D.C",
        "ở Washington D.C ngày 10.7, Mỹ",
        "ngày 10.7",
        "https://tuoitre.vn/nga-my-20250227.htm",
        "http://www.dantri.com.vn/the-gioi.htm",
        "vnexpress.net",
        "Theo vnexpress.net, ông nói.",
        "lien.he@dantri.com.vn",
        "toasoan@baoquocte.vn",
        "3.5 triệu USD",
        "tăng 3.5%",
        "1.500 người",
        "1.500.000 đồng",
        "v.v.",
        "Nga. Mỹ. Trung Quốc.",
        "kết thúc. tiếp theo",
    ],
)
def test_dots_that_are_not_censorship_stay(text):
    assert normalize(text) == text


def test_censorship_dots_next_to_protected_dots(sample_text):
    line = ("Tại hội nghị thượng đỉnh NATO ở Washington D.C ngày 10.7, Mỹ đán.h giá 3.5 triệu người "
            "(https://tuoitre.vn/a.htm, lien.he@dantri.com.vn) từ tháng 6.2021.")
    assert normalize(line) == line.replace("đán.h", "đánh")


def test_normalize_keeps_line_structure_and_is_idempotent(sample_text):
    for number in ("000", "001", "002", "003", "004"):
        raw = sample_text(number)
        once = normalize(raw)
        assert once.count("\n") == raw.count("\n"), number
        assert normalize(once) == once, number
        assert unicodedata.is_normalized("NFC", once), number


def test_sample_001_after_normalize(sample_text):
    text = normalize(sample_text("001"))
    for bad in ("đán.h", "ch.ỉ", "tríc.h", "đ.e", "dọ.a"):
        assert bad not in text
    for good in ("đánh giá", "chỉ trích", "đe dọa", "Washington D.C ngày 10.7", "NATO..."):
        assert good in text


@pytest.mark.parametrize(
    ("dotted", "clean"),
    [
        ("mối đ.e dọ.a.", "mối đe dọa."),
        ("bị ch.ỉ tríc.h, nhưng", "bị chỉ trích, nhưng"),
        ("“đán.h giá”", "“đánh giá”"),
        ("(đ.e dọ.a)", "(đe dọa)"),
        ("sự đ.e dọ.a…", "sự đe dọa…"),
    ],
)
def test_censorship_dots_next_to_punctuation(dotted, clean):
    assert normalize(dotted) == clean


@pytest.mark.parametrize(
    ("dotted", "clean"),
    [("Đán.h giá của Mỹ là sai.", "Đánh giá của Mỹ là sai."), ("Ch.ỉ tríc.h là vô căn cứ.", "Chỉ trích là vô căn cứ.")],
    ids=["Danh-gia", "Chi-trich"],
)
def test_censorship_dots_in_a_capitalised_word(dotted, clean):
    """A sentence-initial (capitalised) dotted word is as much an evasion as a lowercase one."""
    assert normalize(dotted) == clean
