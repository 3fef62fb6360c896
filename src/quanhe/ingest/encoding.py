"""Vietnamese text in legacy encodings -> Unicode NFC.

Old sites and archives hold Vietnamese as TCVN3 (ABC, fonts .VnTime), VNI-Windows (fonts VNI-Times),
Windows-1258 with combining tones, decomposed Unicode, or UTF-8 mojibake. Those bytes are often already decoded
with the wrong codec ("Hµ Néi", "Haø Noäi", "Viá»‡t Nam"). Detection is by scoring: each candidate conversion is
run on a sample and kept only when it turns clearly more words into well-formed Vietnamese syllables than the text
had before, so ordinary Vietnamese, English, French or German text comes back unchanged. Everything is linear:
table look-ups through `str.translate` / charmap codecs, simple regexes, and scoring on a bounded sample.

Tables: `lexicons/vi/legacy_tcvn3.tsv` and `legacy_vni.tsv` (Unicode letter -> legacy bytes).
"""

from __future__ import annotations

import codecs
import re
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import ftfy

from quanhe.lexicons import load_tsv
from quanhe.text.normalize import nfc


class UnreadableText(ValueError):
    """The bytes are not text in any encoding handled here; `str(error)` is a short reason."""


@dataclass(frozen=True)
class Decoded:
    text: str  # Unicode NFC text
    encoding: str  # 'utf-8', 'utf-8-sig', 'utf-16', 'tcvn3', 'vni', 'cp1258', 'mojibake-utf8', 'cp1252', 'nfd', ...
    warning: str | None  # what was converted; None for text that was already clean Unicode


_TCVN3_WARNING = "legacy encoding TCVN3 converted to Unicode"
_VNI_WARNING = "legacy encoding VNI converted to Unicode"
_CP1258_WARNING = "legacy encoding Windows-1258 converted to Unicode"
_MOJIBAKE_WARNING = "UTF-8 mojibake (UTF-8 read as Windows-1252/Latin-1) repaired"
_LATIN1_WARNING = "Windows-1252 text read as Latin-1 repaired"
_CP1252_WARNING = "not UTF-8; decoded as Windows-1252"
_NFD_WARNING = "decomposed Unicode (NFD) composed to NFC"


# --- tables -------------------------------------------------------------------------------------------------------


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # the five undefined positions stay Latin-1
        return chr(byte)


# Byte -> char for Windows-1252, total over 0..255. TCVN3 and VNI files are Windows code-page text at heart: whatever
# their tables do not claim (smart quotes, dashes) is cp1252.
_CP1252 = "".join(_cp1252_char(byte) for byte in range(256))
# C1 controls (cp1252 read as Latin-1) -> the cp1252 characters they stand for.
_C1_TO_CP1252 = {byte: _CP1252[byte] for byte in range(0x80, 0xA0) if _CP1252[byte] != chr(byte)}
_ASCII = {code: code for code in range(0x80)}

_TCVN3_LETTERS = {row["unicode"]: int(row["byte"], 16) for row in load_tsv("vi", "legacy_tcvn3.tsv")}
_TCVN3_DECODING = "".join(
    {byte: letter for letter, byte in _TCVN3_LETTERS.items()}.get(byte, _CP1252[byte]) for byte in range(256)
)
# TCVN3 bytes already decoded as cp1252 or Latin-1 -> Unicode.
_TCVN3_REPAIR = _C1_TO_CP1252 | {ord(_CP1252[byte]): letter for letter, byte in _TCVN3_LETTERS.items()}
_TCVN3_ENCODING = (
    _ASCII
    | {ord(_CP1252[byte]): byte for byte in range(0x80, 0xA1)}
    | {ord(letter): byte for letter, byte in _TCVN3_LETTERS.items()}
)
_TCVN3_LOWER = "".join(letter for letter in _TCVN3_LETTERS if letter.islower())
# A word of capitals and TCVN3 lowercase letters only: all-caps text typed in an uppercase font (.VnTimeH), where
# the encoding has only lowercase codes for toned vowels ("NéI" -> "NộI" -> "NỘI").
_TCVN3_CAPS_WORD = re.compile(rf"(?<!\w)[A-ZĂÂÊÔƠƯĐ{_TCVN3_LOWER}]+(?!\w)")

