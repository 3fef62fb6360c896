"""The cleaning stage: raw article text in, clean text with line roles out.

Order matters and mirrors trafilatura's cascade of cheap checks: repair the encoding, normalise characters,
remove inline images, then classify each line (drop, byline, caption, title, body) and cut the trailing
related-news list. The raw text is never modified; the clean text is what every offset points into.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from quanhe.text import boilerplate
from quanhe.ingest.encoding import repair_text
from quanhe.text.normalize import normalize

_TERMINAL = regex.compile(r"[.!?…:;]['\"”’)]*$")  # what _ends_like_sentence decides without a scan
_TERMINALS = tuple(".!?…:;")
_CLOSERS = "'\"”’)"
_NAME_ONLY = regex.compile(r"\p{Lu}[\p{Ll}\p{M}]*(?: \p{Lu}[\p{Ll}\p{M}]*){0,3}")
MAX_TITLE_CHARS = 250
MAX_HEADING_WORDS = 25


@dataclass
class Line:
    start: int
    end: int
    role: str  # title | heading | body | caption


@dataclass
class CleanText:
    text: str
    lines: list[Line]
    title: str | None
    authors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    related_cut: int = 0  # lines removed as the trailing related-news list


def _ends_like_sentence(line: str) -> bool:
    """`_TERMINAL.search(line)`: a terminal mark, then only closing marks, then the end (`$` also matches before a
    final line break)."""
    body = line[:-1] if line.endswith("\n") else line
    return body.rstrip(_CLOSERS).endswith(_TERMINALS)


def _looks_like_headline(line: str) -> bool:
    return len(line) <= MAX_TITLE_CHARS and not _ends_like_sentence(line) and len(line.split()) >= 3


def _related_list_start(lines: list[str], rules: boilerplate.Rules) -> int | None:
    """Index where the trailing related-news list starts: a marker line, or headline/byline/teaser blocks.

    Without a marker, two or more "headline, `Name |`, teaser" triples late in the article are a list of
    other stories; the list starts at the first of those headlines.
    """
    for i, line in enumerate(lines):
        if i > 0 and boilerplate.matches(rules.cut_from, line):
            return i
    bylines = [i for i, line in enumerate(lines) if i >= 3 and "|" in line and boilerplate.matches(rules.byline, line)]
    if len(bylines) >= 2:
        return max(bylines[0] - 1, 1)
    return None


def clean(raw: str, lang: str = "vi", title: str | None = None) -> CleanText:
    """Clean one article's raw text; `title` is a headline known from metadata (HTML, JSONL)."""
    rules = boilerplate.rules(lang)
    repaired = repair_text(raw)
    warnings = [repaired.warning] if repaired.warning else []
    text = normalize(repaired.text)

    raw_lines = [line.strip() for line in text.splitlines()]
    image_title = None
    lines: list[str] = []
    for line in raw_lines:
        if boilerplate.is_image_line(line):
            image_title = image_title or boilerplate.image_alt_text(line)
            continue
        line = " ".join(boilerplate.strip_inline_images(line).split())
        if not line or boilerplate.matches(rules.drop, line):
            continue
        if lines and line == lines[-1]:  # the same caption or paragraph twice in a row
            continue
        lines.append(line)

    related_cut = 0
    cut = _related_list_start(lines, rules)
    if cut is not None:
        related_cut = len(lines) - cut
        lines = lines[:cut]

    authors: list[str] = []
    kept: list[str] = []
    for i, line in enumerate(lines):
        is_last = i == len(lines) - 1
        if boilerplate.matches(rules.byline, line) or (is_last and i > 0 and _NAME_ONLY.fullmatch(line)):
            authors.append(line.rstrip("| ").strip())
            continue
        kept.append(line)

    title = " ".join(normalize(title).split()) or None if title else None  # a title is one line
    first_is_headline = bool(kept) and _looks_like_headline(kept[0]) and not boilerplate.matches(rules.caption, kept[0])
    if title is None and first_is_headline:
        title = kept[0]
    elif title is None and image_title:  # the headline survives only as the lead image's alt text
        title = image_title
    if title and (not kept or kept[0] != title):
        kept.insert(0, title)

    out_lines: list[Line] = []
    offset = 0
    for i, line in enumerate(kept):
        if i == 0 and title is not None and line == title:
            role = "title"
        elif boilerplate.matches(rules.caption, line):
            role = "caption"
        elif i > 0 and _looks_like_headline(line) and len(line.split()) <= MAX_HEADING_WORDS:
            role = "heading"  # a subheading or an embedded story's headline
        else:
            role = "body"
        out_lines.append(Line(offset, offset + len(line), role))
        offset += len(line) + 1
    return CleanText("\n".join(kept), out_lines, title, list(dict.fromkeys(authors)), warnings, related_cut)
