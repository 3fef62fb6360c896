import time
import unicodedata

import pytest

from quanhe.lexicons import load_tsv
from quanhe.ingest.encoding import Decoded, UnreadableText, decode_bytes, encode_legacy, repair_text

SENTENCE = (
    "Thứ trưởng Ngoại giao Nga Sergei Ryabkov cho biết, mối quan hệ giữa Nga và Mỹ gần như bằng 0 và vấn đề "
    "giảm thiểu rủi ro xung đột vẫn phải là ưu tiên hàng đầu."
)
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
LOWER = sorted(
    {unicodedata.normalize("NFC", vowel + tone) for vowel in "aăâeêioôơuưy" for tone in TONES} - set("aeiouy")
    | {"đ"}
)
ALL_LETTERS = LOWER + [letter.upper() for letter in LOWER]
# TCVN3 (VN3) has every lowercase letter but, of the uppercase ones, only the seven without tone.
TCVN3_LETTERS = LOWER + list("ĂÂÊÔƠƯĐ")
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def paragraph(letters):
    return SENTENCE + "\n" + " ".join(letters) + "\nĐà Nẵng, ngày 5 tháng 3.\n"


def to_cp1258(text):
    """Windows-1258 the way Vietnamese was written in it: base letters precomposed, tones as combining marks."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            marks = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in marks if c not in TONE_MARKS))
            out += base.encode("cp1258") + "".join(c for c in marks if c in TONE_MARKS).encode("cp1258")
    return bytes(out)


def test_letter_sets_and_tables_cover_each_other():
    assert len(LOWER) == 67 and len(ALL_LETTERS) == 134
    assert {row["unicode"] for row in load_tsv("vi", "legacy_vni.tsv")} == set(ALL_LETTERS)
    assert {row["unicode"] for row in load_tsv("vi", "legacy_tcvn3.tsv")} == set(TCVN3_LETTERS)


@pytest.mark.parametrize(
    ("text", "encoding", "legacy"),
    [
        ("Hà Nội", "tcvn3", "Hµ Néi"),
        ("Việt Nam", "tcvn3", "ViÖt Nam"),
        ("Thủ tướng", "tcvn3", "Thñ t\xadíng"),
        ("Đảng ĂÂÊÔƠƯ", "tcvn3", "§¶ng ¡¢£¤¥¦"),
        ("Việt Nam", "vni", "Vieät Nam"),
        ("Hà Nội", "vni", "Haø Noäi"),
        ("Đà Nẵng đơn ƯỚC", "vni", "Ñaø Naüng ñôn ÖÔÙC"),
    ],
)
def test_known_legacy_forms(text, encoding, legacy):
    assert encode_legacy(text, encoding) == legacy.encode("cp1252")


@pytest.mark.parametrize(("encoding", "letters"), [("tcvn3", TCVN3_LETTERS), ("vni", ALL_LETTERS)])
def test_round_trip_over_every_letter(encoding, letters):
    text = paragraph(letters)
    data = encode_legacy(text, encoding)
    assert data.isascii() is False and decode_bytes(data) == Decoded(
        text, encoding, f"legacy encoding {encoding.upper()} converted to Unicode"
    )
    # the same bytes already read as cp1252 (how they usually arrive from old web pages)
    assert repair_text(data.decode("cp1252")).text == text
    assert repair_text(data.decode("latin-1")).text == text


def test_tcvn3_cannot_encode_uppercase_toned_vowels():
    with pytest.raises(UnicodeEncodeError, match="no tcvn3 code"):
        encode_legacy("HÀ NỘI", "tcvn3")
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        encode_legacy("Hà Nội", "viscii")


def test_tcvn3_all_caps_words_typed_with_lowercase_codes():
    data = b"Tin t\xf8c: H\xb5 N\xe9I, TR\xa6\xeaNG \xa7\xb9I H\xe4C QU\xe8C GIA"
    assert decode_bytes(data).text == "Tin tức: Hà NỘI, TRƯỜNG ĐẠI HỌC QUỐC GIA"


def test_vni_modifier_case_follows_base():
    assert decode_bytes("Ñaø Naüng vaø AÁn Ñoä, Aán Ñoä".encode("cp1252")).text == "Đà Nẵng và Ấn Độ, Ấn Độ"


def test_cp1258_decomposed_bytes():
    data = to_cp1258(SENTENCE)
    assert b"\xf2" in data  # combining dot below, as cp1258 writes "ạ"
    assert decode_bytes(data) == Decoded(SENTENCE, "cp1258", "legacy encoding Windows-1258 converted to Unicode")


def test_nfd_text_and_bytes():
    decomposed = unicodedata.normalize("NFD", SENTENCE)
    assert repair_text(decomposed) == Decoded(SENTENCE, "nfd", "decomposed Unicode (NFD) composed to NFC")
    decoded = decode_bytes(decomposed.encode())
    assert (decoded.text, decoded.encoding) == (SENTENCE, "utf-8") and "NFD" in decoded.warning


def test_utf8_mojibake_repaired():
    assert repair_text("Viá»‡t Nam").text == "Việt Nam"
    mojibake = SENTENCE.encode().decode("sloppy-windows-1252")
    assert repair_text(mojibake).encoding == "mojibake-utf8"
    assert repair_text(mojibake).text == SENTENCE
    decoded = decode_bytes(mojibake.encode())
    assert (decoded.text, decoded.encoding) == (SENTENCE, "mojibake-utf8") and "mojibake" in decoded.warning


def test_mojibake_in_part_of_a_long_text():
    clean = (SENTENCE + "\n") * 600  # over one 64k-character chunk
    mixed = clean + clean.encode().decode("sloppy-windows-1252")
    assert repair_text(mixed) == Decoded(clean + clean, "mojibake-utf8", repair_text("Viá»‡t Nam").warning)


def test_utf8_bom_and_utf16():
    assert decode_bytes(b"\xef\xbb\xbf" + SENTENCE.encode()) == Decoded(SENTENCE, "utf-8-sig", None)
    assert decode_bytes(SENTENCE.encode("utf-16")) == Decoded(SENTENCE, "utf-16", None)
    assert decode_bytes(b"") == Decoded("", "utf-8", None)


UNCHANGED = [
    SENTENCE,
    "Cà phê và bánh mì ở Sài Gòn rất ngon, các bạn nhé.",
    "The Ministry of Foreign Affairs said on Tuesday that talks would resume.",
    "Le café est très bon ; l'élève habite à Zürich où il étudie la philosophie.",
    "Die Brücke über den Fluss in Zürich ist schön, sagte Frau Müller. Ärger? Öl!",
    "Zürich",
    "São Paulo, José, qué, más, año",
    "« Bonjour », © 2024 Reuters · All rights reserved",  # lone symbols that are TCVN3 letters
    "Particles of 10 µm and 20 µm; 3 × 4 µm",
]


@pytest.mark.parametrize("text", UNCHANGED)
def test_clean_text_comes_back_unchanged(text):
    assert repair_text(text) == Decoded(text, "unicode", None)
    assert decode_bytes(text.encode()) == Decoded(text, "utf-8", None)


@pytest.mark.parametrize("text", UNCHANGED[3:])
def test_western_legacy_bytes_stay_cp1252(text):
    decoded = decode_bytes(text.encode("cp1252"))
    assert (decoded.text, decoded.encoding) == (text, "cp1252")


def test_cp1252_read_as_latin1_repaired():
    assert repair_text("\x93Hello\x94") == Decoded("“Hello”", "cp1252", "Windows-1252 text read as Latin-1 repaired")


def test_binary_and_unreadable_bytes():
    with pytest.raises(UnreadableText) as error:
        decode_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert str(error.value) == "binary data, not text" and isinstance(error.value, ValueError)
    with pytest.raises(UnreadableText, match="binary data"):
        decode_bytes(bytes(range(1, 32)) * 20)
    with pytest.raises(UnreadableText, match="no legacy encoding gives readable text"):
        decode_bytes(bytes(range(0x80, 0x100)) * 8)


def test_large_input_is_fast():
    data = encode_legacy(paragraph(ALL_LETTERS) * 1000, "vni")  # about 0.65 MB
    start = time.perf_counter()
    assert decode_bytes(data).encoding == "vni"
    assert time.perf_counter() - start < 1.0
