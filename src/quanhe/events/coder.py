"""The event coder: PLOVER events with source, target, date, place, negation, modality and evidence.

1. Triggers from `lexicons/<lang>/events.tsv` are found with one Aho-Corasick pass (longest match wins).
   A trigger right after another in the same clause is its complement ("bác bỏ việc đàm phán", "đình chỉ
   các cuộc đàm phán") and yields no event of its own, unless it is the more forceful act ("ký … sáp nhập").
2. Arguments come from the trigger's clause (its comma segment): the source is the actor heading the clause
   (after "bị"/"do" in the passive), the speaker of the quote for "chúng tôi" or a subject-less reported
   clause; the target is the first other actor after the trigger ("với/đối với/nhằm vào X" included), or the
   other member of "giữa X và Y", "X - Y", "X và Y" for symmetric acts. Joint subjects ("Mỹ và NATO") give one
   event per member. "hai bên", "hai nước" stand for the last two countries named.
3. Negation and modality cues (`modality.tsv`) in the clause before the trigger set `negated` / `modality`.
4. The date is the clause's own time expression, else the attribution's, else the publication date; the
   place is "tại/ở X" in the clause.
5. An event restated in the title or a caption is kept once, with the body sentence as evidence.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate

import ahocorasick
import regex

from quanhe.analyze.dating import day_of, news_day, section_start
from quanhe.lexicons import load_tsv, load_yaml
from quanhe.model import Document, Event, Evidence, Mention, Quote, Sentence, TimeExpr
from quanhe.text.matching import compile_phrases, fold_chars, longest_matches, matches_by_sentence
from quanhe.text.normalize import lowercase_unsafe

ACTOR_KINDS = ("PERSON", "ROLE", "PRONOUN", "INSTITUTION", "ORG", "COUNTRY", "CAPITAL_METONYM")
SYMMETRIC = {"CONSULT", "COOPERATE", "AGREE"}  # a joint subject acts with, not alongside, its other member
FORCEFUL = {"COERCE", "ASSAULT", "SANCTION", "MOBILIZE", "REJECT"}  # wins over a milder trigger it complements
UNDIRECTED = {"MOBILIZE"}  # shows of force often have no stated target: never guess one from context
UNREAL = {"question", "counterfactual"}  # not events that happened, nor statements of intent
ALLEGED = {"MOBILIZE", "COERCE", "ASSAULT", "SANCTION"}  # acts that, reported by the other side, are allegations
COMPLEMENT_GAP = 4  # words between two triggers for the second to be the first's object
BEFORE_WORDS = 8  # how far before a trigger a negation or modal word still applies to it
REPEAT_SENTENCES = 3  # restatements of one act within this many sentences are one event
RECALL_SENTENCES = 3  # "vào thời điểm đó" points back to a time given at most this many sentences before
ANAPHOR_REACH = 60  # characters at the start of a sentence where a time anaphor is looked for
CLAUSE_REACH = 400  # characters before and after a trigger within which its clause and arguments are sought
QUOTE_REACH = 3000  # the longest quote that is searched back for around a trigger
PAIR_REACH = 1500  # characters back within which "hai bên" finds the two parties it stands for
RIGHT_AFTER_CHARS = 80  # how far after an intent trigger its complement's subject is looked for
WORD_REACH = 30  # how far before a position `_word_before` looks for a word


@dataclass(frozen=True)
class Trigger:
    text: str
    type: str
    mode: str | None
    speech: bool


@dataclass(frozen=True)
class Modality:
    effect: str  # negate | possible | planned | conditional | question | counterfactual | "" (stop phrase)
    scope: str  # before_trigger (within BEFORE_WORDS of the trigger) | clause (anywhere in the clause)


@dataclass(frozen=True)
class Cues:
    automaton: ahocorasick.Automaton
    modality: ahocorasick.Automaton
    words: dict


@cache
def cues(lang: str) -> Cues:
    automaton = compile_phrases((row["trigger"], Trigger(row["trigger"], row["type"], row.get("mode") or None,
                                                          row.get("speech", "") == "y"))
                                for row in load_tsv(lang, "events.tsv"))
    modality = compile_phrases((row["cue"], Modality(row["effect"], row.get("scope") or "clause"))
                               for row in load_tsv(lang, "modality.tsv"))
    return Cues(automaton, modality, load_yaml(lang, "event_grammar.yaml"))


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    trigger: Trigger


def _find_triggers(folded: str, sentences: list[Sentence], automaton: ahocorasick.Automaton) -> list[list[_Hit]]:
    """Trigger matches of each sentence, from one scan of the text; a stop phrase (a row with no type, e.g. "tiếp
    tục" hiding "tiếp") only hides."""
    return [[_Hit(*match) for match in matches if match[2].type]
            for matches in matches_by_sentence(automaton, folded, sentences)]


@cache
def _by_first_word(phrases: tuple[str, ...]) -> dict[str, list[list[str]]]:
    """The phrases' words, by their first word."""
    index: dict[str, list[list[str]]] = {}
    for phrase in phrases:
        words = phrase.split()
        if words:
            index.setdefault(words[0], []).append(words)
    return index


def _made_of(words: list[str], phrases: tuple[str, ...]) -> bool:
    """Whether the words are a sequence of the listed phrases ("tiến hành các" yes, "tiếp nối" no)."""
    starting = _by_first_word(phrases)
    i = 0
    while i < len(words):
        step = max((len(p) for p in starting.get(words[i], ()) if words[i:i + len(p)] == p), default=0)
        if not step:
            return False
        i += step
    return True


def _drop_complements(text: str, hits: list[_Hit], gap_words: tuple[str, ...]) -> list[_Hit]:
    """A trigger that is the object of the one before ("bác bỏ việc đàm phán", "đình chỉ các cuộc đàm phán",
    "sẵn sàng đàm phán") yields no event of its own, unless it is the more forceful act ("ký … sáp nhập")."""
    kept: list[_Hit] = []
    last_end = 0  # end of the last trigger, kept or not: "ký các thỏa thuận sáp nhập" is one chain of objects
    for hit in hits:
        if kept:
            gap = fold_chars(text[last_end:hit.start]).split(maxsplit=COMPLEMENT_GAP)  # (all the words, if few)
            if len(gap) <= COMPLEMENT_GAP and _made_of(gap, gap_words):
                if hit.trigger.type in FORCEFUL and kept[-1].trigger.type not in FORCEFUL:
                    kept[-1] = hit
                last_end = max(last_end, hit.end)
                continue
        kept.append(hit)
        last_end = max(last_end, hit.end)
    return kept


_CLAUSE_BREAK = regex.compile(r"[,;]|[.!?…](?=\s)")


def _clause_breaks(text: str, sentence: Sentence) -> list[int]:
    """Where the sentence's clause breaks are, found once for all its triggers."""
    return [found.start() for found in _CLAUSE_BREAK.finditer(text, sentence.start, sentence.end)]


def _clause(text: str, breaks: list[int], sentence: Sentence, start: int, end: int) -> tuple[int, int]:
    """The segment around [start, end) between commas, semicolons or the ends of sentences inside a quote, at
    most CLAUSE_REACH characters either side (arguments lie close to their trigger; a run-on "sentence" of
    thousands of words must not make every trigger scan all of it). `breaks` are the sentence's clause breaks; a
    full stop right before either end of the segment does not count, its space being outside (as when the
    segment is searched alone)."""
    lower, upper = max(sentence.start, start - CLAUSE_REACH), min(sentence.end, end + CLAUSE_REACH)
    before = bisect_left(breaks, start) - 1
    if before >= 0 and breaks[before] == start - 1 and text[start - 1] not in ",;":
        before -= 1
    after = bisect_left(breaks, end)
    if after < len(breaks) and breaks[after] == upper - 1 and text[upper - 1] not in ",;":
        after += 1
    left = breaks[before] + 1 if before >= 0 and breaks[before] >= lower else lower
    return left, breaks[after] if after < len(breaks) and breaks[after] < upper else upper


class _Actors:
    """The mentions that can be an event's arguments, filtered once per document rather than in every window
    searched (several per trigger).

    Only the place word test depends on the window: `_word_before` looks back at most WORD_REACH characters and
    never before the window's start, so for an actor at least that far into the window its result is the one
    computed here."""

    def __init__(self, doc: Document, folded: str, g: Grammar) -> None:
        self.folded, self.locative = folded, g.locative
        self.mention_starts = [m.start for m in doc.mentions]
        self.positions: list[int] = []  # of the actors in doc.mentions
        self.actors: list[tuple[Mention, int, bool]] = []  # (actor, the last window start that does not cut its
        for position, m in enumerate(doc.mentions):       # place word test short, whether it is a setting)
            if m.part_of < 0 and m.kind in ACTOR_KINDS and m.sector != "MED" and m.code:
                unbounded = max(0, m.start - WORD_REACH)
                # `_word_before`'s first test, inline: most actors follow no place word, and need no call
                setting = folded[unbounded:m.start].rstrip().endswith(g.locative) \
                    and _word_before(folded, m.start, unbounded, g.locative)
                self.positions.append(position)
                self.actors.append((m, unbounded, setting))

    def between(self, start: int, end: int, ends_by: int | None = None) -> list[Mention]:
        """Actors starting in [start, end) (as `doc.mentions_between`) and ending by `ends_by` (default `end`); one
        after a place word ("xung đột tại Ukraine", "tại Hội đồng Bảo an") is a setting, not an argument."""
        ends_by = end if ends_by is None else ends_by
        first = bisect_left(self.positions, bisect_left(self.mention_starts, start))
        last = bisect_left(self.positions, bisect_left(self.mention_starts, end))
        return [m for m, unbounded, setting in self.actors[first:last] if m.end <= ends_by
                and not (setting if start <= unbounded else _word_before(self.folded, m.start, start, self.locative))]


def _is_topic(doc: Document, folded: str, clause_start: int, lead: str, lead_words: list[str],
              markers: tuple[str, ...]) -> bool:
    """A trigger right after a topic or purpose marker ("liên quan đến việc ký kết", "để xuống thang", "về
    triển vọng hợp tác"), possibly with its actor between ("liên quan đến việc Moscow triển khai"), names what
    is talked about or aimed at, not an act. `lead` is the folded clause up to the trigger, `lead_words` its
    words."""
    joined = " ".join(lead_words)
    if not any(marker in joined for marker in markers):
        return False  # (the words before an actor right before the trigger are among the lead's too)
    end = clause_start + len(lead)
    spaces = clause_start + len(lead.rstrip())  # an actor ending here or later has only spaces after it
    actor = next((m for m in doc.mentions_between(clause_start, end) if spaces <= m.end <= end), None)
    words = folded[clause_start:actor.start].split() if actor else lead_words
    return (" " + " ".join(words[-4:])).endswith(_spaced(markers))


@cache
def _spaced(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words, each after a space: ends of text that end with one of them on a word boundary."""
    return tuple(" " + word for word in words)


def _last_joint(doc: Document, mentions: list[Mention], joiners: tuple[str, ...]) -> list[Mention]:
    """The last two actors of different codes joined by "và", "cùng", "-" ("cả Mỹ và NATO")."""
    for left, right in reversed(list(zip(mentions, mentions[1:]))):
        if left.code != right.code and fold_chars(doc.text[left.end:right.start]).strip() in joiners:
            return [left, right]
    return []


def pair_before(doc: Document, offset: int, paragraph: int, joiners: tuple[str, ...],
                 dyad: tuple[str, str] | None = None, first: str | None = None,
                 skip: tuple[str, ...] = (), folded: str = "") -> list[Mention]:
    """The two parties "hai bên" stands for: the article's main dyad when both were named in this paragraph or
    the one before, else the last two actors with distinct codes there; `first` (the speaker's side) leads."""
    seen: list[Mention] = []
    seen_all: list[Mention] = []
    reach = _paragraph_reach(doc)
    opening = bisect_left(reach, paragraph - 1)  # the first sentence of the paragraph before, or a later one
    window = max(doc.sentences[opening].start if opening < len(reach) else 0, offset - PAIR_REACH)
    for mention in doc.mentions_between(window, offset):
        sentence = doc.sentence_at(mention.start)
        if mention.part_of >= 0 or mention.kind not in ACTOR_KINDS or not mention.code:
            continue
        if mention.sector == "MED" or not sentence or sentence.paragraph < paragraph - 1:
            continue
        if skip and _word_before(folded, mention.start, sentence.start, skip):
            continue  # "về vấn đề Ukraine": talked about, not a party
        seen_all.append(mention)
        seen = [m for m in seen if m.code != mention.code] + [mention]
    codes = [m.code for m in seen]
    sentence = doc.sentence_at(offset)
    seen_at: dict[tuple[int, int], list[Mention]] = {}  # equal mentions share their span: list membership, bounded
    for mention in seen_all:
        seen_at.setdefault((mention.start, mention.end), []).append(mention)
    here = [m for m in doc.mentions_between(sentence.start, offset)
            if any(s is m or s == m for s in seen_at.get((m.start, m.end), ()))] if sentence else []
    joint = _last_joint(doc, here, joiners)
    if joint:  # "Liên Xô và Nhật Bản chưa từng ký …, dù hai bên đã ký": the pair named together
        pair = joint
    elif dyad and dyad[0] in codes and dyad[1] in codes:
        pair = [m for m in seen if m.code in dyad]
    else:
        pair = seen[-2:]
    if len(pair) == 2 and pair[1].code == first:
        pair.reverse()
    return pair


def _paragraph_reach(doc: Document) -> list[int]:
    """The highest paragraph number among the sentences up to each one (non-decreasing, so binary search finds the
    first sentence of a paragraph); kept with the document's other look-up indexes, rebuilt when the sentences
    change."""
    key = ("paragraph_reach", id(doc.sentences), len(doc.sentences))
    if key not in doc._index:
        if len(doc._index) > 8:
            doc._index.clear()
        doc._index[key] = list(accumulate((s.paragraph for s in doc.sentences), max))
    return doc._index[key]


def _local_counterpart(doc: Document, counterparts: _Counterparts, offset: int, sentence: Sentence,
                       source: Mention) -> Mention | None:
    """The last actor of another country named (not as a place) in this sentence or the two before: what the
    source reacts to."""
    return counterparts.last(doc.sentences[max(0, sentence.index - 2)].start, offset, source.code)


class _Counterparts:
    """`_local_counterpart` without walking back over every actor of a long sentence (a run-on sentence naming
    the source's own country again and again made each trigger scan all of it).

    `actors.between(lowest, offset)` keeps an actor when its place word check, which looks back at most WORD_REACH
    characters and never before `lowest`, passes; for an actor WORD_REACH characters or more after `lowest` that
    check does not depend on `lowest`, so those actors are filtered once here. Each one also points back to the
    nearest earlier one of another country, so a run of the source's own country is skipped in one step."""

    def __init__(self, actors: _Actors) -> None:
        self.all = actors
        self.actors = [m for m, _, setting in actors.actors if m.country and m.start >= WORD_REACH and not setting]
        self.starts = [m.start for m in self.actors]
        self.other: list[int] = []  # index of the nearest earlier actor whose country differs, or -1
        for i, mention in enumerate(self.actors):
            j = i - 1
            while j >= 0 and self.actors[j].country == mention.country:
                j = self.other[j]
            self.other.append(j)

    def last(self, lowest: int, offset: int, code: str | None) -> Mention | None:
        """The last of `actors.between(lowest, offset)` with a country other than `code`."""
        floor = bisect_left(self.starts, lowest + WORD_REACH)
        i = bisect_left(self.starts, offset) - 1
        while i >= floor:
            mention = self.actors[i]
            if mention.country == code:
                i = self.other[i]
            elif mention.end <= offset:
                return mention
            else:
                i -= 1
        near = [m for m in self.all.between(lowest, min(offset, lowest + WORD_REACH), ends_by=offset)
                if m.country and m.country != code]  # actors.between(lowest, offset) for the first characters
        return near[-1] if near else None


def main_dyad(doc: Document) -> tuple[str, str] | None:
    """The article's two most often named country codes: the default counterpart of a one-sided statement."""
    counts = Counter(m.country for m in doc.mentions if m.country and m.kind != "PLACE" and m.sector != "MED")
    ranked = sorted(counts, key=lambda code: -counts[code])
    return (ranked[0], ranked[1]) if len(ranked) >= 2 else None


def _containing_quote(quotes: list[Quote], starts: list[int], start: int, end: int) -> Quote | None:
    """The narrowest quote around [start, end); `starts` are the quotes' sorted starts. Quotes are searched back
    only QUOTE_REACH characters: reported clauses are bounded in length (quotes.CLAUSE_REACH)."""
    first = bisect_left(starts, start - QUOTE_REACH)
    inside = [q for q in quotes[first:bisect_right(starts, start)] if end <= q.end]
    return min(inside, key=lambda q: q.end - q.start) if inside else None


def _modality(folded: str, clause: tuple[int, int], trigger: _Hit,
              matches: list[tuple[int, int, Modality]]) -> tuple[bool, str | None]:
    """Negation and modality cues of the trigger's clause (`matches`: the clause's longest matches, so stop phrases
    such as "không người lái" hide "không"); `before_trigger` cues count only within BEFORE_WORDS words before
    the trigger."""
    near = folded.rfind(" ", clause[0], trigger.start)
    for _ in range(BEFORE_WORDS):
        if near <= clause[0]:
            break
        near = folded.rfind(" ", clause[0], near)
    near = max(near, clause[0])
    negated, modality = False, None
    for start, end, cue in matches:
        if not cue.effect or (trigger.start <= start < trigger.end):
            continue
        if cue.scope == "before_trigger" and not (near <= start and end <= trigger.start):
            continue
        if cue.effect == "negate":
            negated = True
        elif modality is None:
            modality = cue.effect
    return negated, modality


def _word_before_any(text: str, words: tuple[str, ...]) -> bool:
    padded = f" {' '.join(text.split())} "
    return any(w in padded for w in _between_spaces(words))


@cache
def _between_spaces(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f" {w} " for w in words)


# Matches text[pos:endpos] when len(text[pos:endpos].split()) > 2 (re's \s, unlike regex's, is what str.split()
# splits on), reading no further than the third word.
_THREE_WORDS = re.compile(r"\s*\S+\s+\S+\s+\S")


class _Dating:
    """Per-document look-ups for `_date`, built once instead of scanning the whole article for each trigger: the
    time expressions of each sentence, where each paragraph starts, and whether an "undated" word occurs in a
    paragraph before a given offset (extended sentence by sentence instead of folding the paragraph again).

    `first_usable` finds the time `_date` takes without testing every time of the sentence against every
    trigger: testing one that follows the trigger reads all the text between them, so a long sentence with many
    triggers and dates was cubic."""

    def __init__(self, doc: Document, g: Grammar) -> None:
        self.text = doc.text
        self.g = g
        self.undated = g.undated
        self.times: dict[int, list[TimeExpr]] = {}
        for expr in doc.times:
            self.times.setdefault(expr.sentence, []).append(expr)
        self.ordered = all(a.start <= b.start for times in self.times.values() for a, b in zip(times, times[1:]))
        self.paragraph_start: dict[int, int] = {}
        for sentence in doc.sentences:
            self.paragraph_start.setdefault(sentence.paragraph, sentence.start)
        # Phrases matched word by word (no empty phrase, single spaces); no sigma, whose lower case depends on
        # the next letter, so folding a piece at a time gives the same words as folding the whole paragraph.
        self.by_words = all(w and w == " ".join(w.split()) and not any(c in w for c in "Σσς")
                            for w in g.undated)
        self.overlap = max((len(w.split()) for w in g.undated), default=1) - 1  # words a phrase can reach back
        self._scanned: dict[int, tuple[int, bool, list[str]]] = {}  # paragraph start -> (up to, found, last words)
        self._usable: dict[int, tuple[list[TimeExpr], list[int]]] = {}  # sentence -> times that can date, starts
        self._far: dict[int, tuple[list[TimeExpr], list[int]]] = {}  # by id(sentence): those far after a trigger
        self._anaphoric: dict[tuple[int, int], bool] = {}  # sentence openings -> whether a time anaphor opens them
        self._folded: str | None = None  # the text case-folded (built on first need)
        self._subordinators: list[tuple[str, list[int]]] = []  # (word, starts of " word " in the folded text)
        self._reach = max((len(w) for w in g.subordinators), default=0) + 2

    def undated_before(self, start: int, end: int) -> bool:
        """`_word_before_any(fold_chars(text[start:end]), undated)`, continuing from the last call for `start`."""
        text = self.text
        upto, found, tail = self._scanned.get(start, (start, False, []))
        joined = upto > start and upto < end and not text[upto - 1].isspace() and not text[upto].isspace()
        if not self.by_words or end < upto or joined:  # not a continuation: fold the whole span
            return _word_before_any(fold_chars(text[start:end]), self.undated)
        if end > upto:
            if not found:
                words = tail + fold_chars(text[upto:end]).split()
                found = _word_before_any(" ".join(words), self.undated)  # a match inside `tail` was seen before
                tail = words[len(words) - self.overlap:] if self.overlap else []
            self._scanned[start] = (end, found, tail)
        return found

    def _dating(self, index: int) -> tuple[list[TimeExpr], list[int]]:
        """The sentence's times that `_date` can take at all (a value, not an open period), in order."""
        if index not in self._usable:
            times = [t for t in self.times.get(index, ()) if t.value and
                     not (t.precision == "period" and t.text.casefold().startswith(self.g.open_period))]
            self._usable[index] = (times, [t.start for t in times])
        return self._usable[index]

    def recalled(self, sentence: Sentence, upto: int) -> TimeExpr | None:
        """The time a time anaphor opening the sentence ("Vào thời điểm đó, Nga muốn …", not "Trong khi đó")
        points back to: the last time given in the RECALL_SENTENCES sentences before; None without an anaphor."""
        opening = (sentence.start, min(upto, sentence.start + ANAPHOR_REACH))
        if opening not in self._anaphoric:
            folded = fold_chars(self.text[opening[0]:opening[1]]).lstrip(" \"“'(")
            self._anaphoric[opening] = bool(self.g.time_anaphora.match(folded))
        if not self._anaphoric[opening]:
            return None
        for index in range(sentence.index - 1, max(sentence.index - 1 - RECALL_SENTENCES, -1), -1):
            times = self._dating(index)[0]
            if times:
                return times[-1]
        return None

    def frame(self, sentence: Sentence) -> TimeExpr | None:
        """The time a sentence sets for its account: its first time that can date, or the one it recalls."""
        times = self._dating(sentence.index)[0]
        return times[0] if times else self.recalled(sentence, sentence.end)

    def in_clause(self, index: int, start: int, end: int) -> list[TimeExpr]:
        """The sentence's times that can date, starting in [start, end) (a clause: a few at most)."""
        times, starts = self._dating(index)
        return times[bisect_left(starts, start):bisect_left(starts, end)]

    def _fold(self) -> bool:
        """Builds the folded text and its indexes; False when folding changes lengths (then offsets differ and
        `first_usable` tests each time as `_date` does)."""
        if self._folded is None:
            self._folded = self.text.casefold()
            if len(self._folded) == len(self.text):
                for word in self.g.subordinators:
                    marked, found, at = f" {word} ", [], self._folded.find(f" {word} ")
                    while at >= 0:
                        found.append(at)
                        at = self._folded.find(marked, at + 1)
                    self._subordinators.append((word, found))
        return len(self._folded) == len(self.text)

    def _far_times(self, sentence: Sentence) -> tuple[list[TimeExpr], list[int]]:
        """The sentence's times that can date an act they follow by more than two words: dated by themselves (a
        day, a dating word before them, a caption) and not right after a subordinator ("khi" + time)."""
        if id(sentence) not in self._far:
            text, folded = self.text, self._folded
            far = []
            for t in self._dating(sentence.index)[0]:
                lead = text[max(sentence.start, t.start - 6):t.start].casefold().split()
                dated = t.precision == "day" or (lead and lead[-1] in self.g.dating_words) \
                    or sentence.role == "caption"
                if dated and not any(folded.endswith(f" {w}", 0, t.start) for w in self.g.subordinators):
                    far.append(t)
            self._far[id(sentence)] = (far, [t.start for t in far])
        return self._far[id(sentence)]

    def first_usable(self, sentence: Sentence, hit: _Hit, usable, quoted_out, before_only: bool) -> TimeExpr | None:
        """The first time of the sentence that `usable` accepts (the times are in order of start).

        Before the trigger `usable` only rules out a time inside a quote the trigger is not in. After it, a time
        two words or fewer away is tested as it is; beyond, `usable` needs the time dated by itself (see
        `_far_times`) and no subordinator in " " + between + " ", where between is text[hit.end:t.start] folded.
        Apart from the two ends, which `_far_times` and the test on the first words cover, such a subordinator is
        a " word " inside the folded text after hit.end, so the first one found there rules out every later time."""
        times, starts = self._dating(sentence.index)
        for t in times:
            if t.start >= hit.end:
                break
            if usable(t):
                return t
        if before_only:
            return None  # usable() takes no time after the trigger
        at = bisect_left(starts, hit.end)
        while at < len(times):
            t = times[at]
            if t.start - hit.end >= self._reach and self._fold() and _THREE_WORDS.match(self.text, hit.end, t.start):
                break  # far from the trigger: so are the rest
            if usable(t):
                return t
            at += 1
        else:
            return None
        folded = self._folded
        if any(folded.startswith(f"{w} ", hit.end) for w in self.g.subordinators):
            return None  # "khi …" right after the trigger
        limit = min((found[i] + len(word) + 2 for word, found in self._subordinators
                     if (i := bisect_left(found, hit.end)) < len(found)), default=len(folded) + 1)
        far, far_starts = self._far_times(sentence)
        for k in range(bisect_left(far_starts, times[at].start), len(far)):
            if far[k].start >= limit:
                return None  # a subordinator lies between the trigger and this time, and every later one
            if not quoted_out(far[k]):
                return far[k]
        return None


def _date(doc: Document, g: Grammar, sentence: Sentence, clause: tuple[int, int], hit: _Hit, quote: Quote | None,
          today: str | None, before_only: bool = False, dating: _Dating | None = None,
          previous: Sentence | None = None) -> tuple[str | None, str | None, str]:
    """When the act happened: the nearest time expression before the trigger in its clause or sentence, or one
    after it that dates it ("vào ngày 12-2", not "địa giới năm 1997" nor "trước khi … vào cuối tháng 2"); else
    the attribution's; else the news day (measured: inheriting the paragraph's last date did worse). An open period ("Sau Chiến tranh thế giới thứ hai") dates nothing.
    A refusal or a plan (`before_only`) is dated by its statement, not by the act refused or planned ("không có
    kế hoạch gặp … vào tháng 11", "ngày 10.7, Mỹ tuyên bố sẽ triển khai … vào năm 2026").
    Without a time of its own, a sentence set by a time anaphor ("Vào thời điểm đó, …") takes the time it recalls,
    and one that goes on with the account of the sentence before in its paragraph ("Nga cũng yêu cầu …") takes
    that sentence's time (`previous`)."""
    text = doc.text

    def quoted_out(t: TimeExpr) -> bool:
        return bool(quote and quote.start <= t.start < quote.end and not (quote.start <= hit.start < quote.end))

    def usable(t: TimeExpr) -> bool:
        if not t.value or (t.precision == "period" and t.text.casefold().startswith(g.open_period)):
            return False
        if quoted_out(t):
            return False
        if t.start >= hit.end:
            between = text[hit.end:t.start].casefold()
            lead = text[max(sentence.start, t.start - 6):t.start].casefold().split()
            dated = t.precision == "day" or (lead and lead[-1] in g.dating_words) or len(between.split()) <= 2
            dated = dated or sentence.role == "caption"  # "…, tháng 3.2022. Ảnh: AFP" dates the picture
            return not before_only and dated and not any(f" {w} " in f" {between} " for w in g.subordinators)
        return True

    dating = dating or _Dating(doc, g)
    if dating.ordered:  # the first usable time of the clause, else of the sentence: what the else branch picks
        chosen = next((t for t in dating.in_clause(sentence.index, clause[0], clause[1]) if usable(t)), None) \
            or dating.first_usable(sentence, hit, usable, quoted_out, before_only)
        if chosen:
            return chosen.value, chosen.precision, "text"
    else:
        in_sentence = [t for t in dating.times.get(sentence.index, ()) if usable(t)]
        own = [t for t in in_sentence if clause[0] <= t.start < clause[1]] or in_sentence
        if own:
            before = [t for t in own if t.start < hit.start]
            chosen = before[0] if before else own[0]  # "Hồi cuối tháng 2 và tháng 3, …": where the span starts
            return chosen.value, chosen.precision, "text"
    before_trigger = fold_chars(text[clause[0]:hit.start])  # the clause up to the trigger, folded once
    recalled = dating.recalled(sentence, hit.start)
    if recalled is None and previous is not None and previous.paragraph == sentence.paragraph \
            and g.continuation.search(before_trigger):
        recalled = dating.frame(previous)
    if recalled is not None:
        return recalled.value, recalled.precision, "text"
    if g.background.search(before_trigger):
        return None, None, "none"  # "phản ứng sau khi Mỹ thông báo kế hoạch …": an earlier act, not today's news
    paragraph_start = dating.paragraph_start[sentence.paragraph]
    if _word_before_any(before_trigger, g.undated) or \
            dating.undated_before(paragraph_start, sentence.start):
        return None, None, "none"  # "chưa từng ký", "từng tuyên bố", a "lâu nay" paragraph: standing, undated
    if quote and quote.date:
        return quote.date, "day" if len(quote.date) == 10 else "month", "attribution"
    if today:
        return today, "day", "published"
    return None, None, "none"


def _place(doc: Document, g: Grammar, clause: tuple[int, int], spans: _WordSpans | None) -> dict | None:
    """"tại Istanbul"; `spans`: where place words occur in the folded text, when they show every place."""
    found = g.place_phrase.search(doc.text, clause[0], clause[1], spans)
    if not found:
        return None
    start = found.start(1)
    place = next((m for m in doc.mentions_between(start, start + 1) if m.country), None)
    return {"text": found.group(1), "country": place.country if place else None}


def _event_id(article: str, sentence: int, trigger_start: int, source: str | None, target: str | None) -> str:
    digest = hashlib.sha1(f"{article}|{sentence}|{trigger_start}|{source}|{target}".encode()).hexdigest()
    return "e-" + digest[:16]


@dataclass(frozen=True)
class Grammar:
    """Argument-attachment words: `event_targets.tsv` roles plus `event_grammar.yaml` lists."""

    joiners: tuple[str, ...]
    passive: tuple[str, ...]  # before an agent: "bị Moskva chỉ trích", "do Liên Xô tiếp quản"
    passive_markers: tuple[str, ...]  # after a patient: "yêu cầu của Nga bị bác bỏ"
    possessive: tuple[str, ...]  # before a possessor, who is not the subject: "yêu cầu của Moscow"
    target_markers: tuple[str, ...]
    locative: tuple[str, ...]
    pair_words: tuple[str, ...]
    topic_markers: tuple[str, ...]
    patient_subject: tuple[str, ...]  # triggers whose subject is acted upon by the speaker ("phải chịu trách nhiệm")
    hostile_markers: tuple[str, ...]  # introduce the target of a show of force ("chống lại Nga")
    purpose_markers: tuple[str, ...]  # open a purpose clause, beyond which no target is sought ("để", "nhằm")
    anaphora: tuple[str, ...]  # nouns standing for the previous act ("động thái này")
    undated: tuple[str, ...]  # mark an unspecified past ("từng", "chưa từng"): no date unless one is given
    aboutness: tuple[str, ...]  # an actor after these is talked about, not a party ("về vấn đề Ukraine")
    demonstratives: tuple[str, ...]  # a nominal trigger followed by these refers back ("cuộc đàm phán này")
    condition: Words  # a condition marker ("nếu", "phụ thuộc vào"): a conditional offer or threat
    complement_gap: tuple[str, ...]  # words between a trigger and its object trigger ("bác bỏ việc đàm phán")
    classifiers: tuple[str, ...]  # nominal classifiers before a trigger ("cuộc đối thoại" = "đối thoại")
    relative_markers: tuple[str, ...]  # open a relative clause ("mà"): its acts describe, they are not news
    between: tuple[str, ...]  # "giữa X và Y": the two parties of a mutual act
    open_period: tuple[str, ...]  # a period they start ("Sau Chiến tranh …") says when something began
    dating_words: tuple[str, ...]  # before a time expression that dates the act ("vào ngày 12-2")
    time_anaphora: Words  # "vào thời điểm đó": the time the text last gave
    continuation: Words  # "Nga cũng yêu cầu …": the account of the sentence before goes on, in its time
    background: Words  # "sau khi X": X came before the act the sentence reports, on a day not given
    subordinators: tuple[str, ...]  # a time after these dates another clause ("trước khi … vào cuối tháng 2")
    place_phrase: PlacePhrase  # "tại Istanbul": where the act took place


@cache
def grammar(lang: str) -> Grammar:
    roles: dict[str, list[str]] = {}
    for row in load_tsv(lang, "event_targets.tsv"):
        if "…" not in row["cue"]:
            roles.setdefault(row["role"], []).append(fold_chars(row["cue"]))
    words = load_yaml(lang, "event_grammar.yaml")

    def folded(key: str) -> tuple[str, ...]:
        return tuple(fold_chars(w) for w in words.get(key, []))

    possessive = folded("possessive")
    return Grammar(tuple(roles.get("joint", [])) + ("-", "–"),
                   tuple(w for w in roles.get("passive_agent", []) if w not in possessive),
                   folded("passive_markers"), possessive,
                   tuple(roles.get("target", [])), tuple(roles.get("place", [])),
                   folded("pair_words"),
                   folded("topic_markers"),
                   folded("patient_subject"),
                   folded("hostile_markers"),
                   folded("purpose_markers"),
                   folded("anaphora"),
                   folded("undated"),
                   folded("aboutness"),
                   folded("demonstratives"),
                   _words_pattern(folded("condition_markers")),
                   folded("complement_gap"),
                   folded("classifiers"),
                   folded("relative_markers"),
                   folded("between"),
                   folded("open_period"),
                   folded("dating_words"),
                   _words_pattern(folded("time_anaphora")),
                   _words_pattern(folded("continuation")),
                   _words_pattern(folded("background")),
                   folded("subordinators"),
                   _place_phrase(roles.get("place", [])))


@dataclass(frozen=True)
class Words:
    """A pattern made of literal words: `search` runs it only where one of the words occurs at all, which
    `str.find` tells much faster than the pattern (most windows searched hold none)."""

    words: tuple[str, ...]
    pattern: regex.Pattern

    def search(self, text: str, start: int = 0, end: int | None = None,
               spans: _WordSpans | None = None) -> regex.Match | None:
        """`pattern.search(text, start, end)`; `spans`: where the words occur in `text`, for many windows of it."""
        end = len(text) if end is None else end
        occurs = spans.any_within(start, end) if spans is not None \
            else any(text.find(word, start, end) >= 0 for word in self.words)
        return self.pattern.search(text, start, end) if occurs else None

    def match(self, text: str) -> regex.Match | None:
        return self.pattern.match(text)


def _words_pattern(words: tuple[str, ...]) -> Words:
    alternation = "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"
    return Words(words, regex.compile(rf"(?<!\w)(?:{alternation})(?!\w)"))


@cache
def _spaced_words(words: tuple[str, ...]) -> Words:
    """One of the words between two spaces (" để ", " nhằm ")."""
    return Words(words, regex.compile(r"\s(?:" + "|".join(map(regex.escape, words)) + r")\s"))


@dataclass(frozen=True)
class PlacePhrase:
    """A place word, then capitalised words ("tại Istanbul"). The case-insensitive pattern is slow to search: in
    an article without the characters that IGNORECASE equates with a place word's letters but that lower-case to
    something else (normalize.lowercase_unsafe), it runs only where the folded text holds a place word."""

    words: tuple[str, ...]
    unsafe: tuple[str, ...] | None
    pattern: regex.Pattern

    def foldable(self, text: str) -> bool:
        """Whether the folded text shows every place the pattern can match in `text`."""
        return self.unsafe is not None and not any(char in text for char in self.unsafe)

    def search(self, text: str, start: int, end: int, spans: _WordSpans | None) -> regex.Match | None:
        """`pattern.search(text, start, end)`; `spans`: where the words occur in fold_chars(text) when
        `foldable(text)`, else None. A match starts with a place word, so the search starts at the first one."""
        if spans is not None:
            start = spans.first_within(start, end)
            if start is None:
                return None
        return self.pattern.search(text, start, end)


class _WordSpans:
    """Where some words occur in a text, found on first use, once for all the windows searched (they overlap)."""

    def __init__(self, text: str, words: tuple[str, ...]) -> None:
        self.text, self.words = text, words
        self.spans: list[tuple[int, int]] | None = None

    def any_within(self, start: int, end: int) -> bool:
        """`any(text.find(word, start, end) >= 0 for word in words)`."""
        return self.first_within(start, end) is not None

    def first_within(self, start: int, end: int) -> int | None:
        """`min(text.find(word, start, end) for word in words)`, leaving out those not found; None if none is."""
        if not all(self.words):  # the empty word is everywhere
            return min((at for word in self.words if (at := self.text.find(word, start, end)) >= 0), default=None)
        if self.spans is None:
            self.spans = []
            for word in self.words:
                at = self.text.find(word)
                while at >= 0:
                    self.spans.append((at, at + len(word)))
                    at = self.text.find(word, at + 1)
            self.spans.sort()
        at = bisect_left(self.spans, (start,))
        while at < len(self.spans) and self.spans[at][0] < end:
            if self.spans[at][1] <= end:
                return self.spans[at][0]
            at += 1
        return None


def _place_phrase(place_words: list[str]) -> PlacePhrase:
    alternation = "|".join(regex.escape(w) for w in sorted(place_words, key=len, reverse=True)) or "(?!)"
    pattern = regex.compile(rf"(?<![\p{{L}}\p{{M}}])(?:{alternation}) (\p{{Lu}}[\p{{L}}\p{{M}}]*(?: \p{{Lu}}[\p{{L}}\p{{M}}]*)*)",
                            regex.I)
    return PlacePhrase(tuple(place_words), lowercase_unsafe(place_words), pattern)


def _word_before(folded: str, start: int, lower: int, words: tuple[str, ...]) -> bool:
    """Whether one of the words ends right before `start` (after `lower`), on a word boundary."""
    low = max(lower, start - WORD_REACH)
    before = folded[low:start].rstrip()
    if not before or (isinstance(words, tuple) and not before.endswith(words)):  # one test for all the words
        return False
    for word in words:
        if before.endswith(word) and (len(before) == len(word) or before[-len(word) - 1] in " \t\n,;:(\"“"):
            return True
    return False


def _extent_starts(doc: Document) -> dict[int, int]:
    """Where each actor's phrase starts, titles included ("với Tổng thống Mỹ Donald Trump" starts at "Tổng")."""
    starts: dict[int, int] = {}
    for mention in doc.mentions:
        owner, seen = mention, 0
        while owner.part_of >= 0 and seen < 4:
            owner, seen = doc.mentions[owner.part_of], seen + 1
        if owner is not mention:
            starts[id(owner)] = min(starts.get(id(owner), owner.start), mention.start)
    return starts


def _sources(doc: Document, folded: str, g: Grammar, clause: tuple[int, int], hit: _Hit, before: list[Mention],
             pair: list[Mention], quote: Quote | None, extent: dict[int, int]) -> tuple[list[Mention], Mention | None]:
    """(sources, patient). A passive agent ("bị Moskva chỉ trích"); else the nearest subject with its joint
    members ("Mỹ và NATO"), passing over possessors ("yêu cầu của Moscow") and objects ("điện đàm với Zelenskiy")
    when a subject stands before them;
    else "hai bên" (the last pair); else the speaker of the quote ("Chúng tôi kêu gọi …"). A subject followed by
    a passive marker with no agent ("yêu cầu của Nga bị bác bỏ") is the patient, and the act has no known source."""
    patient = None
    if before:
        nearest = before[-1]
        gap = folded[nearest.end:hit.start].split()
        if _word_before(folded, nearest.start, clause[0], g.passive) and len(gap) <= 1:
            return [nearest], None
        if any(word in g.passive_markers for word in gap):
            return [], nearest
        subjects = [m for m in before
                    if not _word_before(folded, extent.get(id(m), m.start), clause[0], g.possessive + g.target_markers)]
        if subjects and subjects[-1] is not nearest:
            patient = nearest
        nearest = subjects[-1] if subjects else nearest
        group = [nearest]
        for earlier in reversed(before[:before.index(nearest)]):
            gap_text = folded[earlier.end:group[0].start].strip()
            if gap_text in g.joiners:
                group.insert(0, earlier)
            else:
                break
        return group, patient
    if pair:
        return (pair[:1] if hit.trigger.type in SYMMETRIC else pair), None
    if quote and quote.speaker and quote.speaker.code:
        return [quote.speaker], None
    return [], None


def _between(actors: _Actors, folded: str, g: Grammar, hit: _Hit,
             clause: tuple[int, int]) -> tuple[list[Mention], None]:
    """A nominal act followed by its parties: "cuộc điện đàm giữa ông Putin với Tổng thống Mỹ" -> (Putin,)."""
    after = actors.between(hit.end, clause[1])
    if after and set(g.between) & set(folded[hit.end:after[0].start].split()[-2:]):  # "giữa ông Putin"
        return [after[0]], None
    return [], None


def _targets(doc: Document, actors: _Actors, purposes: _WordSpans, folded: str, g: Grammar, sentence: Sentence,
             clause: tuple[int, int], hit: _Hit, sources: list[Mention],
             pair: list[Mention]) -> tuple[list[Mention], list[Mention]]:
    """(sources, targets). The other member of a joint or paired subject, or of "giữa X và/với Y", for mutual
    acts; else the first other actor after the trigger, up to a purpose clause ("để …"), in its clause and then
    in the rest of the sentence; a closing attribution ("…, ông X cảnh báo.") looks back into what was reported.
    Undirected acts (shows of force) take a target only after a hostile marker ("chống lại", "nhằm vào")."""
    codes = {s.code for s in sources}
    symmetric = hit.trigger.type in SYMMETRIC
    addressed = [m for m in actors.between(hit.end, clause[1]) if m.code not in codes]
    if symmetric and len(sources) > 1 and not addressed:  # "Nga và Mỹ đã gặp nhau": with each other
        return sources[:1], [sources[1]]
    if pair and len(pair) == 2 and sources[0] in pair and symmetric:
        return sources[:1], [pair[1] if sources[0] is pair[0] else pair[0]]
    reach = min(sentence.end, hit.end + CLAUSE_REACH)
    purpose = _spaced_words(g.purpose_markers).search(folded, hit.end, reach, purposes) \
        if g.purpose_markers else None
    limit = purpose.start() if purpose else reach
    windows = [(hit.end, min(clause[1], limit)), (clause[1], limit)]
    if hit.trigger.speech and text_is_closing(doc, sentence, clause):
        windows.append((max(sentence.start, clause[0] - CLAUSE_REACH), clause[0]))
    for start, end in windows:
        others = addressed if (start, end) == (hit.end, clause[1]) \
            else [m for m in actors.between(start, end) if m.code not in codes]
        if hit.trigger.type in UNDIRECTED:
            others = [m for m in others if _word_before(folded, m.start, hit.end, g.hostile_markers)]
        if not others:
            continue
        first = others[0]
        if symmetric and _word_before(folded, first.start, hit.end, g.between) and len(others) > 1 \
                and folded[first.end:others[1].start].strip() in g.joiners:
            return [first], [others[1]]  # "cuộc điện đàm giữa ông Putin với Tổng thống Mỹ"
        group = [first]
        for nxt in others[1:]:
            if folded[group[-1].end:nxt.start].strip() in g.joiners:
                group.append(nxt)
            else:
                break
        return sources, group
    return sources, []


def text_is_closing(doc: Document, sentence: Sentence, clause: tuple[int, int]) -> bool:
    """Whether the clause is a closing attribution: it ends the sentence and follows a comma or a dash."""
    tail = _NOT_SPACE_OR_DOT.search(doc.text, clause[1], sentence.end)  # stops at the first one: not a copy of
    head = doc.text[max(sentence.start, clause[0] - 3):clause[0]]      # the rest of a long sentence per trigger
    return not tail and clause[0] > sentence.start and any(c in head for c in ",-–")


_NOT_SPACE_OR_DOT = regex.compile(r"[^ .]")


def _condition(actors: _Actors, conditions: _WordSpans, folded: str, g: Grammar, sentence: Sentence,
               hit: _Hit) -> tuple[bool, Mention | None]:
    """Whether the trigger's sentence (within CLAUSE_REACH of it) states a condition ("nếu Mỹ …", "phụ thuộc vào
    việc Washington …"), and the actor the condition names, if any."""
    start, end = max(sentence.start, hit.start - CLAUSE_REACH), min(sentence.end, hit.end + CLAUSE_REACH)
    found = g.condition.search(folded, start, end, conditions)
    if not found:
        return False, None
    named = actors.between(found.end(), end)
    return True, (named[0] if named else None)


def _conditional(doc: Document, sentence: Sentence, hit: _Hit, kind: str, mode: str, speaker: Mention,
                 other: Mention | None, today: str | None) -> Event:
    start, end = _trim(doc.text, sentence.start, sentence.end)
    return Event(
        id=_event_id(doc.article.id, sentence.index, hit.start, f"{kind}:{speaker.code}", other.code if other else None),
        type=kind, mode=mode, negated=False, modality="conditional", source=speaker, target=other,
        date=today, date_precision="day" if today else None, date_from="published" if today else "none",
        trigger=doc.text[hit.start:hit.end],
        evidence=Evidence(doc.article.id, sentence.index, start, end, doc.text[start:end]),
        confidence=0.55, speaker=speaker)


def _actor_right_after(doc: Document, folded: str, hit: _Hit, sources: list[Mention]) -> Mention | None:
    """An actor opening the complement of the trigger ("hy vọng Moscow sẽ …"): the one hoped or wished upon."""
    codes = {s.code for s in sources}
    for m in doc.mentions_between(hit.end, hit.end + RIGHT_AFTER_CHARS):
        if m.part_of < 0 and m.code and m.code not in codes and m.kind in ACTOR_KINDS:
            return m if len(folded[hit.end:m.start].split()) <= 1 else None
    return None


def code_events(doc: Document) -> list[Event]:
    cues_ = cues(doc.article.language or "vi")
    g = grammar(doc.article.language or "vi")
    text, folded = doc.text, fold_chars(doc.text)
    triggers = _find_triggers(folded, doc.sentences, cues_.automaton)
    if not any(triggers):
        return []  # no trigger, no event: the look-ups below are not built
    dyad = main_dyad(doc)
    today = news_day(doc)
    section = section_start(doc)
    extent = _extent_starts(doc)
    quote_starts = [q.start for q in doc.quotes]
    dating = _Dating(doc, g)
    actors = _Actors(doc, folded, g)
    places = _WordSpans(folded, g.place_phrase.words) if g.place_phrase.foldable(text) else None
    purposes, conditions = _WordSpans(folded, g.purpose_markers), _WordSpans(folded, g.condition.words)
    pair_words = _WordSpans(folded, g.pair_words)
    counterparts: _Counterparts | None = None  # built on first use
    modality_cues: dict[tuple[int, int], list] = {}  # the modality cues of each clause, matched once
    first_named: dict[str, Mention] = {}  # the first mention of a country (a country name first): dyad fallback
    events: list[Event] = []
    for sentence, hits in zip(doc.sentences, triggers):
        wish_clause: tuple[int, int] | None = None
        breaks = _clause_breaks(text, sentence) if hits else []
        for hit in _drop_complements(text, hits, g.complement_gap):
            clause = _clause(text, breaks, sentence, hit.start, hit.end)
            if clause == wish_clause:
                continue  # "hy vọng Moscow sẽ xem xét … và quay trở lại bàn đàm phán": what is wished for
            if hit.trigger.type == "REQUEST" or hit.trigger.mode == "intent":
                wish_clause = clause
            lead = folded[clause[0]:hit.start]  # the clause before the trigger
            lead_words = lead.split()
            if _is_topic(doc, folded, clause[0], lead, lead_words, g.topic_markers):
                continue
            if _word_before(folded, hit.start, clause[0], g.locative):
                continue  # "tại hội nghị thượng đỉnh G20": the setting of something else
            next_word = folded[hit.end:hit.end + 6].split()[:1]
            if next_word and next_word[0] in g.demonstratives:
                continue  # "cuộc đàm phán này": an act already reported
            if hit.trigger.type == "AGREE" and "của" in folded[hit.end:clause[1]].split()[:4]:
                continue  # "cam kết nhiều thập kỷ của Moscow": a pledge named, not made here
            if not hit.trigger.speech and any(f" {w} " in f" {' '.join(lead_words)} " for w in g.relative_markers):
                continue  # "5 khu vực … mà Nga đã sáp nhập": a relative clause describes an act, it does not report it
            if clause not in modality_cues:
                modality_cues[clause] = longest_matches(cues_.modality, folded, clause[0], clause[1])
            negated, modality = _modality(folded, clause, hit, modality_cues[clause])
            if modality in UNREAL:
                continue
            event_type, mode = hit.trigger.type, hit.trigger.mode
            if modality == "refuse":  # "không cần phải đàm phán", "không có kế hoạch gặp": declining the act
                event_type, mode, modality, negated = "REJECT", "refuse", None, False
            quote = _containing_quote(doc.quotes, quote_starts, hit.start, hit.end)
            speaker = quote.speaker if quote and quote.speaker and quote.speaker.code else None
            before = actors.between(clause[0], hit.start)
            grouped = pair_words.any_within(clause[0], hit.start)
            pair = pair_before(doc, clause[0], sentence.paragraph, g.joiners, dyad,
                               speaker.code if speaker else None, g.aboutness, folded) if grouped and not before else []
            sources, patient = _sources(doc, folded, g, clause, hit, before, pair, quote, extent)
            previous = events[-1] if events else None
            if not sources and event_type in SYMMETRIC and previous and previous.evidence.sentence == sentence.index \
                    and previous.type in SYMMETRIC and previous.source:
                sources = [previous.source]  # "cuộc điện đàm giữa X với Y … và cuộc họp … sau đó": same parties
                patient = previous.target
            if not sources:
                sources, patient = _between(actors, folded, g, hit, clause)  # "cuộc điện đàm giữa X với Y"
            if not sources:
                continue
            sources, targets = _targets(doc, actors, purposes, folded, g, sentence, clause, hit, sources, pair)
            if fold_chars(text[hit.start:hit.end]) in g.patient_subject and speaker and speaker.code != sources[0].code:
                sources, targets = [speaker], sources  # "[Peskov:] phía Nhật Bản phải chịu trách nhiệm"
            elif modality == "obligation" and speaker and speaker.code != sources[0].code:
                event_type, mode, modality = "REQUEST", "demand", None  # "[MFA:] NATO phải rút binh lính"
                sources, targets = [speaker], sources
            elif event_type == "AGREE" and mode == "intent" and _actor_right_after(doc, folded, hit, sources):
                event_type, mode = "REQUEST", "appeal"  # "hy vọng Moscow sẽ quay trở lại bàn đàm phán"
                targets = [_actor_right_after(doc, folded, hit, sources)]
            conditional, condition_actor = _condition(actors, conditions, folded, g, sentence, hit) if speaker \
                else (False, None)
            if conditional and event_type != "REQUEST" and speaker.code in {m.code for m in sources + targets}:
                # "[Peskov:] đàm phán có thể diễn ra nếu Mỹ …": a conditional offer or threat by the speaker,
                # and the implied demand (conventions: THREATEN or AGREE plus REQUEST)
                counterparts = counterparts or _Counterparts(actors)
                other = condition_actor or _local_counterpart(doc, counterparts, hit.start, sentence, speaker)
                offer = "THREATEN" if event_type in ALLEGED | {"THREATEN"} else "AGREE"
                for kind, kind_mode in ((offer, "conditional"), ("REQUEST", "demand")):
                    events.append(_conditional(doc, sentence, hit, kind, kind_mode, speaker, other,
                                               day_of(doc, hit.start, today, section)))
                continue
            if event_type in ALLEGED and speaker and speaker.code not in {s.code for s in sources} \
                    and (not targets or speaker.code not in {t.code for t in targets}):
                # "[a Russian official:] Mỹ đang chuẩn bị triển khai tên lửa": only alleged, so the allegation
                # itself is the event (conventions: an act alleged by the other side is coded as ACCUSE)
                event_type, mode, targets, sources = "ACCUSE", "accuse", sources, [speaker]
            from_context = False
            if not targets and patient is not None:
                targets = [patient]
            if not targets and any(a in lead for a in g.anaphora) and previous \
                    and previous.source and previous.source.code not in {s.code for s in sources}:
                targets = [previous.source]  # "động thái bị Moskva chỉ trích": the move just reported
            if not targets and event_type not in UNDIRECTED:
                counterparts = counterparts or _Counterparts(actors)
                local = _local_counterpart(doc, counterparts, hit.start, sentence, sources[0])
                if local is None and dyad and sources[0].code in dyad:
                    other = dyad[1] if sources[0].code == dyad[0] else dyad[0]
                    if other not in first_named:
                        first_named[other] = min((m for m in doc.mentions if m.country == other),
                                                 key=lambda m: (m.kind != "COUNTRY", m.start))
                    local = first_named[other]
                targets = [local] if local else []
                from_context = bool(local)
            when = _date(doc, g, sentence, clause, hit, quote, day_of(doc, hit.start, today, section),
                         before_only=mode == "refuse" or modality == "planned", dating=dating,
                         previous=doc.sentences[sentence.index - 1] if sentence.index else None)
            ev_start = min([clause[0]] + [s.start for s in sources if s.start >= sentence.start])
            ev_end = max([clause[1]] + [t.end for t in targets if t and t.end <= clause[1]])
            ev_start, ev_end = _trim(text, ev_start, ev_end)
            evidence = Evidence(doc.article.id, sentence.index, ev_start, ev_end, text[ev_start:ev_end])
            confidence = 0.45 + (0.2 if before else 0.05) + (0.2 if targets and not from_context else 0.0) \
                + (0.1 if sentence.role == "body" else 0.0)
            for source in sources:
                for target in targets or [None]:
                    if target is not None and target.code == source.code:
                        continue  # an actor acting on itself is a misattached argument, not an event
                    events.append(Event(
                        id=_event_id(doc.article.id, sentence.index, hit.start, source.code,
                                     target.code if target else None),
                        type=event_type, mode=mode, negated=negated, modality=modality,
                        source=source, target=target, date=when[0], date_precision=when[1], date_from=when[2],
                        trigger=text[hit.start:hit.end], evidence=evidence, confidence=round(min(confidence, 0.95), 2),
                        place=_place(doc, g, clause, places), speaker=quote.speaker if quote else None,
                    ))
    return _once(doc, events, g.classifiers)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " ,;:“”\"'":
        start += 1
    while end > start and text[end - 1] in " ,;:.“”\"'":
        end -= 1
    return start, end


@lru_cache(maxsize=4096)  # triggers are lexicon phrases: few distinct ones
def _act(trigger: str, classifiers: tuple[str, ...]) -> str:
    """A trigger without its nominal classifier: "cuộc đối thoại" and "đối thoại" name the same act."""
    words = fold_chars(trigger).split()
    while len(words) > 1 and words[0] in classifiers:
        words = words[1:]
    return " ".join(words)


def _once(doc: Document, events: list[Event], classifiers: tuple[str, ...]) -> list[Event]:
    """One event per statement: drop title, heading and caption events that restate a body event (a headline
    with the same dyad as the body restates it), an act named twice in one sentence, and repeats of the same act
    (same type, source, negation, trigger and date) within REPEAT_SENTENCES sentences ("Moscow cảnh báo …",
    "…, Ryabkov cảnh báo.", "…, ông cảnh báo." are one warning). An act first named without a date ("sau khi Mỹ
    thông báo kế hoạch triển khai tên lửa") and then with one within those sentences is one event, the dated one."""
    roles = {s.index: s.role for s in doc.sentences}
    keys = [(e.type, e.source.code if e.source else None, e.target.code if e.target else None, e.negated)
            for e in events]
    in_body = [roles.get(e.evidence.sentence) == "body" for e in events]
    body_keys = {key + (e.date,) for e, key, body in zip(events, keys, in_body) if body}
    body_dyads = {key[1:3] for key, body in zip(keys, in_body) if body}
    kept: list[Event] = []
    in_sentence: set[tuple] = set()
    mentioned: dict[tuple, list[int]] = {}  # (type, source, negated, date, act) -> sentences it was named in
    undated: dict[tuple, tuple[int, int]] = {}  # (type, source, negated, act) -> (sentence, index in kept)
    for event, key in zip(events, keys):
        role = roles.get(event.evidence.sentence)
        sentence = event.evidence.sentence
        if role != "body" and key + (event.date,) in body_keys:
            continue
        if role in ("title", "heading") and key[1:3] in body_dyads:
            continue  # a headline sums up what the body reports
        if key + (sentence,) in in_sentence:
            continue  # one act named twice in a sentence ("đối thoại chính trị hoặc đối thoại ở cấp cao nhất")
        act = (event.type, key[1], event.negated, event.date, _act(event.trigger, classifiers))
        plain = act[:3] + act[4:]
        if event.date is not None and plain in undated and 0 < sentence - undated[plain][0] <= REPEAT_SENTENCES:
            kept[undated.pop(plain)[1]] = event  # the same act, named first without its date: the dated mention
            continue
        earlier = mentioned.setdefault(act, [])
        restated = any(0 < sentence - before <= REPEAT_SENTENCES for before in earlier[-REPEAT_SENTENCES - 1:])
        if not earlier or earlier[-1] != sentence:
            earlier.append(sentence)  # a chain of restatements stays one event
        if restated:
            continue
        in_sentence.add(key + (sentence,))
        if event.date is None:
            undated[plain] = (sentence, len(kept))
        kept.append(event)
    return kept
