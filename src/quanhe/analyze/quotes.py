"""The quotes stage: direct and indirect speech with the speaker resolved to an actor.

Reporting cues come from `lexicons/<lang>/speech_cues.tsv`. Inside each sentence (quoted text excluded):
- a cue's speaker is the actor heading its clause: the last actor before the cue in the same comma segment,
  else the subject of an earlier segment (skipping parentheticals such as ", sau nhiều tuần …,");
- "X dẫn lời Y" cites Y (X is the outlet); "Theo X, …" attributes what follows the comma;
- the reported clause runs from the cue (after "rằng", ":" or ",") to the next cue or the end of the sentence;
  a cue at the end of a sentence ("…, ông Ryabkov cảnh báo.") reports what came before it.
Quoted spans become direct quotes: attributed by an adjacent cue, else by the indirect quote containing them,
else by the sentence's speaker, else by the last speaker of the paragraph (quotes that run over sentences).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache
from typing import Any

import ahocorasick
import regex

from quanhe.analyze.dating import day_of, news_day, section_start
from quanhe.lexicons import load_tsv, load_yaml
from quanhe.model import Document, Mention, Quote, Sentence, TimeExpr
from quanhe.text.matching import compile_phrases, fold_chars, longest_matches, matches_by_sentence
from quanhe.text.sentences import CLOSING_QUOTES, OPENING_QUOTES, quoted_spans

_TRIM = " ,;:-–—.\"“”'"
SPEAKER_REACH = 400  # characters before a cue within which its speaker is sought
CLAUSE_REACH = 2000  # the longest reported clause taken after a cue (a run-on text must not make it quadratic)
SPEAKER_KINDS = ("PERSON", "ROLE", "PRONOUN", "INSTITUTION", "ORG", "COUNTRY", "CAPITAL_METONYM")

# Compiled once (the module-level `regex` functions look their pattern up in a cache on every call).
_COMMA = regex.compile(r",\s*")
_AFTER_QUOTE = regex.compile(r"^[”\"»]?\s*[,\-–—]")
_BEFORE_QUOTE = regex.compile(r"[:,]\s*[“\"«]?$")
# The marks `quoted_spans` pairs: a sentence without one has no quoted span.
_QUOTE_MARKS = re.compile("[" + re.escape(OPENING_QUOTES + CLOSING_QUOTES) + "]")  # `re`: faster on a plain class


@cache
def _stops_pattern(stops: tuple[str, ...]) -> regex.Pattern:
    """", sau khi …": a clause stop after a comma."""
    return regex.compile(r",\s*(?:" + "|".join(map(regex.escape, stops)) + r")\s", regex.I)


@cache
def _word_pattern(word: str) -> regex.Pattern:
    return regex.compile(rf"(?<![\p{{L}}\p{{M}}]){regex.escape(word)}(?![\p{{L}}\p{{M}}])", regex.I)


def _following(text: str, offset: int) -> str:
    return text[offset:offset + 15].casefold().lstrip()


@cache
def _prefixes(words: tuple[str, ...]) -> tuple[str, ...]:
    """Each word followed by a space, for one `str.startswith` call."""
    return tuple(word + " " for word in words)


@dataclass(frozen=True)
class CueSet:
    automaton: ahocorasick.Automaton  # reporting cues -> kind (verb, according, cite, tell)
    negators: tuple[str, ...]
    noun_markers: tuple[str, ...]
    weak_cues: tuple[str, ...]
    topic_words: tuple[str, ...]
    complementisers: tuple[str, ...]
    parenthetical_starts: tuple[str, ...]
    continuations: tuple[str, ...]
    clause_stops: tuple[str, ...]


@cache
def cues(lang: str) -> CueSet:
    rows = load_tsv(lang, "speech_cues.tsv")
    words = load_yaml(lang, "quotes.yaml")
    return CueSet(
        compile_phrases((row["cue"], row["kind"]) for row in rows),
        tuple(words.get("negators", [])),
        tuple(words.get("noun_markers", [])),
        tuple(words.get("weak_cues", [])),
        tuple(words.get("topic_words", [])),
        tuple(words.get("complementisers", [])),
        tuple(words.get("parenthetical_starts", [])),
        ("",) + tuple(w.casefold() for w in words.get("continuations", [])),
        tuple(words.get("clause_stops", [])),
    )


@dataclass
class _Cue:
    start: int
    end: int
    text: str
    kind: str
    speaker: Mention | None = None
    outlet: Mention | None = None
    clause: tuple[int, int] | None = None


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _speaker_candidates(doc: Document, start: int, end: int) -> list[Mention]:
    return [m for m in doc.mentions_between(start, end)
            if m.end <= end and m.kind in SPEAKER_KINDS and m.part_of < 0]


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Comma-separated segments of text[start:end] (commas inside quotes do not split)."""
    spans, last = [], start
    for match in _COMMA.finditer(text, start, end):  # endpos: as if the text ended there
        spans.append((last, match.start()))
        last = match.end()
    spans.append((last, end))
    return spans


