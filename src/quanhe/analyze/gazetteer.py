"""The actor gazetteer compiled into one Aho-Corasick automaton over case-folded text.

Every lexicon row (countries, capitals and seats of power, institutions, IGOs, media, titles, people) becomes
an `Entry`; the automaton finds all of them in one pass, and `scan()` keeps the longest match at each place,
on word boundaries. Case folding is done character by character so offsets into the clean text stay valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import chain
from typing import NamedTuple

import ahocorasick
import regex

from quanhe.lexicons import load_tsv, load_yaml
from quanhe.text.matching import compile_phrases, fold_chars, phrase_key
from quanhe.text.normalize import is_syllable, lowercase_unsafe

NAME_WORD = r"\p{Lu}[\p{Ll}\p{M}'’]*(?:-\p{L}[\p{Ll}\p{M}'’]*)*"  # a capitalised name word ("Thomas-Greenfield")

IGO_SECTOR = "IGO"


@dataclass(frozen=True)
class Entry:
    surface: str
    canonical: str
    category: str  # country | capital | seat | place | institution | head | igo | bloc | media | title | person
    kind: str  # the Mention kind it yields
    country: str | None = None
    sector: str | None = None
    org: str | None = None
    ambiguous: bool = False
    takes_country: bool = False
    role: str = ""
    start: str = ""
    end: str = ""

    def valid_on(self, day: date | None) -> bool:
        """Whether a person's role covers the day (open ends and unknown days always do)."""
        if day is None:
            return True
        text = day.isoformat()
        return (not self.start or self.start[: len(text)] <= text) and (not self.end or text <= self.end + "~")


class Match(NamedTuple):  # a tuple: one is made for every match of every article, and a frozen dataclass is slower
    start: int
    end: int
    entries: tuple[Entry, ...]

    @property
    def entry(self) -> Entry:
        return self.entries[0]


@dataclass(frozen=True)
class WordPattern:
    """A pattern whose every match opens with one of some listed words, matched case-insensitively. The regex engine
    tries such an alternation slowly at every offset; `finditer` looks for the words' starts in the folded text with
    plain string searches and tries the pattern only there."""

    pattern: regex.Pattern
    openings: tuple[str, ...]  # the words folded, less those another one begins ("ông ấy" starts with "ông")
    # characters the pattern takes for a letter of the words that fold to another ("ſ" for "s"), None when that
    # cannot be known (normalize.lowercase_unsafe): a text holding one is matched the slow way
    unsafe: tuple[str, ...] | None

    @classmethod
    def build(cls, pattern: regex.Pattern, words: Iterable[str]) -> WordPattern:
        words = list(words)
        folded = {fold_chars(w) for w in words}
        openings = tuple(w for w in folded if not any(o != w and w.startswith(o) for o in folded))
        return cls(pattern, openings, lowercase_unsafe(words))

    def finditer(self, text: str, folded: str) -> Iterator[regex.Match]:
        """The matches of `pattern.finditer(text)` (`folded` is `fold_chars(text)`): each starts where an opening
        starts in the folded text, and they are tried left to right from the end of the last one, as finditer does."""
        if self.unsafe is None or any(ch in text for ch in self.unsafe):  # the folded text may hide a match
            yield from self.pattern.finditer(text)
            return
        starts = []
        for word in self.openings:
            at = folded.find(word)
            while at >= 0:
                starts.append(at)
                at = folded.find(word, at + 1)
        reached = 0
        for start in sorted(starts):
            if start >= reached and (found := self.pattern.match(text, start)):
                reached = found.end()
                yield found


def _code(value: str) -> str | None:
    return value.strip() or None


def _entries(lang: str) -> list[Entry]:
    entries: list[Entry] = []
    for row in load_tsv(lang, "countries.tsv"):
        if row.get("kind") != "COUNTRY":  # a region named so that its longest match hides a country inside it
            entries.append(Entry(row["surface"], row["canonical"], "place", "PLACE"))
            continue
        entries.append(Entry(row["surface"], row["canonical"], "country", "COUNTRY", _code(row["country"]),
                             ambiguous=row.get("ambiguous", "") == "y"))
    for row in load_tsv(lang, "capitals.tsv"):
        kind = row.get("kind") or "CAPITAL_METONYM"
        category = {"INSTITUTION": "seat", "PLACE": "place"}.get(kind, "capital")
        entries.append(Entry(row["surface"], row["canonical"], category, kind, _code(row["country"]),
                             _code(row["sector"])))
    for row in load_tsv(lang, "institutions.tsv"):
        sector = _code(row["sector"])
        country = _code(row["country"])
        if sector == IGO_SECTOR:
            entries.append(Entry(row["surface"], row.get("name") or row["canonical"], "igo", "ORG", None, sector,
                                 org=row["canonical"]))
        elif not country and not sector:
            entries.append(Entry(row["surface"], row["canonical"], "bloc", "ORG"))
        else:
            head = row.get("takes_country", "") == "y"
            entries.append(Entry(row["surface"], row["canonical"], "head" if head else "institution",
                                 row.get("kind") or "INSTITUTION", country, sector, takes_country=head))
    for row in load_tsv(lang, "media.tsv"):
        entries.append(Entry(row["surface"], row["canonical"], "media", "ORG", _code(row["country"]), "MED"))
    for row in load_tsv(lang, "titles.tsv"):
        sector = _code(row["sector"])
        entries.append(Entry(row["title"], row["title"], "title", row.get("kind") or "PERSON", _code(row["country"]),
                             sector, org=_code(row.get("org", ""))))
    for row in load_tsv(lang, "people.tsv"):
        names = [row["name"]] + [a for a in row.get("aliases", "").split("|") if a.strip()]
        for name in names:
            entries.append(Entry(name.strip(), row["name"], "person", "PERSON", _code(row["country"]),
                                 _code(row["sector"]), role=row.get("role", ""), start=row.get("start", ""),
                                 end=row.get("end", "")))
    return entries


