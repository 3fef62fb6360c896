"""Character-level normalisation of Vietnamese text: NFC, one tone-mark convention, censorship dots.

Every step here maps text to text without changing line structure, so it can run before offsets are
assigned. `fold()` is the comparison key used wherever two surface forms must compare equal (gazetteer
look-ups, evaluation against gold).
"""

from __future__ import annotations

import unicodedata

import regex

# Combining tone marks (grave, acute, hook above, tilde, dot below) in NFD.
_TONES = "\u0300\u0301\u0309\u0303\u0323"

# "hoà" / "thuỷ" / "khoẻ" (tone on the second vowel of an open oa/oe/uy syllable) are rewritten to the
# modern placement "hòa" / "thủy" / "khỏe". Not after q ("quý", "quà" are already right) and only
# when no consonant or vowel follows inside the word ("hoàng", "thuyền" keep theirs).
_OLD_TONE_PLACEMENT = regex.compile(rf"(?<![qQ])([oOuU])([aAeEyY])([{_TONES}])(?![\p{{L}}\p{{M}}])")

# Censorship-evasion dots: "đán.h", "Ch.ỉ", "dọ.a". A dot followed by lowercase letters inside one word.
# Candidates are checked against the Vietnamese syllable shape before the dots are dropped, so "vnexpress.net",
# "U.S.", "D.C", "6.2021" and decimals are left alone.
_DOTTED_WORD = regex.compile(
    r"(?<![\p{L}\p{M}\d./@:])(\p{L}[\p{Ll}\p{M}]*(?:\.[\p{Ll}\p{M}]+)+)(?![\p{L}\p{M}\d/@]|\.[\p{L}\d])")
_SYLLABLE = regex.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"[aăâeêioôơuưy]{1,3}"
    r"(?:ch|ng|nh|[cmnpt])?$"
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _strip_tones(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if ch not in _TONES)


def _toned(letters: str) -> str:
    return "".join(unicodedata.normalize("NFC", ch + tone) for ch in letters for tone in _TONES)


# The old placement in NFC: o/u followed by a toned a, e or y. Only text containing it is decomposed and rewritten.
_OLD_TONE_HINT = regex.compile(f"(?<![qQ])[oOuU][{_toned('aAeEyY')}]")


def normalize_tone_placement(text: str) -> str:
    """Move tone marks of open oa/oe/uy syllables onto the first vowel ("hoà" -> "hòa"); returns NFC."""
    text = unicodedata.normalize("NFC", text)
    if not _OLD_TONE_HINT.search(text):
        return text
    decomposed = unicodedata.normalize("NFD", text)
    fixed = _OLD_TONE_PLACEMENT.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    return unicodedata.normalize("NFC", fixed)


def is_syllable(word: str) -> bool:
    """Whether the word has the shape of one Vietnamese syllable (onset, vowels, coda; tones ignored)."""
    base = unicodedata.normalize("NFC", _strip_tones(word.lower()))
    return bool(_SYLLABLE.match(base))


def remove_censorship_dots(text: str) -> str:
    """Join words split by evasion dots ("đán.h giá" -> "đánh giá") when the result is one Vietnamese syllable."""

    def join(match: regex.Match) -> str:
        word = match.group(1)
        joined = word.replace(".", "")
        return joined if is_syllable(joined) else word

    return _DOTTED_WORD.sub(join, text)


def normalize(text: str) -> str:
    """NFC, modern tone placement and censorship dots removed: the form the clean text is kept in."""
    return normalize_tone_placement(remove_censorship_dots(nfc(text)))  # dots first: "ho.à" joins into "hoà"


def fold(text: str) -> str:
    """Comparison key: normalised, case-folded, whitespace collapsed, typographic dashes unified."""
    folded = normalize(text).casefold()
    folded = folded.replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(folded.split())
