"""Relation assessments: an official (or the article itself) characterising how a relationship stands.

A relation word ("quan hệ", "mối quan hệ", from `assessment_grammar.yaml`) names the dyad ("quan hệ giữa X và
Y", "quan hệ X - Y", "quan hệ song phương" = the last two parties named); an assessment cue from
`assessments.tsv` near it ("giảm xuống mức không", "mức thấp nhất", "ngày càng chặt chẽ") gives the polarity
and level. Longer cues also stand alone when the dyad is clear from the speaker and the article ("giữa 2 nước
vẫn tiềm ẩn nguy cơ xung đột"). The speaker is the quote the cue sits in; outside quotes it is the narrator
(None).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import cache

import ahocorasick
import regex

from quanhe.events.coder import ACTOR_KINDS, grammar as event_grammar, main_dyad, pair_before
from quanhe.lexicons import load_tsv, load_yaml
from quanhe.model import Assessment, Document, Evidence, Mention, Quote, Sentence, TimeExpr
from quanhe.text.matching import compile_phrases, fold_chars, longest_matches
from quanhe.text.normalize import lowercase_unsafe

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
    # One scan of the folded text finds where a relation word can match (its lower case, in a text without the
    # characters that defeat that: see normalize.lowercase_unsafe) and whether a cue long enough to stand alone
    # (STANDALONE_MIN_WORDS) occurs at all. Keys -> (length, is a relation word, is a standalone cue).
    finder: ahocorasick.Automaton | None = None
    relation_unsafe: tuple[str, ...] | None = None  # None: relation words are not found this way
    has_standalone: bool = False


@cache
def grammar(lang: str) -> Grammar:
    automaton = compile_phrases((row["cue"], Cue(row["cue"], row["polarity"], row.get("level") or None))
                                for row in load_tsv(lang, "assessments.tsv"))
    words = load_yaml(lang, "assessment_grammar.yaml")
    relation_words = words.get("relation_words", [])
    relation = "|".join(regex.escape(w) for w in sorted(relation_words, key=len, reverse=True))
    unsafe = lowercase_unsafe(relation_words) if relation_words else None
    keys: dict[str, tuple[int, bool, bool]] = {}
    if unsafe is not None:
        for word in relation_words:
            keys[word.lower()] = (len(word), True, False)
    if automaton.kind == ahocorasick.AHOCORASICK:
        for key, (_, cue) in automaton.items():
            if len(cue.text.split()) >= STANDALONE_MIN_WORDS:
                length, is_relation, _ = keys.get(key, (len(key), False, False))
                keys[key] = (length, is_relation, True)
    finder = None
    if keys:
        finder = ahocorasick.Automaton()
        for key, value in keys.items():
            finder.add_word(key, value)
        finder.make_automaton()
    return Grammar(automaton, regex.compile(rf"(?<![\p{{L}}\p{{M}}])(?:{relation})(?![\p{{L}}\p{{M}}])", regex.I),
                   tuple(fold_chars(w) for w in words.get("pair_words", [])), finder, unsafe,
                   any(value[2] for value in keys.values()))


def _scan(grammar_: Grammar, text: str, folded: str) -> tuple[list[int] | None, list[tuple[int, int]]]:
    """(Sorted offsets where a relation word occurs case-insensitively: a superset of where the relation pattern
    matches, or None when every sentence must be scanned; the spans, in order, where a cue long enough to stand
    alone occurs). `folded` is fold_chars(text): each character lower-cased where that keeps one character, all
    that a safe character equated with a relation letter needs, and the text the cue automaton runs on."""
    found = list(grammar_.finder.iter(folded)) if grammar_.finder is not None else []
    standalone = sorted((end - length + 1, end + 1) for end, (length, _, is_standalone) in found if is_standalone)
    unsafe = grammar_.relation_unsafe
    if unsafe is None or any(char in text for char in unsafe):
        return None, standalone
    return sorted({end - length + 1 for end, (length, is_relation, _) in found if is_relation}), standalone


def _holds(spans: list[tuple[int, int]], sentence: Sentence) -> bool:
    """Whether one of the spans (in order of start) lies inside the sentence."""
    at = bisect_left(spans, (sentence.start,))
    while at < len(spans) and spans[at][0] < sentence.end:
        if spans[at][1] <= sentence.end:
            return True
        at += 1
    return False


def _actors(doc: Document, start: int, end: int, ordered: bool = False) -> list[Mention]:
    """Actor mentions inside [start, end); `ordered`: the mentions are sorted by start, so only those starting
    in [start, end] need a look."""
    mentions = doc.mentions_between(start, end + 1) if ordered else doc.mentions
    return [m for m in mentions if start <= m.start and m.end <= end and m.part_of < 0
            and m.kind in ACTOR_KINDS and m.country and m.sector != "MED"]


def _dyad_after(doc: Document, grammar_: Grammar, sentence: Sentence, start: int, folded: str,
                ordered: bool = False) -> tuple[str, str] | None:
    """"quan hệ giữa X và Y", "quan hệ X - Y", "quan hệ song phương" / "giữa 2 nước" (the last pair)."""
    window_end = min(sentence.end, start + 60)
    codes: list[str] = []
    for mention in _actors(doc, start, window_end, ordered):
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


def _date(doc: Document, times: list[TimeExpr], quote: Quote | None) -> str | None:
    """The attribution's date, else the sentence's first time (`times` are the sentence's), else publication."""
    if quote and quote.date:
        return quote.date
    own = [t.value for t in times if t.value]
    if own:
        return own[0]
    return doc.article.published.isoformat() if doc.article.published else None


def find_assessments(doc: Document) -> list[Assessment]:
    grammar_ = grammar(doc.article.language or "vi")
    text, folded = doc.text, fold_chars(doc.text)
    main: list[tuple[str, str] | None] = []  # main_dyad(doc), computed when first needed
    found: list[Assessment] = []
    times_by_sentence: dict[int, list[TimeExpr]] = {}
    for expr in doc.times:
        times_by_sentence.setdefault(expr.sentence, []).append(expr)
    relation_starts, standalone = _scan(grammar_, text, folded)
    ordered: list[bool] = []  # whether the mentions are sorted by start, looked at when first needed
    for sentence in doc.sentences:
        if sentence.role in ("title", "heading"):
            continue  # headlines paraphrase what the body says
        used: list[tuple[int, int]] = []  # cue spans taken in this sentence (a cue never crosses a sentence)
        times = times_by_sentence.get(sentence.index, [])
        if relation_starts is not None and \
                bisect_left(relation_starts, sentence.start) == bisect_left(relation_starts, sentence.end):
            relations = ()  # no relation word starts in the sentence
        else:
            relations = grammar_.relation.finditer(text, sentence.start, sentence.end)
        for relation in relations:
            if not ordered:
                ordered.append(all(a.start <= b.start for a, b in zip(doc.mentions, doc.mentions[1:])))
            dyad = _dyad_after(doc, grammar_, sentence, relation.end(), folded, ordered[0])
            if not dyad:
                continue
            for start, end, cue in longest_matches(grammar_.automaton, folded, relation.end(),
                                                   min(sentence.end, relation.end() + WINDOW)):
                if any(s <= start < e for s, e in used):
                    continue
                used.append((start, end))
                quote = _speaker(doc.quotes, start, end)
                found.append(Assessment(tuple(sorted(dyad)), cue.polarity, cue.level,
                                        quote.speaker if quote else None, _date(doc, times, quote),
                                        _evidence(doc, sentence, start, end), cue.text))
                break
        # The cues of the sentence, for the standalone ones: only when a long enough cue occurs in it (the matches
        # chosen are among the automaton's raw hits, so without a long one among those every cue would be skipped).
        cue_matches = longest_matches(grammar_.automaton, folded, sentence.start, sentence.end) \
            if _holds(standalone, sentence) else ()
        for start, end, cue in cue_matches:
            if len(cue.text.split()) < STANDALONE_MIN_WORDS or any(s <= start < e for s, e in used):
                continue
            quote = _speaker(doc.quotes, start, end)
            speaker_country = quote.speaker.country if quote and quote.speaker else None
            if speaker_country and not main:
                main.append(main_dyad(doc))
            if speaker_country and main[0] and speaker_country in main[0]:
                dyad = main[0]
            elif len(pair := pair_before(doc, start, sentence.paragraph,
                                         event_grammar(doc.article.language or "vi").joiners)) == 2 \
                    and pair[0].country and pair[1].country:
                dyad = (pair[0].country, pair[1].country)
            else:
                continue
            used.append((start, end))
            found.append(Assessment(tuple(sorted(dyad)), cue.polarity, cue.level, quote.speaker if quote else None,
                                    _date(doc, times, quote), _evidence(doc, sentence, start, end), cue.text))
    return found