@dataclass
class Gazetteer:
    automaton: ahocorasick.Automaton
    surnames: dict[str, tuple[Entry, ...]]  # last name token -> people entries, for "ông Peskov", "Putin"
    bare_surnames: frozenset[str]  # automaton keys: surnames that are not Vietnamese words, found without an honorific
    honorific_name: WordPattern  # "ông Peskov", "bà Zakharova"
    pronoun: WordPattern | None  # "ông", "bà", "ông ấy" as whole words (None when the list is empty)
    post_phrase: regex.Pattern  # " tại Istanbul" after a diplomatic mission: its post
    listed_place: regex.Pattern  # "tại Geneva, " before a country: the country locates the city (anchored at the end,
    # so searched backwards from there rather than tried from every offset)
    words: dict
    _folded_words: dict = field(default_factory=dict, repr=False, compare=False)
    _patterns: dict = field(default_factory=dict, repr=False, compare=False)

    def folded_words(self, name: str) -> tuple[str, ...]:
        """The listed words of `name`, case-folded, longest first (computed once per list)."""
        found = self._folded_words.get(name)
        if found is None:
            found = self._folded_words[name] = tuple(sorted((w.casefold() for w in self.words.get(name, [])),
                                                            key=len, reverse=True))
        return found

    def word_set(self, name: str) -> frozenset[str]:
        """The listed words of `name` as given, as a set (computed once per list)."""
        found = self._patterns.get(("set", name))
        if found is None:
            found = self._patterns[("set", name)] = frozenset(self.words.get(name, []))
        return found

    def scan(self, folded: str) -> tuple[list[Match], list[tuple[int, int]]]:
        """Longest non-overlapping matches on word boundaries, left to right, and from the same pass the (start, end)
        of the bare surnames chosen the same way (each list as `longest_matches` over the whole text)."""
        if self.automaton.kind != ahocorasick.AHOCORASICK:
            return [], []
        size = len(folded)
        found = []
        surnames = []
        bare_surnames = self.bare_surnames
        for end_index, (key, entries) in self.automaton.iter(folded):
            match_end = end_index + 1
            match_start = match_end - len(key)
            if match_start > 0:
                ch = folded[match_start - 1]
                if ch.isalnum() or ch in "_'’" or "\u0300" <= ch <= "\u036f":
                    continue
            if match_end < size:
                ch = folded[match_end]
                if ch.isalnum() or ch in "_'’" or "\u0300" <= ch <= "\u036f":
                    continue
            if entries:
                found.append((match_start, -match_end, entries))
            if key in bare_surnames:
                surnames.append((match_start, -match_end))
        found.sort()  # by start, then longest first (no two share both, so the entries are never compared)
        surnames.sort()
        return ([Match(start, -negative_end, entries) for start, negative_end, entries in _leftmost_longest(found)],
                [(start, -negative_end) for start, negative_end in _leftmost_longest(surnames)])


def _leftmost_longest(found: list[tuple]) -> Iterator[tuple]:
    """Of matches (start, -end, ...) sorted, those that overlap none kept before them."""
    last_end = -1
    for match in found:
        if match[0] >= last_end:
            last_end = -match[1]
            yield match


@cache
def gazetteer(lang: str) -> Gazetteer:
    grouped: dict[str, list[Entry]] = {}
    surnames: dict[str, list[Entry]] = {}
    for entry in _entries(lang):
        grouped.setdefault(phrase_key(entry.surface), []).append(entry)
        if entry.category == "person" and " " in entry.surface.strip():
            surnames.setdefault(phrase_key(entry.surface.split()[-1]), []).append(entry)
    # "Trong", "Bình", "Kim" are also common words: such surnames count only after an honorific ("ông Kim").
    # The others are found without one, by the gazetteer automaton (with no entries where a surname is only that).
    bare = [key for key in surnames if not is_syllable(key)]
    automaton = compile_phrases(chain(((key, tuple(entries)) for key, entries in grouped.items()),
                                      ((key, ()) for key in bare)))
    words = load_yaml(lang, "actors.yaml")
    # the honorific in any case ("Ông", "ông"), the name capitalised ("ông Peskov", not "ông ông")
    honorifics = words.get("honorifics", [])
    pronouns = [w.casefold() for w in words.get("person_pronouns", [])]
    honorific_name = WordPattern.build(regex.compile(rf"\b(?i:{_alternation(honorifics)})\.? ({NAME_WORD})"),
                                       honorifics)
    whole_word = rf"(?<![\p{{L}}\p{{M}}])(?:{_alternation(pronouns)})(?![\p{{L}}\p{{M}}])"
    pronoun = WordPattern.build(regex.compile(whole_word, regex.I), pronouns) if pronouns else None
    post = _alternation(words.get("post_location", []))
    locative = _alternation(words.get("locative", []))
    return Gazetteer(automaton, {k: tuple(v) for k, v in surnames.items()}, frozenset(map(phrase_key, bare)),
                     honorific_name, pronoun,
                     regex.compile(rf" (?:{post}) {NAME_WORD}(?: {NAME_WORD}){{0,3}}", regex.I),
                     regex.compile(rf"(?:{locative}) {NAME_WORD}(?: {NAME_WORD})*, $", regex.I | regex.REVERSE),
                     words)


def _alternation(words: list[str]) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"