_VNI_LETTERS = {row["unicode"]: bytes.fromhex(row["bytes"]) for row in load_tsv("vi", "legacy_vni.tsv")}
_VNI_ENCODING = (
    _ASCII
    | {ord(_CP1252[byte]): byte for byte in range(0x80, 0xC0)}
    | {ord(letter): sequence for letter, sequence in _VNI_LETTERS.items()}
)


def _vni_repair_map() -> dict[int, str]:
    """VNI chars (as cp1252) -> Unicode: single-byte letters map to themselves, modifier bytes to combining marks.

    Derived from the table: in "aá" -> "ấ" the modifier 'á' stands for NFD("ấ") minus NFD("a"). After
    `translate`, NFC composes base and marks, so "Vieät" -> "Vie" + U+0323 U+0302 + "t" -> "Việt".
    """
    singles = {chars: letter for letter, seq in _VNI_LETTERS.items() if len(chars := seq.decode("cp1252")) == 1}
    modifiers: dict[str, str] = {}
    for letter, seq in _VNI_LETTERS.items():
        chars = seq.decode("cp1252")
        if len(chars) != 2:
            continue
        base, modifier = singles.get(chars[0], chars[0]), chars[1]
        marks = unicodedata.normalize("NFD", letter)[len(unicodedata.normalize("NFD", base)) :]
        if modifiers.setdefault(modifier, marks) != marks:
            raise ValueError(f"legacy_vni.tsv: modifier {modifier!r} has two meanings")
    return _C1_TO_CP1252 | {ord(chars): value for chars, value in (singles | modifiers).items()}


_VNI_REPAIR = _vni_repair_map()


# --- conversions --------------------------------------------------------------------------------------------------


def _restore_tcvn3_capitals(text: str) -> str:
    def upper(match: re.Match) -> str:
        word = match.group()
        return word.upper() if sum(char.isupper() for char in word) >= 2 else word

    return _TCVN3_CAPS_WORD.sub(upper, text)


def _tcvn3_from_bytes(data: bytes) -> str:
    return nfc(_restore_tcvn3_capitals(codecs.charmap_decode(data, "strict", _TCVN3_DECODING)[0]))


class _Replacer:
    """`text.translate(table)` for a table of characters to strings, done by replacing only the characters present
    (a text repaired here holds few of them, and translate looks every character up)."""

    def __init__(self, table: dict[int, str]) -> None:
        self._table = {chr(code): value for code, value in table.items()}
        self._keys = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(table)) + "]")

    def __call__(self, text: str) -> str:
        table = self._table
        return self._keys.sub(lambda match: table[match.group()], text)


_TCVN3_REPLACE = _Replacer(_TCVN3_REPAIR)
_VNI_REPLACE = _Replacer(_VNI_REPAIR)


def _tcvn3_from_text(text: str) -> str:
    return nfc(_restore_tcvn3_capitals(_TCVN3_REPLACE(text)))  # text.translate(_TCVN3_REPAIR)


def _vni_from_text(text: str) -> str:
    return nfc(_VNI_REPLACE(text))  # text.translate(_VNI_REPAIR)


def _vni_from_bytes(data: bytes) -> str:
    return _vni_from_text(codecs.charmap_decode(data, "strict", _CP1252)[0])


def _cp1258_from_bytes(data: bytes) -> str:
    return nfc(data.decode("cp1258", errors="replace"))


