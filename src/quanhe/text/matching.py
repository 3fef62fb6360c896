"""Compiled phrase matching shared by the lexicon-driven stages (actors, events, assessments).

Phrases are case-folded with `fold_chars` (same length as the text, so offsets stay valid) and compiled once
into an Aho-Corasick automaton; `longest_matches` keeps, left to right, the longest match on word boundaries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ahocorasick

from quanhe.text.normalize import normalize


def fold_chars(text: str) -> str:
    """Lower-case each character, keeping the length (a character whose lower case is longer stays as is)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def phrase_key(phrase: str) -> str:
    return fold_chars(" ".join(normalize(phrase).split()))


def compile_phrases(items: Iterable[tuple[str, Any]]) -> ahocorasick.Automaton:
    """An automaton from (phrase, value) pairs; the first value given for a phrase wins."""
    automaton = ahocorasick.Automaton()
    for phrase, value in items:
        key = phrase_key(phrase)
        if key and key not in automaton:
            automaton.add_word(key, (key, value))
    automaton.make_automaton()
    return automaton


def is_boundary(text: str, index: int) -> bool:
    if index < 0 or index >= len(text):
        return True
    ch = text[index]
    return not (ch.isalnum() or ch in "_'’" or "\u0300" <= ch <= "\u036f")


def longest_matches(automaton: ahocorasick.Automaton, folded: str, start: int = 0,
                    end: int | None = None) -> list[tuple[int, int, Any]]:
    """Non-overlapping (start, end, value) matches on word boundaries in folded[start:end], longest first.

    The automaton runs over the slice: pyahocorasick's `iter(text, start, end)` copies the whole text on every
    call, which made a long article quadratic (one call per sentence or clause). Word boundaries are still
    checked against the whole text."""
    if automaton.kind != ahocorasick.AHOCORASICK:
        return []
    start = max(0, start)
    end = len(folded) if end is None else min(end, len(folded))
    found = []
    for end_index, (key, value) in automaton.iter(folded[start:end]):
        end_index += start
        match_start, match_end = end_index - len(key) + 1, end_index + 1
        if is_boundary(folded, match_start - 1) and is_boundary(folded, match_end):
            found.append((match_start, match_end, value))
    found.sort(key=lambda m: (m[0], m[0] - m[1]))
    chosen: list[tuple[int, int, Any]] = []
    for match in found:
        if not chosen or match[0] >= chosen[-1][1]:
            chosen.append(match)
    return chosen
