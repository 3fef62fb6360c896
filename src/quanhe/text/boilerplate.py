"""Line-level page furniture: what to drop, where the related-news list starts, bylines and captions.

The patterns live in `lexicons/<lang>/boilerplate.yaml`; this module only compiles and applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from quanhe.lexicons import load_yaml

# An inline image: a data URI (base64, or a quoted reference), an <img>/<image> element, alt text anywhere on
# its line ("<image>data:image/png;base64,… alt="…"</image>" as scraped from Tuổi Trẻ).
DATA_URI = regex.compile(r'data:image/[\w.+-]{1,20}(?:;[\w=.+-]{1,40})*,(?:"[^"\s]{0,100000}"|[A-Za-z0-9+/=%_-]*)')
IMAGE_LINE = regex.compile(r"^\s*(?:<(?:[\w-]+:)?(?:image|img)\b|data:image/)", regex.I)
ALT_TEXT = regex.compile(r'alt="([^"]{0,1000})"', regex.I)
MAX_FURNITURE_CHARS = 300  # bylines, captions, widgets and list markers are short lines; longer ones are text
IMAGE_NUMBER = regex.compile(r"\s*-\s*Ảnh \d+\.?\s*", regex.I)


@dataclass(frozen=True)
class Rules:
    drop: regex.Pattern
    cut_from: regex.Pattern
    byline: regex.Pattern
    caption: regex.Pattern
    abbreviations: frozenset[str]


def _alternation(patterns: list[str]) -> regex.Pattern:
    pattern = regex.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)", regex.I)
    parts = _parts(patterns)
    if parts is not None:
        _PARTS[pattern] = parts
    return pattern


class _AnyOf:
    """The alternation of whole-line patterns matched part by part: a line matches the alternation exactly when it
    matches one of its branches, and `regex` is much faster on a branch that starts with `.*` alone (it finds the
    literal the branch requires before backtracking) than inside a large alternation (3-5x on captions)."""

    def __init__(self, parts: list[regex.Pattern]) -> None:
        self.parts = tuple(parts)

    def fullmatch(self, line: str) -> regex.Match | None:
        for part in self.parts:
            found = part.fullmatch(line)
            if found is not None:
                return found
        return None


# Numbered back-references and global inline flags mean different things once the branches are apart.
_NOT_SEPARABLE = regex.compile(r"\\[1-9]|\\g<|\(\?P=|\(\?[a-zA-Z0-9-]+\)")
_PARTS: dict[regex.Pattern, _AnyOf] = {}


def _parts(patterns: list[str]) -> _AnyOf | None:
    """Branches that start with a letter stay one alternation (literal words: `regex` does well on those); every
    other branch is compiled alone."""
    if not patterns or any(_NOT_SEPARABLE.search(p) for p in patterns):
        return None
    words = [p for p in patterns if p[:1].isalpha()]
    parts = [regex.compile("|".join(f"(?:{p})" for p in words), regex.I)] if words else []
    parts += [regex.compile(f"(?:{p})", regex.I) for p in patterns if not p[:1].isalpha()]
    return _AnyOf(parts)


@cache
def rules(lang: str = "vi") -> Rules:
    data = load_yaml(lang, "boilerplate.yaml")
    return Rules(
        drop=_alternation(data.get("drop", [])),
        cut_from=_alternation(data.get("cut_from", [])),
        byline=_alternation(data.get("byline", [])),
        caption=_alternation(data.get("caption", [])),
        abbreviations=frozenset(a.casefold() for a in data.get("abbreviations", [])),
    )


def image_alt_text(line: str) -> str | None:
    """The alt text of an inline image line, with the "- Ảnh 1." numbering and its repetition removed."""
    match = ALT_TEXT.search(line)
    if not match:
        return None
    parts = [p.strip() for p in IMAGE_NUMBER.split(match.group(1)) if p.strip()]
    unique = list(dict.fromkeys(parts))
    return " ".join(unique) or None


def is_image_line(line: str) -> bool:
    # IMAGE_LINE can only match where the first non-space character is "<" or "d" (the pattern checks the rest)
    return line.lstrip()[:1] in ("<", "d", "D") and bool(IMAGE_LINE.match(line))


def strip_inline_images(text: str) -> str:
    return DATA_URI.sub("", text) if "data:image/" in text else text  # every data URI starts so (case matters)


def matches(pattern: regex.Pattern, line: str) -> bool:
    """Whether a short line is wholly this furniture (long lines never are, which also keeps matching linear)."""
    return len(line) <= MAX_FURNITURE_CHARS and (_PARTS.get(pattern) or pattern).fullmatch(line) is not None