def _find_speaker(doc: Document, cueset: CueSet, sentence: Sentence, cue: _Cue,
                  quotes: list[tuple[int, int]]) -> Mention | None:
    """The actor heading the cue's clause: the last one in the cue's own comma segment, else the subject opening
    an earlier segment, passing over parentheticals (", sau nhiều tuần giữ im lặng …,") and adverbials."""
    text = doc.text
    reach = max(sentence.start, cue.start - SPEAKER_REACH)
    segments = [s for s in _segments(text, reach, cue.start) if not _inside(quotes, s[0], s[1])]
    for index in range(len(segments) - 1, -1, -1):
        seg_start, seg_end = segments[index]
        words = text[seg_start:seg_end].split()
        if words and words[0].casefold() in cueset.parenthetical_starts:
            continue
        candidates = [m for m in _speaker_candidates(doc, seg_start, seg_end)
                      if not _inside(quotes, m.start, m.end) and m.sector != "MED"]
        if not candidates:
            continue
        if index == len(segments) - 1:
            return candidates[-1]
        opening = len(text[seg_start:candidates[0].start].split())
        return candidates[0] if opening <= 2 else None  # "Ông Putin, …, cảnh báo"; not a mid-clause actor
    return None


def _continues(text: str, sentence: Sentence, cue: _Cue) -> bool:
    """A cue that opens a short comma segment ("…, đồng thời cho rằng", "…, giải thích rằng") continues the
    previous speaker's statement."""
    comma = text.rfind(",", sentence.start, cue.start)
    return comma >= 0 and len(text[comma + 1:cue.start].split()) <= 2


def _clause_end(doc: Document, sentence: Sentence, start: int, cues_: list[_Cue], first: int,
                continuations: tuple[str, ...], stops: tuple[str, ...]) -> int:
    """A clause runs to the next cue (of `cues_[first:]`, not copied) that opens a new comma segment with a
    continuation word ("…, đồng thời cho rằng"), else to the end of the sentence."""
    text = doc.text
    limit = min(sentence.end, start + CLAUSE_REACH)
    adjunct = _stops_pattern(stops).search(text, start, limit) if stops else None
    end = adjunct.start() if adjunct else limit  # ", sau khi Tokyo …" is the narrator's, not said
    for k in range(first, len(cues_)):
        cue = cues_[k]
        if cue.start >= end:
            break
        comma = text.rfind(",", start, cue.start)
        if comma < 0:
            continue
        words = " ".join(text[comma + 1:cue.start].split()).casefold()
        if words in continuations:  # ", đồng thời cho rằng", ", giải thích rằng", ", song khẳng định"
            return comma
    return end


def _clause_start(doc: Document, cueset: CueSet, cue: _Cue, sentence_end: int) -> int:
    """Skip ", " / ":" / "rằng" / "là" after a cue; a "rằng" a little further ("bày tỏ quan ngại tại … rằng")
    starts the clause after it."""
    text = doc.text
    window = text[cue.end:min(cue.end + 100, sentence_end)]
    for word in cueset.complementisers:
        found = _word_pattern(word).search(window)  # in the window: nothing before it counts for the lookbehind
        if found and "," not in window[:found.start()] and "“" not in window[:found.start()]:
            return cue.end + found.end()
    return cue.end


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " ,;:-–—":
        start += 1
    while end > start and text[end - 1] in " ,;.":
        end -= 1
    return start, end