def encode_legacy(text: str, encoding: str) -> bytes:
    """Unicode -> TCVN3 or VNI bytes ('tcvn3' | 'vni'); raises UnicodeEncodeError for characters the encoding lacks
    (TCVN3 has no uppercase toned vowels)."""
    mapping = {"tcvn3": _TCVN3_ENCODING, "vni": _VNI_ENCODING}.get(encoding)
    if mapping is None:
        raise ValueError(f"unknown legacy encoding {encoding!r}; expected 'tcvn3' or 'vni'")
    text = nfc(text)
    try:
        return codecs.charmap_encode(text, "strict", mapping)[0]
    except UnicodeEncodeError as error:
        raise UnicodeEncodeError(encoding, text, error.start, error.end, f"no {encoding} code for this character")


# --- scoring ------------------------------------------------------------------------------------------------------

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
# Stricter than `normalize.is_syllable`: only the vowel nuclei Vietnamese has, so that wrong conversions ("Haư",
# "Vieọt") do not pass as syllables.
_NUCLEI = (
    "iêu oai oay oao oeo uây uôi uya uyê uyu ươi ươu yêu "
    "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi oo ôi ơi ua uâ uê ui uô uơ uy ưa ưi ưu ươ yê "
    "a ă â e ê i o ô ơ u ư y"
).split()
_SYLLABLE = re.compile(
    rf"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?(?:{'|'.join(_NUCLEI)})(?:ch|ng|nh|[cmnpt])?"
)
# Stripped from token ends before scoring; not « » ¨ © ª ¬ ® and the like, which are TCVN3 letters.
_PUNCTUATION = string.punctuation + "“”‘’„‚‹›…–—•"
_SAMPLE_WINDOW = 20_000


class _Score(NamedTuple):
    syllables: int  # Vietnamese syllables
    others: int  # other words, malformed ones included
    malformed: int  # not a word at all: symbols inside, or "ViÖt"-style mixed case


@lru_cache(maxsize=1 << 16)
def _word_kind(word: str) -> int:
    """0: Vietnamese syllable, 1: other word, 2: malformed."""
    if not word.isalpha() or not (word.islower() or word.isupper() or word.istitle()):
        return 2
    decomposed = unicodedata.normalize("NFD", word.lower())
    bare = "".join(char for char in decomposed if char not in _TONE_MARKS)
    syllable = len(decomposed) - len(bare) <= 1 and _SYLLABLE.fullmatch(unicodedata.normalize("NFC", bare))
    return 0 if syllable else 1


def _score(text: str) -> _Score:
    """Counts over the distinct whitespace-separated words of two or more characters that are not pure ASCII.

    Distinct, so that one repeated word ("µm" -> "àm") is not evidence; two characters, so that lone symbols
    ("©", "·", "»", which are TCVN3 letters) are not either.
    """
    counts = [0, 0, 0]
    for word in {token.strip(_PUNCTUATION) for token in text.split() if not token.isascii()}:
        if len(word) > 1 and not word.isascii():
            counts[_word_kind(word)] += 1
    return _Score(counts[0], counts[1] + counts[2], counts[2])


def _net(score: _Score) -> int:
    return score.syllables - score.others


def _convincing(before: _Score, after: _Score) -> bool:
    """A conversion is kept when most words become syllables, clearly more than before, and there is enough
    evidence: two syllables, or malformed words repaired ("ViÖt Nam")."""
    words = after.syllables + after.others
    evidence = after.syllables >= 2 or (after.syllables and after.malformed < before.malformed)
    return bool(evidence) and after.syllables >= 0.7 * words and _net(after) - _net(before) >= max(2, 0.3 * words)


