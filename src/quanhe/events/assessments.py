"""Relation assessments: an official (or the article itself) characterising how a relationship stands.

A relation word ("quan hệ", "mối quan hệ", from `assessment_grammar.yaml`) names the dyad ("quan hệ giữa X và
Y", "quan hệ X - Y", "quan hệ song phương" = the last two parties named); an assessment cue from
`assessments.tsv` near it ("giảm xuống mức không", "mức thấp nhất", "ngày càng chặt chẽ") gives the polarity
and level. Longer cues also stand alone when the dyad is clear from the speaker and the article ("giữa 2 nước
vẫn tiềm ẩn nguy cơ xung đột"). The speaker is the quote the cue sits in; outside quotes it is the narrator
(None).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import ahocorasick
import regex

from quanhe.events.coder import ACTOR_KINDS, grammar as event_grammar, main_dyad, pair_before
from quanhe.lexicons import load_tsv, load_yaml
from quanhe.model import Assessment, Document, Evidence, Mention, Quote, Sentence
from quanhe.text.matching import compile_phrases, fold_chars, longest_matches

WINDOW = 140  # characters after a relation word in which its assessment is looked for
STANDALONE_MIN_WORDS = 3


@dataclass(frozen=True)
class Cue:
    text: str
    polarity: str
    level: str | None


@dataclass(frozen=True)
class Grammar:
    automaton: ahocorasick.Automaton
    relation: regex.Pattern
    pair_words: tuple[str, ...]


@cache
def grammar(lang: str) -> Grammar:
    automaton = compile_phrases((row["cue"], Cue(row["cue"], row["polarity"], row.get("level") or None))
                                for row in load_tsv(lang, "assessments.tsv"))
    words = load_yaml(lang, "assessment_grammar.yaml")
    relation = "|".join(regex.escape(w) for w in sorted(words.get("relation_words", []), key=len, reverse=True))
    return Grammar(automaton, regex.compile(rf"(?<![\p{{L}}\p{{M}}])(?:{relation})(?![\p{{L}}\p{{M}}])", regex.I),
                   tuple(fold_chars(w) for w in words.get("pair_words", [])))


def _actors(doc: Document, start: int, end: int) -> list[Mention]:
    return [m for m in doc.mentions if start <= m.start and m.end <= end and m.part_of < 0
            and m.kind in ACTOR_KINDS and m.country and m.sector != "MED"]


def _dyad_after(doc: Document, grammar_: Grammar, sentence: Sentence, start: int, folded: str) -> tuple[str, str] | None:
    """"quan hệ giữa X và Y", "quan hệ X - Y", "quan hệ song phương" / "giữa 2 nước" (the last pair)."""
    window_end = min(sentence.end, start + 60)
    codes: list[str] = []
    for mention in _actors(doc, start, window_end):
        if mention.country not in codes:
            codes.append(mention.country)
    if len(codes) >= 2:
        return codes[0], codes[1]
    if any(w in folded[start:window_end] for w in grammar_.pair_words):
        pair = pair_before(doc, start, sentence.paragraph, event_grammar(doc.article.language or "vi").joiners)
        if len(pair) == 2 and pair[0].country and pair[1].country:
            return pair[0].country, pair[1].country
    return None


def _speaker(quotes: list[Quote], start: int, end: int) -> Quote | None:
    inside = [q for q in quotes if q.start <= start and end <= q.end]
    return min(inside, key=lambda q: q.end - q.start) if inside else None


def _evidence(doc: Document, sentence: Sentence, start: int, end: int) -> Evidence:
    return Evidence(doc.article.id, sentence.index, start, end, doc.text[start:end])


def _date(doc: Document, sentence: Sentence, quote: Quote | None) -> str | None:
    if quote and quote.date:
        return quote.date
    own = [t.value for t in doc.times if t.sentence == sentence.index and t.value]
    if own:
        return own[0]
    return doc.article.published.isoformat() if doc.article.published else None


def find_assessments(doc: Document) -> list[Assessment]:
    grammar_ = grammar(doc.article.language or "vi")
    text, folded = doc.text, fold_chars(doc.text)
    main = main_dyad(doc)
    found: list[Assessment] = []
    used: list[tuple[int, int]] = []
    for sentence in doc.sentences:
        if sentence.role in ("title", "heading"):
            continue  # headlines paraphrase what the body says
        for relation in grammar_.relation.finditer(text, sentence.start, sentence.end):
            dyad = _dyad_after(doc, grammar_, sentence, relation.end(), folded)
            if not dyad:
                continue
            for start, end, cue in longest_matches(grammar_.automaton, folded, relation.end(),
                                                   min(sentence.end, relation.end() + WINDOW)):
                if any(s <= start < e for s, e in used):
                    continue
                used.append((start, end))
                quote = _speaker(doc.quotes, start, end)
                found.append(Assessment(tuple(sorted(dyad)), cue.polarity, cue.level,
                                        quote.speaker if quote else None, _date(doc, sentence, quote),
                                        _evidence(doc, sentence, start, end), cue.text))
                break
        for start, end, cue in longest_matches(grammar_.automaton, folded, sentence.start, sentence.end):
            if len(cue.text.split()) < STANDALONE_MIN_WORDS or any(s <= start < e for s, e in used):
                continue
            quote = _speaker(doc.quotes, start, end)
            speaker_country = quote.speaker.country if quote and quote.speaker else None
            pair = pair_before(doc, start, sentence.paragraph, event_grammar(doc.article.language or "vi").joiners)
            if speaker_country and main and speaker_country in main:
                dyad = main
            elif len(pair) == 2 and pair[0].country and pair[1].country:
                dyad = (pair[0].country, pair[1].country)
            else:
                continue
            used.append((start, end))
            found.append(Assessment(tuple(sorted(dyad)), cue.polarity, cue.level, quote.speaker if quote else None,
                                    _date(doc, sentence, quote), _evidence(doc, sentence, start, end), cue.text))
    return found
