"""Sentence splitting that respects quotes, abbreviations, dates and numbers.

Each line of the clean text is a paragraph and never shares a sentence with another. Inside a line, a
sentence ends at . ! ? … followed by space and a capital, digit or opening quote, but not inside a quotation
(“…” or "…"), so a multi-sentence quote and its attribution stay one unit, and not after an abbreviation
("TP.HCM", "ThS.", "U.S."). "6.2021", "27-2" and "3.5" never end a sentence since no space follows the dot.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

import regex

from quanhe.model import Sentence
from quanhe.text.boilerplate import rules
from quanhe.text.clean import Line

_BOUNDARY = regex.compile(r"(?<![.!?…])[.!?…]++(?P<close>['\"”’)\]]*+)(?P<space>\s+)(?=[\p{Lu}\d“\"'‘(\[])")  # run start, possessive: linear
_WORD_BEFORE = regex.compile(r"([\p{L}\p{M}.]+)\.$")
MAX_QUOTE_CHARS = 1500
ABBREVIATION_WINDOW = 40  # characters looked back for the word before a full stop  # an opening mark with no close within this many characters is treated as stray


OPENING_QUOTES = "“\"„«"
CLOSING_QUOTES = "”\"»"


_QUOTE_MARK = regex.compile("[" + regex.escape(OPENING_QUOTES + CLOSING_QUOTES) + "]")


def quoted_spans(line: str) -> list[tuple[int, int]]:
    """Spans inside quotation marks (start after the opening mark, end before the closing one).

    Curly and straight marks pair with each other, since sites mix them ("…” is common); an opening mark with no
    closing one within MAX_QUOTE_CHARS is stray and opens nothing. Only the marks are visited, so this is linear.
    """
    marks = [(m.start(), m.group()) for m in _QUOTE_MARK.finditer(line)]
    next_close: list[int | None] = [None] * (len(marks) + 1)  # index of the first closing mark after each mark
    for j in range(len(marks) - 1, -1, -1):
        next_close[j] = j if marks[j][1] in CLOSING_QUOTES else next_close[j + 1]
    spans = []
    i = 0
    while i < len(marks):
        start, mark = marks[i]
        if mark in OPENING_QUOTES:
            close = next_close[i + 1]
            if close is not None and marks[close][0] - start <= MAX_QUOTE_CHARS:
                spans.append((start + 1, marks[close][0]))
                i = close + 1
                continue
        i += 1
    return spans


def _is_abbreviation(word: str, abbreviations: frozenset[str]) -> bool:
    """"TP.HCM", "ThS", "PGS.TS" (compound titles: the last part decides) or an initial ("George W. Bush")."""
    last = word.rstrip(".").split(".")[-1]
    return word.casefold() in abbreviations or last.casefold() in abbreviations or (len(last) == 1 and last.isupper())


def _split_line(line: str, abbreviations: frozenset[str]) -> list[tuple[int, int]]:
    quotes = sorted(quoted_spans(line))
    quote_starts = [q_start for q_start, _ in quotes]
    reach = list(accumulate((q_end for _, q_end in quotes), max))  # the furthest end among the quotes so far
    spans = []
    start = 0
    for match in _BOUNDARY.finditer(line):
        end = match.start("space")
        opened = bisect_right(quote_starts, match.start())  # the quotes starting at or before the boundary
        if opened and reach[opened - 1] >= end:  # one of them runs past it: the boundary is quoted
            continue
        window = max(0, match.start() - ABBREVIATION_WINDOW)
        word = _WORD_BEFORE.search(line, window, match.start() + 1)
        if word and _is_abbreviation(word.group(1), abbreviations):
            continue
        spans.append((start, end))
        start = match.end()
    if start < len(line):
        spans.append((start, len(line)))
    return spans


def split_sentences(lines: list[Line], text: str, lang: str = "vi") -> list[Sentence]:
    abbreviations = rules(lang).abbreviations
    sentences: list[Sentence] = []
    for paragraph, line in enumerate(lines):
        for start, end in _split_line(text[line.start:line.end], abbreviations):
            sentences.append(Sentence(len(sentences), line.start + start, line.start + end, paragraph, line.role))
    return sentences