def _sample(data, space):
    """Start, middle and end of a long str/bytes, cut at spaces, so scoring costs the same for any size."""
    if len(data) <= 3 * _SAMPLE_WINDOW:
        return data
    parts = []
    for start in (0, (len(data) - _SAMPLE_WINDOW) // 2, len(data) - _SAMPLE_WINDOW):
        end = start + _SAMPLE_WINDOW
        found = data.find(space, start, end) if start else -1
        begin = found + 1 if found >= 0 else start
        cut = data.rfind(space, begin, end)
        parts.append(data[begin : cut if cut > begin else end])
    return space.join(parts)


class _Option(NamedTuple):
    encoding: str
    warning: str
    convert: Callable
    trusted: bool = False  # ftfy's own fix: kept unless it lowers the score


def _best(sample, baseline: _Score, options: list[_Option]) -> _Option | None:
    """The accepted option with the most net syllables on the sample; earlier options win ties."""
    best, best_net = None, 0
    for option in options:
        score = _score(option.convert(sample))
        accepted = _net(score) >= _net(baseline) if option.trusted else _convincing(baseline, score)
        if accepted and (best is None or _net(score) > best_net):
            best, best_net = option, _net(score)
    return best


# --- repair of str ------------------------------------------------------------------------------------------------


def _chunks(text: str, size: int = 1 << 16):
    """Pieces of about `size` characters, cut after a newline."""
    start = 0
    while start < len(text):
        cut = text.find("\n", start + size)
        end = len(text) if cut < 0 else cut + 1
        yield text[start:end]
        start = end


# Whole-text mojibake fixes: they either fit (the text re-encodes to valid UTF-8) or raise.
_UTF8_PLANS = (
    [("encode", "sloppy-windows-1252"), ("decode", "utf-8")],
    [("encode", "latin-1"), ("decode", "utf-8")],
)
# A UTF-8 lead byte followed by a continuation byte, both read as cp1252 or Latin-1 ("Ã©", "á»"): text without
# one holds no mojibake.
_MOJIBAKE_HINT = re.compile(
    f"[{re.escape(_CP1252[0xC2:0xF5])}][{re.escape(_CP1252[0x80:0xC0] + ''.join(map(chr, range(0x80, 0xA0))))}]"
)


def _fix_piece(piece: str, plans, by_line: bool) -> str:
    """The first plan that fits; else, if mojibake is left, line by line, and for a single line ftfy's search."""
    for plan in plans:
        try:
            return ftfy.apply_plan(piece, plan)
        except UnicodeError:
            continue
    if not _MOJIBAKE_HINT.search(piece):
        return piece
    if by_line:
        return "".join(_fix_piece(line, plans, by_line=False) for line in piece.splitlines(keepends=True))
    return ftfy.fix_encoding(piece)


def _ftfy_option(sample: str) -> _Option | None:
    """ftfy's fix for the sample, to be applied to the whole text; None when ftfy finds nothing to fix."""
    explained = ftfy.fix_encoding_and_explain(sample)
    if explained.text == sample or not explained.explanation:
        return None
    plan = explained.explanation
    via_utf8 = any(
        step == ("apply", "decode_inconsistent_utf8") or (step[0] == "decode" and step[1].startswith("utf-8"))
        for step in plan
    )
    # Plans that fit or raise are fast and are tried on chunks of the text; ftfy's search (and its 'apply' steps,
    # which never raise) runs only where none fits and mojibake is left.
    plans = (_UTF8_PLANS if via_utf8 else ()) + (() if any(step[0] == "apply" for step in plan) else (plan,))

    def convert(text: str) -> str:
        return nfc("".join(_fix_piece(chunk, plans, by_line=True) for chunk in _chunks(text)))

    if via_utf8:
        return _Option("mojibake-utf8", _MOJIBAKE_WARNING, convert, trusted=True)
    return _Option("cp1252", _LATIN1_WARNING, convert, trusted=True)


def _vietnamese_alphabet() -> str:
    letters = {"đ", "Đ"}
    for vowel in "aăâeêioôơuưy":
        for tone in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"):
            composed = unicodedata.normalize("NFC", vowel + tone)
            letters.update({composed, composed.upper()})
    return "".join(sorted(letters))


# Text made only of ASCII, Vietnamese letters and common typography is already Unicode: legacy text read with the
# wrong codec always shows characters outside this set ("¸", "µ" of TCVN3, "ä" of VNI, "Ã" of mojibake).
_PLAIN_VIETNAMESE = re.compile(f"[\\x00-\\x7f{_vietnamese_alphabet()}\u00a0\u2013\u2014\u2018\u2019\u201c\u201d"
                               f"\u2026\u2022\u00b0\u00ab\u00bb\u00b7]*")


def repair_text(text: str) -> Decoded:
    """A str that may hold Vietnamese read with the wrong codec (TCVN3 or VNI bytes read as cp1252/Latin-1, UTF-8
    mojibake, NFD) -> fixed NFC text. Encoding 'unicode' and warning None when nothing was changed."""
    if text.isascii():
        return Decoded(text, "unicode", None)
    composed = nfc(text)
    if _PLAIN_VIETNAMESE.fullmatch(composed):
        return Decoded(composed, "nfd", _NFD_WARNING) if composed != text else Decoded(text, "unicode", None)
    sample = _sample(composed, " ")
    options = [_Option("tcvn3", _TCVN3_WARNING, _tcvn3_from_text), _Option("vni", _VNI_WARNING, _vni_from_text)]
    if (ftfy_option := _ftfy_option(sample)) is not None:
        options.insert(0, ftfy_option)
    best = _best(sample, _score(sample), options)
    if best is not None:
        return Decoded(best.convert(composed), best.encoding, best.warning)
    if composed != text:
        return Decoded(composed, "nfd", _NFD_WARNING)
    return Decoded(text, "unicode", None)


# --- bytes --------------------------------------------------------------------------------------------------------

_CONTROL_BYTES = bytes(code for code in range(32) if chr(code) not in "\t\n\r\f\v\x1a\x1b") + b"\x7f"
_BINARY = "binary data, not text"
_UNREADABLE = "not UTF-8, and no legacy encoding gives readable text"


def _looks_like_text(text: str) -> bool:
    """Words of ordinary length: random bytes read as cp1252 have a space only every hundred characters or so."""
    return len(text) < 64 or len(text.split()) * 30 >= len(text)


def _decode_legacy(data: bytes) -> Decoded:
    sample = _sample(data, b" ")
    options = [
        _Option("cp1258", _CP1258_WARNING, _cp1258_from_bytes),
        _Option("tcvn3", _TCVN3_WARNING, _tcvn3_from_bytes),
        _Option("vni", _VNI_WARNING, _vni_from_bytes),
    ]
    baseline = _score(nfc(codecs.charmap_decode(sample, "strict", _CP1252)[0]))
    best = _best(sample, baseline, options)
    if best is not None:
        encoding, warning, text = best.encoding, best.warning, best.convert(data)
    else:
        encoding, warning, text = "cp1252", _CP1252_WARNING, nfc(codecs.charmap_decode(data, "strict", _CP1252)[0])
    if not _looks_like_text(_sample(text, " ")):
        raise UnreadableText(_UNREADABLE)
    return Decoded(text, encoding, warning)


def decode_bytes(data: bytes) -> Decoded:
    """Bytes of a file -> Unicode NFC. UTF-8 (with or without BOM) or UTF-16 with BOM first, then repaired if it
    holds legacy or mojibake text; otherwise TCVN3 / VNI / Windows-1258 / Windows-1252 by scoring. Raises
    UnreadableText for binary data or bytes no encoding turns into plausible text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise UnreadableText("UTF-16 byte-order mark, but not valid UTF-16") from None
        if "\0" in text:
            raise UnreadableText(_BINARY)
    else:
        sample = _sample(data, b" ")
        if b"\0" in data or sum(sample.count(byte) for byte in _CONTROL_BYTES) > 0.05 * len(sample):
            raise UnreadableText(_BINARY)
        encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            return _decode_legacy(data)
    repaired = repair_text(text)
    if repaired.encoding == "unicode":
        return Decoded(repaired.text, encoding, None)
    if repaired.encoding == "nfd":
        return Decoded(repaired.text, encoding, repaired.warning)
    return repaired