def _sentence_cues(doc: Document, folded: str, cueset: CueSet, sentence: Sentence, quotes: list[tuple[int, int]],
                   matches: list[tuple[int, int, Any]]) -> list[_Cue]:
    """The sentence's reporting cues, from its cue `matches` (`longest_matches` over the sentence)."""
    if not matches:
        return []
    text = doc.text
    found = []
    mentions = doc.mentions_between(sentence.start, sentence.end)
    spans = sorted((m.start, m.end) for m in mentions if m.kind != "PRONOUN")
    span_starts = [s for s, _ in spans]
    for start, end, kind in matches:
        overlapping = spans[max(0, bisect_right(span_starts, start) - 1):bisect_left(span_starts, end)]
        if _inside(quotes, start, end) or any(s < end and start < e for s, e in overlapping):
            continue  # quoted, or part of a title ("Người phát ngôn")
        before = folded[max(sentence.start, start - 12):start].split()
        if before and (before[-1] in cueset.negators or before[-1] in cueset.noun_markers):
            continue  # "không đề cập", "bài phát biểu"
        if start > sentence.start and text[start].isupper() and kind != "according":
            continue  # a capitalised cue inside a sentence is a name ("Tuyên bố chung")
        found.append(_Cue(start, end, text[start:end], kind or "verb"))
    return found


def _resolve_cues(doc: Document, cueset: CueSet, sentence: Sentence, quotes: list[tuple[int, int]],
                  found: list[_Cue]) -> None:
    text = doc.text
    previous: Mention | None = None
    for index, cue in enumerate(found):
        if cue.kind == "according":  # "Theo X, …"
            after = _speaker_candidates(doc, cue.end, min(sentence.end, cue.end + 80))
            comma = text.find(",", cue.end, sentence.end)
            if after and comma > after[0].start:
                if after[0].sector == "MED":
                    cue.outlet = after[0]
                else:
                    cue.speaker = after[0]
                    cue.clause = _strip(text, comma + 1, _clause_end(doc, sentence, comma + 1, found, index + 1, cueset.continuations, cueset.clause_stops))
            continue
        if cue.kind == "cite":  # "hãng tin TASS dẫn lời Thứ trưởng … Ryabkov"
            after = [m for m in _speaker_candidates(doc, cue.end, sentence.end) if m.sector != "MED"]
            before = [m for m in _speaker_candidates(doc, sentence.start, cue.start) if m.sector == "MED"]
            cue.speaker = after[0] if after else None
            cue.outlet = before[-1] if before else None
            continue
        cue.speaker = _find_speaker(doc, cueset, sentence, cue, quotes)
        if cue.speaker is None and previous and _continues(text, sentence, cue):
            cue.speaker = previous  # ", đồng thời cho rằng …": the same speaker goes on
        previous = cue.speaker or previous
        start = _clause_start(doc, cueset, cue, sentence.end)
        introduced = start > cue.end or text[cue.end:cue.end + 2].lstrip().startswith((":", "“", '"'))
        if not introduced and (_following(text, cue.end).startswith(_prefixes(cueset.topic_words))
                               or cue.text.casefold() in cueset.weak_cues):
            continue  # "bình luận về …", "phát biểu tại …": no reported content
        cue.clause = _strip(text, start, _clause_end(doc, sentence, start, found, index + 1, cueset.continuations, cueset.clause_stops))
        if cue.clause[1] <= cue.clause[0]:  # "…, ông X cảnh báo." closes the sentence: it reports what came before
            speaker_at = cue.speaker.start if cue.speaker and cue.speaker.start < cue.start else cue.start
            head = text[sentence.start:speaker_at].rstrip()
            cue.clause = _strip(text, sentence.start, speaker_at) if head.endswith((",", "-", "–", "—")) else None


def _date(times: list[TimeExpr], quote_start: int, quote_end: int, today: str | None) -> str | None:
    """The time expression of the attribution (outside the quoted text; `times` are the sentence's), else the
    news day."""
    for expr in times:
        if not (quote_start <= expr.start < quote_end) and expr.value and expr.precision != "period":
            return expr.value
    return today


