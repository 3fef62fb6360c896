"""The actors stage: every political actor in the clean text, resolved to a country/IGO code and a sector.

1. The gazetteer automaton finds countries, capitals, seats of power, institutions, IGOs, media, titles and
   known people (longest match wins).
2. A small grammar groups what belongs together: an institution head takes the country that follows it
   ("Bộ Ngoại giao" + "Nga" = one actor); a title takes its country, institution, post location and the name
   that follows ("Người phát ngôn Điện Kremlin Dmitry Peskov" = Peskov, RUS, GOV), so unknown people are still
   coded through their title.
3. Coreference: surnames and honorific forms ("ông Peskov", "Peskov"), bare titles ("người phát ngôn Điện
   Kremlin", "Thủ tướng Nhật Bản") and pronouns ("ông", "bà") resolve to the person named earlier.
4. Countries and cities named only as locations ("tại Geneva, Thụy Sĩ") become PLACE, not actors.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import accumulate

import regex

from quanhe.analyze.gazetteer import NAME_WORD, Entry, Gazetteer, Match, gazetteer
from quanhe.lexicons import load_tsv
from quanhe.model import Document, Mention
from quanhe.text.matching import fold_chars
from quanhe.text.normalize import is_syllable

_NAME_RUN = regex.compile(rf"{NAME_WORD}(?: {NAME_WORD}){{0,3}}")
_SPACE = regex.compile(r"[ \t]*")
GOV = "GOV"
ACRONYM_MAX = 4  # an all-capitals gazetteer surface this short must match case-sensitively


@dataclass
class _State:
    doc: Document
    gaz: Gazetteer
    folded: str
    mentions: list[Mention] = field(default_factory=list)
    places: list[tuple[int, int]] = field(default_factory=list)  # gazetteer regions and places matched
    next_entity: int = 0
    last_person: dict[str, Mention] = field(default_factory=dict)  # folded surname -> the last PERSON mention
    blank_person: bool = False  # a PERSON mention whose canonical name has no word (never from the lexicons)
    sentence_starts: list[int] = field(default_factory=list)  # doc.sentences' starts, for _sentence_index
    bare_surnames: list[tuple[int, int]] = field(default_factory=list)  # spans from the gazetteer scan

    def __post_init__(self) -> None:
        self.sentence_starts = [s.start for s in self.doc.sentences]


def _words(gaz: Gazetteer, name: str) -> tuple[str, ...]:
    return gaz.folded_words(name)  # computed once per gazetteer and list


def _word_before(state: _State, start: int, words: tuple[str, ...]) -> bool:
    """Whether a listed word ends right before `start` (one space between)."""
    prefix = state.folded[max(0, start - 30):start].rstrip(" ,")
    if not prefix.endswith(words):  # one test for the whole list, before the word boundary of each
        return False
    return any(prefix.endswith(word) and (len(prefix) == len(word) or not prefix[-len(word) - 1].isalnum())
               for word in words)


def _sentence_index(state: _State, offset: int) -> int:
    """As `doc.sentence_at(offset).index` (-1 outside every sentence), over the starts taken once per document."""
    position = bisect_right(state.sentence_starts, offset) - 1
    if position >= 0:
        sentence = state.doc.sentences[position]
        if offset < sentence.end:
            return sentence.index
    return -1


def _new_mention(state: _State, start: int, end: int, entry: Entry, **changes) -> Mention:
    mention = Mention(start, end, state.doc.text[start:end], entry.canonical, entry.country, entry.sector,
                      entry.kind, "gazetteer", _sentence_index(state, start), org=entry.org)
    for key, value in changes.items():
        setattr(mention, key, value)
    if mention.entity < 0:
        mention.entity = state.next_entity
        state.next_entity += 1
    state.mentions.append(mention)
    if mention.kind == "PERSON" and mention.canonical:
        words = mention.canonical.split()
        if words:
            state.last_person[fold_chars(words[-1])] = mention
        else:
            state.blank_person = True
    return mention


def _person_entry(entries: tuple[Entry, ...], state: _State) -> Entry:
    """The role of a person valid at the publication date, else the latest one."""
    day = state.doc.article.published
    valid = [e for e in entries if e.valid_on(day)]
    return (valid or sorted(entries, key=lambda e: e.start))[-1]


def _outlet_name_start(state: _State, match: Match) -> int:
    """"hãng tin TASS", "đài RT", "kênh truyền hình Rossiya-1": the outlet is its name, when that name is itself
    in the gazetteer ("Đài truyền hình Nga" stays whole)."""
    folded = state.folded[match.start:match.end]
    for noun in _words(state.gaz, "outlet_nouns"):
        if folded.startswith(noun + " "):
            rest = match.start + len(noun) + 1
            known = state.gaz.automaton.get(state.folded[rest:match.end], None)
            if known and any(e.category == "media" for e in known[1]):
                return rest
    return match.start


def _acronym(surface: str) -> bool:
    return surface.isupper() and surface.isascii() and len(surface) <= ACRONYM_MAX


def _accepts_ambiguous(state: _State, match: Match) -> bool:
    """Ambiguous country words ("Anh", "Nhật", "Đức", "Pháp") count only when capitalised, not sentence-initial,
    not after an honorific, and not continuing a personal name ("Minh Đức") unless an actor ends right before."""
    text = state.doc.text
    before = text[max(0, match.start - 40):match.start].rstrip()
    if not text[match.start].isupper() or not before or before[-1] in ".!?:\n“\"":
        return False
    if _word_before(state, match.start, _words(state.gaz, "honorifics")):
        return False
    last_word = before.split()[-1]
    after_actor = any(0 <= match.start - m.end <= 1 for m in state.mentions[-2:])
    return after_actor or not last_word[:1].isupper()


_one_syllable = lru_cache(maxsize=8192)(is_syllable)  # the same few thousand capitalised syllables recur
_SYLLABLE_CASED = regex.compile(r"\p{Lu}[\p{Ll}\p{M}]*")  # "Tho", "Đức": a capital, then lower case only
_NEXT_WORD = regex.compile(r" (\S+?)(?=[\s,.;:!?)”\"]|$)")


def _name_part(state: _State, match: Match) -> bool:
    """A one-syllable country word inside a Vietnamese personal or place name, where each syllable is capitalised
    (names of organisations capitalise only a word's first syllable): after a capitalised syllable that does not
    start the sentence, or after a family name ("Trần Đức Lương", "Thủ Đức", "Thị Mỹ Loan"), or before a
    capitalised syllable that is not a family name ("Mỹ Tho", "Nga Sơn", "Lào Cai", "Đức Giáo hoàng"). Not after
    an actor ("Nhà Trắng Mỹ"), and not before a family name: "tại Mỹ Nguyễn Tâm Chiến" is the country."""
    if match.entry.category != "country" or " " in match.entry.surface:
        return False
    family_names = state.gaz.word_set("family_names")
    text = state.doc.text
    if not family_names or not _one_syllable(text[match.start:match.end]):
        return False
    word_end = match.start - 1  # the word before, with one space between
    if word_end > 0 and text[word_end] == " ":
        word_start = max(text.rfind(" ", 0, word_end), text.rfind("\n", 0, word_end)) + 1
        word = text[word_start:word_end]
        if _SYLLABLE_CASED.fullmatch(word) and _one_syllable(word) \
                and not any(m.end == word_end for m in state.mentions[-2:]):
            sentence_start = word_start < 2 or text[word_start - 1] != " " or text[word_start - 2] in " .!?:“\"("
            if word in family_names or not sentence_start:
                return True
    after = _NEXT_WORD.match(text, match.end)
    return bool(after and _SYLLABLE_CASED.fullmatch(after.group(1)) and _one_syllable(after.group(1))
                and after.group(1) not in family_names)


def _next_gap(text: str, end: int) -> int:
    """Offset after the single space that follows `end` (or `end` itself)."""
    return _SPACE.match(text, end).end()


def _name_after(state: _State, offset: int, matches: list[Match], index: int) -> tuple[int, int] | None:
    """A capitalised name run starting at `offset` that is not itself a gazetteer actor."""
    text = state.doc.text
    run = _NAME_RUN.match(text, offset)
    if not run:
        return None
    words = run.group().split()
    not_names = state.gaz.word_set("not_names")
    if words[0] in not_names:
        return None
    if index < len(matches) and matches[index].start == offset and matches[index].entry.category != "person":
        return None
    end = run.end()
    for position in range(index, len(matches)):  # not matches[index:], a copy of the rest for every title
        later = matches[position]
        if later.start >= end:
            break
        if later.start > offset and later.entry.category != "person" and not _name_part(state, later):
            end = later.start - 1
            break
    while text[offset:end].split() and text[offset:end].split()[-1] in not_names:
        end = offset + text[offset:end].rstrip().rfind(" ")
    return (offset, end) if end > offset else None


def _apply_title(title: Mention, parts: list[Mention]) -> None:
    """A title takes the country of its qualifiers, and a generic GOV title the sector of its institution."""
    for part in parts:
        if part.country and not title.country:
            title.country = part.country
        if part.kind == "INSTITUTION" and part.sector and title.sector == GOV and part.sector != "MED":
            title.sector = part.sector
        if part.org and not title.country and not title.org:
            title.org = part.org


def _recognise(state: _State) -> None:
    text = state.doc.text
    matches, state.bare_surnames = state.gaz.scan(state.folded)
    post_words = _words(state.gaz, "post_location")
    i = 0
    while i < len(matches):
        match = matches[i]
        entry = match.entry
        i += 1
        if entry.category == "place":
            state.places.append((match.start, match.end))  # "bán đảo Triều Tiên", "Washington D.C": no actor
            continue
        if _name_part(state, match) or entry.ambiguous and not _accepts_ambiguous(state, match):
            continue
        if _acronym(entry.surface) and text[match.start:match.end] != entry.surface:
            continue  # "UN", "WHO", "RT", "AP" only in capitals ("who", "ap" are words)
        if entry.category == "person":
            person = _person_entry(match.entries, state)
            _new_mention(state, match.start, match.end, person, resolved_by="gazetteer")
            continue
        if entry.category == "head":
            i = _head(state, matches, i - 1)
            continue
        if entry.category == "media":
            start = _outlet_name_start(state, match)
            _new_mention(state, start, match.end, entry)
            continue
        if entry.category != "title":
            _new_mention(state, match.start, match.end, entry)
            continue
        # A title: gather its qualifiers (country, institution, "tại" post) and the name that follows.
        title = _new_mention(state, match.start, match.end, entry, kind="ROLE", resolved_by="title")
        title_index = len(state.mentions) - 1
        parts: list[Mention] = []
        cursor = match.end
        while i < len(matches):
            nxt = matches[i]
            gap = text[cursor:nxt.start]
            located = gap.strip().casefold() in post_words and gap.startswith(" ") and gap.endswith(" ")
            if nxt.start != _next_gap(text, cursor) and not located:
                break
            if nxt.entry.category not in ("country", "capital", "seat", "institution", "head", "igo"):
                break
            if nxt.entry.ambiguous and not text[nxt.start].isupper():
                break  # "lãnh đạo ý thức kém": an ambiguous country word is one only when capitalised
            i += 1
            if nxt.entry.category == "head":
                i = _head(state, matches, i - 1)
                part = next(m for m in reversed(state.mentions) if m.kind == "INSTITUTION")
            else:
                part = _new_mention(state, nxt.start, nxt.end, nxt.entry)
            part.part_of = title_index
            if not located:
                parts.append(part)
            cursor = part.end
        _apply_title(title, parts)
        name = _name_after(state, _next_gap(text, cursor), matches, i) if text[cursor:cursor + 1] == " " else None
        if name:
            while i < len(matches) and matches[i].start < name[1]:
                i += 1
            _name_person(state, title, name)
        elif parts:  # "các nhà ngoại giao Nga": the role spans its qualifiers, which it stands for
            title.end = cursor
            title.text = text[title.start:cursor]


@cache
def _demonyms() -> dict[str, str]:
    return {row["country"]: row["adjective"] for row in load_tsv("en", "demonyms.tsv")}


def _institution_name(head: str, country: Entry) -> str:
    """"Foreign Ministry" + Russia -> "Russian Foreign Ministry" (else "Foreign Ministry (Name)")."""
    adjective = _demonyms().get(country.country or "")
    return f"{adjective} {head}" if adjective else f"{head} ({country.canonical})"


def _head(state: _State, matches: list[Match], index: int) -> int:
    """An institution head and the country that follows it are one actor ("Bộ Ngoại giao" + "Nga"); a
    diplomatic mission keeps its post ("Tổng lãnh sự quán Mỹ tại Istanbul"). Returns the next match index."""
    text = state.doc.text
    match = matches[index]
    following = matches[index + 1] if index + 1 < len(matches) else None
    country = following if following and following.start == _next_gap(text, match.end) \
        and following.entry.category in ("country", "capital") else None
    head = _new_mention(state, match.start, country.end if country else match.end, match.entry, kind="INSTITUTION")
    head_index = len(state.mentions) - 1
    if country:
        head.country = country.entry.country
        head.canonical = _institution_name(match.entry.canonical, country.entry)
        _new_mention(state, country.start, country.end, country.entry, part_of=head_index)
    else:
        head.resolved_by = "context"
    if head.sector == "DIP":
        post = state.gaz.post_phrase.match(text, head.end)
        if post:
            head.end = post.end()
            head.text = text[head.start:head.end]
    return index + (2 if country else 1)


def _name_person(state: _State, title: Mention, span: tuple[int, int]) -> None:
    """The person a title introduces: a known person from the people list, else coded through the title."""
    start, end = span
    name = " ".join(state.doc.text[start:end].split())
    known = state.gaz.automaton.get(fold_chars(name), None)
    people = [e for e in known[1] if e.category == "person"] if known else []
    if state.blank_person:  # the look-up below cannot stand for the scan (which fails on such a name)
        earlier = [m for m in state.mentions if m.kind == "PERSON" and m.canonical and
                   fold_chars(m.canonical.split()[-1]) == fold_chars(name.split()[-1])]
    else:  # the last person named with this surname (a PERSON's kind and name do not change once added)
        last = state.last_person.get(fold_chars(name.split()[-1]))
        earlier = [last] if last else []
    by_surname = state.gaz.surnames.get(fold_chars(name), ()) if " " not in name else ()
    if people:
        person = _new_mention(state, start, end, _person_entry(tuple(people), state))
    elif earlier:  # "Ngoại trưởng Lavrov" after "Sergei Lavrov"
        ref = earlier[-1]
        person = _new_mention(state, start, end, Entry(name, ref.canonical or name, "person", "PERSON", ref.country,
                                                       ref.sector, org=ref.org), resolved_by="coreference",
                              entity=ref.entity)
    elif len({e.canonical for e in by_surname}) == 1:  # "Tổng thống Putin" with no full name before
        person = _new_mention(state, start, end, _person_entry(by_surname, state))
    else:
        person = _new_mention(state, start, end, Entry(state.doc.text[start:end], state.doc.text[start:end],
                                                       "person", "PERSON", title.country, title.sector,
                                                       org=title.org), resolved_by="title")
    person.country = person.country or title.country
    person.org = person.org or title.org
    if title.sector and person.resolved_by == "title":
        person.sector = title.sector
    title.part_of = len(state.mentions) - 1
    title.entity = person.entity
    title.canonical = person.canonical


def _context_countries(state: _State) -> None:
    """Institutions without a country ("Quốc hội nước này", "Chính phủ") take the last country named before;
    uncapitalised ones ("chính quyền của …") are common nouns, not institutions."""
    for mention in state.mentions:
        if mention.resolved_by == "context" and mention.text[:1].islower():
            mention.kind = "NONE"  # dropped by find_actors once indices no longer matter
    orphans = [position for position, m in enumerate(state.mentions)
               if m.kind == "INSTITUTION" and not m.country and not m.org and m.resolved_by == "context"]
    if not orphans:
        return
    # "The last country-bearing principal mention (in list order) ending before the institution": a prefix maximum
    # of list positions over end offsets, so each institution is a binary search, not a scan of every mention.
    # An institution given a country here counts for the later ones, as it did when the list was scanned.
    ends = sorted({m.end for m in state.mentions})
    latest = _PrefixMax(len(ends))
    for position, mention in enumerate(state.mentions):
        if mention.country and mention.principal:
            latest.add(bisect_left(ends, mention.end), position)
    for position in orphans:
        mention = state.mentions[position]
        before = latest.get(bisect_right(ends, mention.start))
        if before >= 0:
            mention.country = state.mentions[before].country
            if mention.country and mention.principal:
                latest.add(bisect_left(ends, mention.end), position)


class _PrefixMax:
    """A Fenwick tree of maxima: `add(i, v)` raises slot i to at least v, `get(n)` is the largest value in slots
    0..n-1 (-1 when none)."""

    def __init__(self, size: int) -> None:
        self.tree = [-1] * (size + 1)

    def add(self, slot: int, value: int) -> None:
        slot += 1
        while slot < len(self.tree):
            self.tree[slot] = max(self.tree[slot], value)
            slot += slot & -slot

    def get(self, count: int) -> int:
        best = -1
        while count > 0:
            best = max(best, self.tree[count])
            count -= count & -count
        return best


def _surname_forms(state: _State) -> None:
    """Honorific + name ("ông Peskov") and bare surnames resolve to the person named earlier or the people list."""
    text = state.doc.text
    taken = sorted((m.start, m.end) for m in state.mentions)
    taken_starts = [s for s, _ in taken]
    candidates = [(m.start(1), m.end(1)) for m in state.gaz.honorific_name.finditer(text, state.folded)]
    candidates += [(start, end) for start, end in state.bare_surnames if text[start].isupper()]
    people_so_far = sorted((m for m in state.mentions if m.kind == "PERSON" and m.canonical), key=lambda m: m.start)
    by_surname: dict[str, Mention] = {}  # the last person named before the candidate, by surname
    first_named: dict[str, Mention] = {}  # the first mention of each canonical person
    for mention in people_so_far:
        first_named.setdefault(mention.canonical, mention)
    cursor = 0
    for start, end in sorted(set(candidates)):
        while cursor < len(people_so_far) and people_so_far[cursor].start < start:
            person = people_so_far[cursor]
            by_surname[person.canonical.split()[-1].casefold()] = person
            cursor += 1
        if _overlaps(taken, taken_starts, start, end):
            continue
        surname = text[start:end]
        ref = by_surname.get(surname.casefold())
        if ref:
            _new_mention(state, start, end, Entry(surname, ref.canonical or surname, "person", "PERSON", ref.country,
                                                  ref.sector, org=ref.org), resolved_by="coreference", entity=ref.entity)
            continue
        people = state.gaz.surnames.get(fold_chars(surname))
        if people and len({p.canonical for p in people}) == 1:
            entry = _person_entry(people, state)
            same = first_named.get(entry.canonical)
            mention = _new_mention(state, start, end, entry, resolved_by="coreference" if same else "gazetteer",
                                   **({"entity": same.entity} if same else {}))
            first_named.setdefault(entry.canonical, mention)


def _bare_roles(state: _State) -> None:
    """A title with no name of its own refers to the last person who held it, or with the same country/sector."""
    roles = [m for m in state.mentions if m.kind == "ROLE" and m.part_of < 0]
    if not roles:
        return
    people = sorted((m for m in state.mentions if m.kind == "PERSON"), key=lambda m: m.start)
    starts = [p.start for p in people]
    titles: dict[int, set[str]] = {}  # person entity -> first words of the titles it was introduced with
    for mention in state.mentions:
        if mention.kind == "ROLE" and mention.part_of >= 0 and mention.text:
            titles.setdefault(mention.entity, set()).add(fold_chars(mention.text.split()[0]))
    # Positions in `people` by what a role looks for, so each role finds the last one before it by binary search
    # instead of walking back over every person (neither people nor titles change below).
    by_title: dict[str, list[int]] = {}
    by_title_country: dict[tuple[str, str | None], list[int]] = {}
    by_country_sector: dict[tuple[str | None, str | None], list[int]] = {}
    for position, person in enumerate(people):
        for key in titles.get(person.entity, ()):
            by_title.setdefault(key, []).append(position)
            by_title_country.setdefault((key, person.country), []).append(position)
        by_country_sector.setdefault((person.country, person.sector), []).append(position)

    def last_before(positions: list[int] | None, cut: int) -> Mention | None:
        index = bisect_left(positions, cut) - 1 if positions else -1
        return people[positions[index]] if index >= 0 else None

    for role in roles:
        cut = bisect_left(starts, role.start)  # people[:cut] start before the role
        title_key = fold_chars(role.text.split()[0]) if role.text else ""
        same_title = last_before(by_title_country.get((title_key, role.country)) if role.country
                                 else by_title.get(title_key), cut)
        compatible = last_before(by_country_sector.get((role.country, role.sector)), cut) if role.country else None
        ref = same_title or compatible
        if ref:
            role.entity, role.canonical, role.resolved_by = ref.entity, ref.canonical, "coreference"
            role.country, role.sector, role.org = ref.country, ref.sector, ref.org


def _pronouns(state: _State) -> None:
    """"ông", "bà", "ông ấy" not followed by a name stand for the last person mentioned."""
    text = state.doc.text
    pattern = state.gaz.pronoun
    if pattern is None:
        return
    taken = sorted((m.start, m.end) for m in state.mentions)
    taken_starts = [s for s, _ in taken]
    taken_reach = list(accumulate((e for _, e in taken), max))  # the furthest end among the spans so far
    # The people a pronoun can stand for, by end (a stable sort: of equal ends, the first mentioned comes first, as
    # max() picked it); the pronouns added below are not among them, so this is fixed for the loop.
    people = sorted((m for m in state.mentions if m.kind in ("PERSON", "ROLE") and (m.country or m.org)),
                    key=lambda m: m.end)
    people_ends = [m.end for m in people]
    for found in pattern.finditer(text, state.folded):
        start, end = found.span()
        after = text[end:end + 2]
        if len(after) == 2 and after[0] == " " and after[1].isupper():
            continue  # an honorific before a name, handled as a surname form
        covered = bisect_right(taken_starts, start)
        if covered and taken_reach[covered - 1] > start:  # inside a span already taken
            continue
        ended = bisect_right(people_ends, start)  # people[:ended] end at or before the pronoun
        if not ended:
            continue
        ref = people[bisect_left(people_ends, people_ends[ended - 1])]  # the first of those ending last
        _new_mention(state, start, end, Entry(found.group(), ref.canonical or "", "pronoun", "PRONOUN",
                                              ref.country, ref.sector, org=ref.org),
                     resolved_by="coreference", entity=ref.entity)


def _places(state: _State) -> None:
    """A country or city named only as a location (after "tại", "ở", "đến" or "City, ") is a place, not an actor."""
    locative = _words(state.gaz, "locative")
    text = state.doc.text
    locative_codes: dict[str, bool] = {}
    for mention in state.mentions:
        if mention.kind not in ("COUNTRY", "CAPITAL_METONYM") or mention.part_of >= 0:
            continue
        before = text[max(0, mention.start - 40):mention.start]
        is_place = _word_before(state, mention.start, locative) or bool(state.gaz.listed_place.search(before))
        code = mention.country or ""
        locative_codes[code] = locative_codes.get(code, True) and is_place
    for mention in state.mentions:
        if mention.kind in ("COUNTRY", "CAPITAL_METONYM") and mention.part_of < 0 \
                and locative_codes.get(mention.country or "", False):
            mention.kind = "PLACE"


_NAME_CANDIDATE = regex.compile(rf"{NAME_WORD}(?: {NAME_WORD})+")
_CANDIDATE = Entry("", "", "name", "NAME")  # each candidate is its own canonical name, set on the mention


def _candidate_names(state: _State) -> None:
    """Capitalised runs of two or more words that no rule resolved ("Kim Yo-jong", "Hội đồng Nhân quyền") are kept
    as candidate names (kind NAME, no code) so a user sees them and a lexicon editor can add them; coders ignore
    them. A run opening a sentence counts only from three words, since the first word is capitalised anyway."""
    text = state.doc.text
    taken = sorted([(m.start, m.end) for m in state.mentions if m.kind != "NONE"] + state.places)
    taken_starts = [s for s, _ in taken]
    not_names = state.gaz.word_set("not_names")
    finditer = _NAME_CANDIDATE.finditer
    for sentence in state.doc.sentences:
        for found in finditer(text, sentence.start, sentence.end):
            start, end = found.span()
            name = found.group()
            first_space = name.find(" ")  # the run has two or more words, one space apart
            if name[:first_space] in not_names or _overlaps(taken, taken_starts, start, end):
                continue
            if start == sentence.start and name.count(" ", first_space + 1) < 1:  # fewer than three words
                continue
            _new_mention(state, start, end, _CANDIDATE, canonical=name, resolved_by="candidate")


def _overlaps(taken: list[tuple[int, int]], taken_starts: list[int], start: int, end: int) -> bool:
    """Whether [start, end) (not empty) overlaps the last span of `taken` (sorted) starting at or before `start`,
    or any span starting inside it: those starting inside always do, so only the one before needs its end."""
    after = bisect_right(taken_starts, start)
    return bisect_left(taken_starts, end) > after or (after > 0 and taken[after - 1][1] > start)


def find_actors(doc: Document) -> list[Mention]:
    state = _State(doc, gazetteer(doc.article.language or "vi"), fold_chars(doc.text))
    _recognise(state)
    _context_countries(state)
    _surname_forms(state)
    _bare_roles(state)
    _pronouns(state)
    _places(state)
    _candidate_names(state)
    kept = sorted((m for m in state.mentions if m.kind != "NONE"), key=lambda m: (m.start, -m.end))
    position = {id(m): i for i, m in enumerate(kept)}
    for mention in kept:  # part_of now points into `kept` (the mentions are this call's own, so changed in place)
        if mention.part_of >= 0:
            mention.part_of = position.get(id(state.mentions[mention.part_of]), -1)
    return kept
