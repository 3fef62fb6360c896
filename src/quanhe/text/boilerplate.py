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
    return regex.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)", regex.I)


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
    return bool(IMAGE_LINE.match(line))


def strip_inline_images(text: str) -> str:
    return DATA_URI.sub("", text)


def matches(pattern: regex.Pattern, line: str) -> bool:
    """Whether a short line is wholly this furniture (long lines never are, which also keeps matching linear)."""
    return len(line) <= MAX_FURNITURE_CHARS and pattern.fullmatch(line) is not None