def find_quotes(doc: Document) -> list[Quote]:
    cueset = cues(doc.article.language or "vi")
    text = doc.text
    days: list[tuple[str | None, int | None]] = []  # (news day, section start), computed when first needed

    def default_date(offset: int) -> str | None:
        if not days:
            days.append((news_day(doc), section_start(doc)))
        return day_of(doc, offset, *days[0])

    times_by_sentence: dict[int, list[TimeExpr]] = {}
    for expr in doc.times:
        times_by_sentence.setdefault(expr.sentence, []).append(expr)

    def times_of(sentence: Sentence) -> list[TimeExpr]:
        return times_by_sentence.get(sentence.index, [])

    folded = fold_chars(text)
    result: list[Quote] = []
    last_speaker_by_paragraph: dict[int, Mention] = {}
    marks = [m.start() for m in _QUOTE_MARKS.finditer(text)]
    cue_matches = matches_by_sentence(cueset.automaton, folded, doc.sentences)
    for position, sentence in enumerate(doc.sentences):
        quoting = bisect_left(marks, sentence.start) < bisect_left(marks, sentence.end)
        if not quoting and not cue_matches[position]:
            continue  # no cue and no quotation mark: nothing is reported, no speaker is remembered
        quotes = [(sentence.start + s, sentence.start + e)
                  for s, e in quoted_spans(text[sentence.start:sentence.end]) if e > s] if quoting else []
        found = _sentence_cues(doc, folded, cueset, sentence, quotes, cue_matches[position])
        if not found and not quotes:
            continue
        _resolve_cues(doc, cueset, sentence, quotes, found)
        indirect: list[Quote] = []
        asks = None  # whether the sentence is a question, looked at when first needed
        for cue in found:
            if not cue.clause or not cue.speaker:
                continue
            if asks is None:
                asks = text[sentence.start:sentence.end].rstrip().endswith("?")
            if asks:
                continue  # a question ("Nga nói gì sau khi …?") reports nothing
            start, end = cue.clause
            quoted = sum(max(0, min(end, e) - max(start, s)) for s, e in quotes)
            if end - start < 3 or quoted > (end - start) / 2:
                continue  # empty, or mostly a quotation: the direct quote covers it
            indirect.append(Quote(start, end, text[start:end], "indirect", cue.text, cue.speaker, cue.outlet,
                                  _date(times_of(sentence), start, end, default_date(start)), sentence.index))
        speakers = [c for c in found if c.speaker]
        paragraph_speaker = last_speaker_by_paragraph.get(sentence.paragraph) or \
            last_speaker_by_paragraph.get(sentence.paragraph - 1)
        for q_start, q_end in quotes:
            if len(text[q_start:q_end].split()) < 2:
                continue
            attribution = _adjacent_cue(text, speakers, q_start, q_end)
            container = next((q for q in indirect if q.start <= q_start and q_end <= q.end), None)
            if attribution:
                speaker, cue_text, outlet = attribution.speaker, attribution.text, attribution.outlet
            elif container:
                speaker, cue_text, outlet = container.speaker, container.cue, container.outlet
            elif speakers:
                speaker, cue_text, outlet = speakers[0].speaker, speakers[0].text, speakers[0].outlet
            elif paragraph_speaker:
                speaker, cue_text, outlet = paragraph_speaker, "", None
            else:
                continue
            start, end = q_start, q_end
            while end > start and text[end - 1] == " ":
                end -= 1
            result.append(Quote(start, end, text[start:end], "direct", cue_text, speaker, outlet,
                                _date(times_of(sentence), start, end, default_date(start)), sentence.index))
        result.extend(indirect)
        if speakers:
            last_speaker_by_paragraph[sentence.paragraph] = speakers[-1].speaker
    return sorted(result, key=lambda q: (q.start, q.kind))


def _adjacent_cue(text: str, cues_with_speaker: list[_Cue], q_start: int, q_end: int) -> _Cue | None:
    """The cue right after the closing mark (“…”, ông X nói / "…" - X nói) or right before the opening one
    (X nói: “…”)."""
    for cue in cues_with_speaker:
        between = text[q_end:cue.start]
        if cue.start >= q_end and len(between) <= 120 and _AFTER_QUOTE.match(between):
            return cue
        before = text[cue.end:q_start]
        if cue.end <= q_start and len(before) <= 40 and _BEFORE_QUOTE.search(before):
            return cue
    return None
