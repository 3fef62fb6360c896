"""Character-level normalisation of Vietnamese text: NFC, one tone-mark convention, censorship dots.

Every step here maps text to text without changing line structure, so it can run before offsets are
assigned. `fold()` is the comparison key used wherever two surface forms must compare equal (gazetteer
look-ups, evaluation against gold).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import regex
from regex import _regex as regex_engine

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


def case_equivalents(letter: str) -> set[str] | None:
    """The characters a case-insensitive `regex` pattern equates with `letter` (itself included), from the engine's
    own case table (what its compiler uses); None if this version of `regex` does not expose it.

    Fast paths that find a case-insensitive word by lower-casing the text need this: a character equated with a
    letter whose lower case is another (the long s for "s", the dotted capital I for "i") defeats them."""
    get_all_cases = getattr(regex_engine, "get_all_cases", None)
    if get_all_cases is None:
        return None
    try:
        return {chr(code) for code in get_all_cases(regex.IGNORECASE, ord(letter))} | {letter}
    except Exception:  # noqa: BLE001 - an internal API: any surprise means "take the slow path"
        return None


def lowercase_unsafe(words: Iterable[str]) -> tuple[str, ...] | None:
    """Characters that IGNORECASE equates with a letter of `words` but that do not lower-case to that letter's lower
    case: a text without them matches a word case-insensitively only where `text.lower()` (when it keeps the
    length) holds the lower-cased word. None when that cannot be known (or a word changes length lower-cased)."""
    unsafe: set[str] = set()
    for word in words:
        if len(word.lower()) != len(word):
            return None
        for letter in word:
            equivalents = case_equivalents(letter)
            if equivalents is None:
                return None
            unsafe.update(char for char in equivalents if _lowered(char) != _lowered(letter))
    return tuple(sorted(unsafe))


def _lowered(char: str) -> tuple[str, str]:
    """A character lower-cased alone and after a letter (where "Σ" lowers to a final "ς" when text is lowered)."""
    return char.lower(), ("a" + char).lower()[1:]


def _strip_tones(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if ch not in _TONES)


def _toned(letters: str) -> str:
    return "".join(unicodedata.normalize("NFC", ch + tone) for ch in letters for tone in _TONES)


# The old placement in NFC: o/u followed by a toned a, e or y that ends the word ("hoà", "thuỷ"; not "toàn",
# "hoạt", "quý"). In NFC text these are exactly the places _OLD_TONE_PLACEMENT matches in the NFD text: a bare
# o/u and a toned vowel are their own NFC, only q/Q decomposes to q/Q, and (checked over every code point) a
# character is a letter or mark exactly when its NFD starts with one, and no other NFD starts with a combining
# mark, so the lookarounds agree and canonical reordering never reaches across. Each match is rewritten in place,
# ("oà" -> "òa"), which is what decomposing, moving the mark and recomposing gives, without the NFD round trip.
_OLD_TONE_HINT = regex.compile(f"[oOuU][{_toned('aAeEyY')}](?![\\p{{L}}\\p{{M}}])(?<![qQ]..)")


def _modern_placement(pair: str) -> str:
    vowel, tone = unicodedata.normalize("NFD", pair[1])
    return unicodedata.normalize("NFC", pair[0] + tone) + vowel


_MODERN = {first + toned: _modern_placement(first + toned) for first in "oOuU" for toned in _toned("aAeEyY")}


def normalize_tone_placement(text: str) -> str:
    """Move tone marks of open oa/oe/uy syllables onto the first vowel ("hoà" -> "hòa"); returns NFC."""
    text = unicodedata.normalize("NFC", text)
    if not _OLD_TONE_HINT.search(text):
        return text
    return _OLD_TONE_HINT.sub(lambda m: _MODERN[m.group()], text)


def is_syllable(word: str) -> bool:
    """Whether the word has the shape of one Vietnamese syllable (onset, vowels, coda; tones ignored)."""
    base = unicodedata.normalize("NFC", _strip_tones(word.lower()))
    return bool(_SYLLABLE.match(base))


# Every _DOTTED_WORD match holds a dot followed by a lowercase letter or mark, and lies inside a run of letters,
# marks and dots: no space or line break is part of a match, and one before or after it satisfies the lookarounds
# just as the start or end of the text does. So the pattern only runs on the space-delimited pieces around these.
_DOT_HINT = regex.compile(r"\.[\p{Ll}\p{M}]")


def _join_dotted(match: regex.Match) -> str:
    word = match.group(1)
    joined = word.replace(".", "")
    return joined if is_syllable(joined) else word


def remove_censorship_dots(text: str) -> str:
    """Join words split by evasion dots ("đán.h giá" -> "đánh giá") when the result is one Vietnamese syllable."""
    hint = _DOT_HINT.search(text)
    if hint is None:
        return text
    parts: list[str] = []
    done = 0  # text[:done] is in parts
    while hint is not None:  # each stretch of text is scanned once: linear
        dot = hint.start()
        start = max(done, text.rfind(" ", done, dot) + 1)
        start = max(start, text.rfind("\n", start, dot) + 1)
        if len(parts) >= 64:  # dotted words everywhere: one pass over the rest is cheaper than piece by piece
            parts.append(text[done:start])
            parts.append(_DOTTED_WORD.sub(_join_dotted, text[start:]))
            return "".join(parts)
        end = text.find(" ", dot)
        end = len(text) if end < 0 else end
        newline = text.find("\n", dot, end)
        end = end if newline < 0 else newline
        parts.append(text[done:start])
        parts.append(_DOTTED_WORD.sub(_join_dotted, text[start:end]))
        done = end
        hint = _DOT_HINT.search(text, end)
    parts.append(text[done:])
    return "".join(parts)


def normalize(text: str) -> str:
    """NFC, modern tone placement and censorship dots removed: the form the clean text is kept in."""
    return normalize_tone_placement(remove_censorship_dots(nfc(text)))  # dots first: "ho.à" joins into "hoà"


def fold(text: str) -> str:
    """Comparison key: normalised, case-folded, whitespace collapsed, typographic dashes unified."""
    folded = normalize(text).casefold()
    folded = folded.replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(folded.split())
