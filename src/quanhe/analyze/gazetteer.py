"""The actor gazetteer compiled into one Aho-Corasick automaton over case-folded text.

Every lexicon row (countries, capitals and seats of power, institutions, IGOs, media, titles, people) becomes
an `Entry`; the automaton finds all of them in one pass, and `scan()` keeps the longest match at each place,
on word boundaries. Case folding is done character by character so offsets into the clean text stay valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

import ahocorasick
import regex

from quanhe.lexicons import load_tsv, load_yaml
from quanhe.text.matching import compile_phrases, phrase_key
from quanhe.text.normalize import is_syllable

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


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entries: tuple[Entry, ...]

    @property
    def entry(self) -> Entry:
        return self.entries[0]


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
    bare_surnames: ahocorasick.Automaton  # surnames that are not Vietnamese words, found without an honorific
    honorific_name: regex.Pattern  # "ông Peskov", "bà Zakharova"
    post_phrase: regex.Pattern  # " tại Istanbul" after a diplomatic mission: its post
    listed_place: regex.Pattern  # "tại Geneva, " before a country: the country locates the city
    words: dict
    _folded_words: dict = field(default_factory=dict, repr=False, compare=False)
    _patterns: dict = field(default_factory=dict, repr=False, compare=False)

    def folded_words(self, name: str) -> list[str]:
        """The listed words of `name`, case-folded, longest first (computed once per list)."""
        found = self._folded_words.get(name)
        if found is None:
            found = self._folded_words[name] = sorted((w.casefold() for w in self.words.get(name, [])), key=len,
                                                      reverse=True)
        return found

    def word_set(self, name: str) -> frozenset[str]:
        """The listed words of `name` as given, as a set (computed once per list)."""
        found = self._patterns.get(("set", name))
        if found is None:
            found = self._patterns[("set", name)] = frozenset(self.words.get(name, []))
        return found

    def words_pattern(self, name: str) -> regex.Pattern | None:
        """Any of the folded words of `name` as a whole word, case-insensitively (None when the list is empty)."""
        key = ("words", name)
        if key not in self._patterns:
            words = self.folded_words(name)
            self._patterns[key] = regex.compile(
                r"(?<![\p{L}\p{M}])(?:" + "|".join(regex.escape(w) for w in words) + r")(?![\p{L}\p{M}])",
                regex.I) if words else None
        return self._patterns[key]

    def scan(self, folded: str) -> list[Match]:
        """Longest non-overlapping matches on word boundaries, left to right (as `longest_matches` over the
        whole text, with the boundary test inlined)."""
        if self.automaton.kind != ahocorasick.AHOCORASICK:
            return []
        size = len(folded)
        found = []
        append = found.append
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
            append((match_start, -match_end, entries))
        found.sort(key=_span_key)
        chosen: list[Match] = []
        last_end = -1
        for match_start, negative_end, entries in found:
            if match_start >= last_end:
                last_end = -negative_end
                chosen.append(Match(match_start, last_end, entries))
        return chosen


def _span_key(item: tuple) -> tuple[int, int]:
    return item[0], item[1]


@cache
def gazetteer(lang: str) -> Gazetteer:
    grouped: dict[str, list[Entry]] = {}
    surnames: dict[str, list[Entry]] = {}
    for entry in _entries(lang):
        grouped.setdefault(phrase_key(entry.surface), []).append(entry)
        if entry.category == "person" and " " in entry.surface.strip():
            surnames.setdefault(phrase_key(entry.surface.split()[-1]), []).append(entry)
    automaton = compile_phrases((key, tuple(entries)) for key, entries in grouped.items())
    # "Trong", "Bình", "Kim" are also common words: such surnames count only after an honorific ("ông Kim").
    bare = compile_phrases((key, key) for key in surnames if not is_syllable(key))
    words = load_yaml(lang, "actors.yaml")
    # the honorific in any case ("Ông", "ông"), the name capitalised ("ông Peskov", not "ông ông")
    honorific_name = regex.compile(rf"\b(?i:{_alternation(words.get('honorifics', []))})\.? ({NAME_WORD})")
    post = _alternation(words.get("post_location", []))
    locative = _alternation(words.get("locative", []))
    return Gazetteer(automaton, {k: tuple(v) for k, v in surnames.items()}, bare, honorific_name,
                     regex.compile(rf" (?:{post}) {NAME_WORD}(?: {NAME_WORD}){{0,3}}", regex.I),
                     regex.compile(rf"(?:{locative}) {NAME_WORD}(?: {NAME_WORD})*, $", regex.I), words)


def _alternation(words: list[str]) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"
