"""Compiled phrase matching shared by the lexicon-driven stages (actors, events, assessments).

Phrases are case-folded with `fold_chars` (same length as the text, so offsets stay valid) and compiled once
into an Aho-Corasick automaton; `longest_matches` keeps, left to right, the longest match on word boundaries.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Any

import ahocorasick

from quanhe.model import Sentence
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


def matches_by_sentence(automaton: ahocorasick.Automaton, folded: str,
                        sentences: Sequence[Sentence]) -> list[list[tuple[int, int, Any]]]:
    """`longest_matches(automaton, folded, s.start, s.end)` for each sentence, from one scan of the whole text.

    The whole text's leftmost-longest matches that lie inside a sentence are that sentence's own, as long as no
    chosen match straddles one of its edges (one that starts earlier ends before it, so the choice inside starts
    afresh, and one that starts inside and runs out was not chosen, so it changed nothing). A sentence that such a
    match overlaps is matched on its own, as before.
    """
    if not sentences:
        return []
    if any(a.end > b.start for a, b in zip(sentences, sentences[1:])) or any(x.start > x.end for x in sentences):
        return [longest_matches(automaton, folded, x.start, x.end) for x in sentences]  # not in text order
    result: list[list[tuple[int, int, Any]]] = [[] for _ in sentences]
    starts = [x.start for x in sentences]
    alone: set[int] = set()
    for match in longest_matches(automaton, folded):
        start, end = match[0], match[1]
        index = bisect_right(starts, start) - 1  # the last sentence starting at or before the match
        if index >= 0 and end <= sentences[index].end:
            result[index].append(match)
            continue
        for k in range(max(index, 0), len(sentences)):
            if sentences[k].start >= end:
                break
            if sentences[k].end > start:
                alone.add(k)
    for k in alone:
        result[k] = longest_matches(automaton, folded, sentences[k].start, sentences[k].end)
    return result
