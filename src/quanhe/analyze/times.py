"""Time expressions in news text, resolved against the publication date.

`find_times(text, published, sentences, lang="vi")` returns every time expression with its exact span
(`text[start:end] == expr.text`), sentence index, resolved value ('YYYY-MM-DD' | 'YYYY-MM' | 'YYYY' | None),
precision (day | month | year | period) and anchor (text: carries its own year; published: resolved relative to
the publication date; context: "cùng ngày", "hôm đó", "ngày 22" resolved from the last date before it), sorted
by start. `lang` is "vi" or "en" (a region suffix is ignored); other languages give [].

Design. A hand-written grammar. The cue words (day words, day parts, weekdays, month names, parts of a month,
relative words, prepositions, clause markers, named periods) live in `lexicons/<lang>/time.yaml`; the code
composes them into compiled `regex` patterns once per language (cached): one pattern per LEAD word (see the
"Speed" note below), each run with `finditer`; the matches are validated, merged leftmost-longest and resolved
in one pass over the (few) matches. Linear in the text. Measured (CPU time, one core): 8-9 MB/s on the VNTC
politics corpus (14.7 MB, ~950 expressions/MB) as one text, 5.6-6 MB/s article by article (0.5 ms per
article, the per-call cost of ~20 passes), ~5 MB/s on text packed with dates; compiling a language's patterns
takes ~0.3 s once per process. tests/test_times.py::test_speed keeps a loose floor.

Resolution rules (documented choices):
- a day-month without a year ("ngày 20/2") takes the year that puts it closest on/before publication; "tới",
  "sắp tới", "tới đây" after it -> the next occurrence on/after publication; "này" -> the nearest occurrence;
  a future marker earlier in its sentence ("sẽ", "dự kiến", "có kế hoạch" ..., nearer than any past marker
  "đã", "hồi" ...) -> the next occurrence, unless the previous one is at most 7 days before publication
  (things that have just started: "sẽ kéo dài từ ngày 19/2" published 21/2 stays 19/2).
- a month without a year: the month in the publication year when it is <= the publication month, else the
  previous year; "tới" after it, or a future marker in its sentence -> next occurrence on/after the publication
  month ("sẽ ... vào tháng 11" published 2022-10-31 -> 2022-11). Parts ("đầu/giữa/cuối tháng 2") keep month
  precision.
- weeks ("tuần này", "đầu tuần này", "tuần trước", "cách đây 2 tuần"): precision 'period', value the ISO date of
  that week's Monday.
- weekdays ("hôm thứ Năm", "vào thứ Hai"): the latest such day on/before publication (next on/after with a future
  marker); "thứ Hai tới" -> strictly after; "thứ Hai tuần trước" -> that week's Monday. A weekday needs a cue
  (preposition, day part, "hôm"; "tới"/"tuần trước"/"ngày" only with a capital: "thứ Ba tới") and is dropped
  in habits, schedules and lists ("mỗi thứ Hai", "hằng tuần", "từ thứ hai đến thứ sáu").
- ranges ("ngày 20-25/1", "từ ngày 20 đến 25/1", "từ 20/1 đến 25/1", "từ ngày 14-11 đến ngày 8-12"): one
  expression, precision 'period', value the first day (its year from the end date when only that has one).
  Day lists ("ngày 20 và 21/1") give one day expression per day.
- "hôm qua (29-3)", "sáng qua, 21-4": one expression; the stated date wins over the offset.
- "3 năm trước", "cách đây 2 tuần", "hai ngày trước đó" (the last from the context date): the unit's precision.
- named periods ("Chiến tranh Lạnh", "Thế chiến II"): precision 'period', value the start year, or the end year
  after an end modifier ("cuối", "sau": "cuối Chiến tranh thế giới thứ hai" -> '1945'); years are in time.yaml.
- decades ("những năm 1990", "thập niên 90"): period, value '1990'; "thập kỷ qua": period, value None.
- context expressions take the last day-precision date before them in the article -- the same paragraph's
  last date, else the nearest earlier paragraph's (dates in byline/caption sentences are skipped) -- plus their
  offset ("hôm sau" +1); anchor 'context'. With no earlier date: the publication date, anchor 'published'.
- published=None: everything without its own year gets value None (anchor 'published').
- prepositions ("vào", "từ", "hồi", "in", "on") are not part of the span; day words, day parts, weekdays and
  modifiers ("hôm", "chiều", "cuối", "last") are.
- rejected: scores and ranges without a day word ("3-1", "từ 3-5"), numbers ("1.500", "6.2", "16 tên lửa",
  "5 đến 6 giờ", "G20", "T-72B3"), durations ("5 năm", "nhiều năm qua", "trong 5 năm tới", "5 ngày 4 đêm"),
  fractions ("đến 2/3 dân số"), impossible dates ("31/2"), "ngày thứ hai" (the second day), "Thứ hai, ..."
  (secondly), "những ngày đó" (those days); named events win over month names ("Cách mạng tháng Tám").

dateparser 1.5.0, measured on 45 of the target expressions, each parsed alone with
`dateparser.parse(expr, languages=['vi'], settings={'RELATIVE_BASE': pub, 'PREFER_DATES_FROM': 'past',
'DATE_ORDER': 'DMY'})` (the grammar got all 45 right):
  right (compared at the expected precision): 23 -- "ngày 20/2", "ngày 27-2", "ngày 10.7", "20/1", "ngày 18/12",
    "ngày 12/1/2022", "ngày 12-1-2022", "12/1/2022", "tháng 3/2022", "tháng 6.2021", "tháng 9-2024",
    "tháng 3 năm 2022", "tháng 11", "tháng trước", "tháng này", "hôm qua", "hôm nay", "ngày mai", "năm ngoái",
    "năm nay", "năm 2014", "năm 1956", "3 năm trước"; but it always returns a full datetime, so month and year
    expressions lose their precision (it fills in the base's day: "tháng 3/2022" -> 2022-03-21).
  wrong: 1 -- "tuần trước" -> 7 days before, not a week.
  missed (None): 21 -- every form with a day part or "hôm" ("hôm 27/1", "chiều 16.1", "sáng 5/3", "tối 12-2",
    "đêm 3/4", "rạng sáng 4/5"), "ngày 20/1 tới", "tháng 12 năm ngoái", "tháng 1 năm nay", "hồi tháng 9",
    "cuối/đầu/giữa tháng ...", "đầu tháng này", "đầu tuần này", "năm tới", "cùng ngày", "hôm đó",
    "Chiến tranh thế giới thứ hai", "Chiến tranh Lạnh" (and "thập kỷ qua", correctly no date).
  It found nothing the grammar misses. Speed: median 0.35 ms per parse() call (first call ~150 ms to load its
  data); `search_dates` needs ~8 ms for one sentence and returns no spans or precision. So it is NOT used, not
  even as a fallback: it would add nothing, at ~100x the cost of the grammar per expression.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import ahocorasick
import regex

from quanhe.lexicons import load_yaml
from quanhe.model import Sentence, TimeExpr
from quanhe.text.normalize import lowercase_unsafe

__all__ = ["find_times"]

SP = r"[^\S\n]+"  # a run of spaces, never across a line
OSP = r"[^\S\n]*"
# After a number: no letter/digit, no ".5" "/3" ",2" ":30" continuation, no "-3" unless it starts a new date
# ("20/2-25/2").
NUM_END = r"(?!\w|[.,:/]\d|[-–]\d+(?![/.]\d))"
# The end of a clause after a word: punctuation or the end of the line.
CLAUSE_END = r"(?=" + OSP + r"(?:[,.;:!?)\"”…]|\n|$))"

_MIN_YEAR, _MAX_YEAR = 1000, 2199
_FUTURE_TOLERANCE_DAYS = 7  # "sẽ ... từ ngày 20/2" published 21/2 keeps 20/2


# ---------------------------------------------------------------------------------------------------- lexicon

def _key(phrase: str) -> str:
    """Lookup key of a matched phrase: case-folded, one space between words."""
    return " ".join(phrase.split()).casefold()


def _ckey(phrase: str) -> str:
    """Case-sensitive lookup key (month and weekday names): one space between words."""
    return " ".join(phrase.split())


def _alt(phrases: Any, case_sensitive: bool = False) -> str:
    """A regex alternation of literal phrases, longest first; spaces match runs of spaces."""
    items = sorted({str(p) for p in phrases}, key=lambda p: (-len(p), p))
    if not items:
        return r"(?!)"
    body = "|".join(SP.join(regex.escape(word) for word in p.split()) for p in items)
    return f"(?-i:{body})" if case_sensitive else f"(?:{body})"


def _folded(mapping: dict | None) -> dict[str, Any]:
    return {_key(str(k)): v for k, v in (mapping or {}).items()}


@dataclass(frozen=True)
class _Pass:
    pattern: regex.Pattern
    branches: tuple[str, ...]  # branch names in this pattern, in priority order
    span_groups: tuple[str, ...]  # prefix groups present in this pattern
    word: str | None = None  # the lead when it is a literal word (not a digit or a case-sensitive alternation)
    names: dict[str, int] = field(default_factory=dict)  # pattern.groupindex (a new dict on every access)


@dataclass(frozen=True)
class _Leads:
    """Where the literal lead words of the passes occur, found in one Aho-Corasick pass over the lower-cased text
    instead of one `regex` scan per pass (see "Speed" below)."""

    automaton: ahocorasick.Automaton  # lower-cased lead word -> (its length, indexes of the passes it leads)
    unsafe: tuple[str, ...]  # characters IGNORECASE equates with a lead letter that do not lower-case to it


@dataclass(frozen=True)
class _Grammar:
    lang: str
    passes: tuple[_Pass, ...]
    markers: regex.Pattern | None
    quantified: regex.Pattern | None  # a quantity word right before a position ("những| ngày đó")
    lex: dict[str, Any]  # lookup tables keyed by _key(); the raw YAML under "lex"
    leads: _Leads | None = None


# Speed. The `regex` engine is fast when a pattern starts with one literal (it searches for it) and slow on a
# large alternation (it tries every branch at every position: ~1 MB/s for this grammar as one pattern). So the
# grammar is compiled into one pattern per LEAD word (a digit, "ngày", "tháng", "năm", a weekday word, a unit
# word ...), each `\b(?=lead)(?:the branches that start with it)`; every branch starts at its lead word, and
# the optional words BEFORE it ("chiều", "đầu", "cách đây 3", a preposition) are read by a lookbehind with capture
# groups, placed after a cheap shape check. The span starts at the first captured prefix word (_SPAN_GROUPS).
# Matches of all passes are merged leftmost-longest.
# A pass can only match where its lead word starts (case-insensitively, after a word boundary), so for a literal
# lead the pattern is run with `match` at those places only, found for all passes at once by an Aho-Corasick
# automaton over `text.lower()`: the same matches as `finditer` over the whole text, at a fraction of the cost.
# That holds when lower-casing keeps every offset and maps each character IGNORECASE equates with a lead letter to
# that letter's lower case; `_Leads.unsafe` lists the few characters for which it does not (the long s, capital I
# with dot: taken from the engine's own case table when the grammar is compiled), and a text holding one is
# scanned the old way. tests/test_fast_paths.py compares both ways.

_SPAN_GROUPS = ("dp", "dw", "wd", "part", "mod", "before", "n", "pre")
_BRANCHES = ("np", "ua", "iso", "dm", "do", "by", "ago", "mo", "ur", "dec", "yr", "yrr", "dr", "cx", "wk")


_ORDER = {name: i for i, name in enumerate(_BRANCHES)}


def _opt(name: str, alternation: str) -> str:
    """An optional prefix word (for a lookbehind): `<name> ` right before what follows."""
    return rf"(?:(?<!\w)(?P<{name}>{alternation}){SP})?"


def _led(phrases: Any, leads: set[str], outer: str = "") -> dict[str, str]:
    """Phrases matched from their first lead word, as {lead word: alternation of the phrases it leads}; the
    words before the lead (and the optional `outer` prefix, a lookbehind fragment with captures) are read by a
    lookbehind, captured as `pre`. A phrase without a lead word leads with its first word. Each lookbehind comes
    last, so it only runs where the phrase itself matched."""
    groups: dict[str, list[str]] = {}
    for phrase in sorted({str(p) for p in phrases}, key=lambda p: (-len(p), p)):
        words = phrase.split()
        i = next((k for k, w in enumerate(words) if w.casefold() in leads), 0)
        lead = regex.escape(words[i])
        rest = "".join(SP + regex.escape(w) for w in words[i + 1:])
        if i:
            pre = SP.join(regex.escape(w) for w in words[:i])
            alt = rf"{rest}(?!\w)(?<={outer}(?<!\w)(?P<pre>{pre}){SP}{lead}{rest})"
        elif outer:
            alt = rf"{rest}(?!\w)(?<={outer}{lead}{rest})"
        else:
            alt = rf"{rest}(?!\w)"
        groups.setdefault(words[i].casefold(), []).append((lead, alt))
    return {lead: f"{items[0][0]}(?:{'|'.join(alt for _, alt in items)})" for lead, items in groups.items()}


def _units(unit_words: Any, lead: str) -> str:
    """The unit words that start with `lead`."""
    return _alt(u for u in unit_words if str(u).split()[0].casefold() == lead)


def _guard(lex: dict[str, Any], quantifiers: bool = True) -> str:
    """Lookbehind: not after a number or a quantity word ("5 năm sau", "nhiều năm qua", "hai tháng 5 ngày")."""
    words = (list(lex.get("quantifiers", [])) if quantifiers else []) + list(lex.get("number_words", {}))
    return rf"(?<!(?:\d|(?<!\w){_alt(words)}){SP})"


def _first_words(phrases: Any) -> list[str]:
    return list(dict.fromkeys(str(p).split()[0].casefold() for p in phrases))


_DIGIT = r"\d"
_DASHES = ("-", "–")


def _vi_branches(lex: dict[str, Any]) -> list[tuple[list[str], Any]]:
    dp = _alt(lex["day_parts"])
    dw = _alt(lex["day_words"])
    wd = _alt(lex["weekdays"])
    parts = _alt(lex["parts"])
    months = _alt(lex["month_names"], case_sensitive=True)
    unit_rel = _alt(set(lex["week_relative"]) | set(lex["month_relative"]))
    year_rel = _alt(lex["year_relative"])
    guard = _guard(lex)
    number_guard = _guard(lex, quantifiers=False)
    numw = _alt(lex["number_words"])
    fut, near, past = _alt(lex["future_after"]), _alt(lex["nearest_after"]), _alt(lex["past_after"])
    mw, yw, ww = _alt([lex["month_word"]]), _alt([lex["year_word"]]), _alt([lex["week_word"]])
    # "tới" after a date is "next" unless another date follows ("từ ngày 20/1 tới 25/1")
    not_date_next = rf"(?!{OSP}(?:\d|{dw}|{mw}|{yw}|{_alt(_first_words(lex['weekdays']))})(?!\w))"
    suffix = rf"(?:{SP}(?P<fut>{fut}){not_date_next}|{SP}(?P<near>{near})|{SP}(?P<pastw>{past}))?(?!\w)"
    year_slot = (rf"(?:[/.\-](?P<y>\d{{4}})|{SP}{yw}{SP}(?P<y>\d{{4}})"
                 rf"|{SP}{yw}{SP}(?P<yrel>{year_rel})(?!\w))?")
    ago_dir = (rf"(?:{SP}(?P<dir>{_alt(lex['ago_after'])}|{_alt(lex['ago_after_context'])})(?!\w)"
               rf"|{SP}(?P<dir>{_alt(lex.get('ago_after_final', {}))}){CLAUSE_END})")
    part_pre = _opt("part", parts)
    units = _first_words(lex["unit_words"])
    core = {*_first_words(lex["day_words"]), *_first_words([lex["month_word"], lex["year_word"], lex["week_word"]]),
            *units}
    # between the days of "ngày 20 và 21/1", "ngày 20-25/1": a dash only when a "/" or "." date follows (so that
    # "ngày 14-11 đến ngày 8-12" is two dates)
    word_conn = [c for c in [*lex["day_list_connectors"], *lex["day_range_connectors"]] if c not in _DASHES]
    dash_conn = [c for c in lex["day_range_connectors"] if c in _DASHES]
    connectors = rf"(?:{_alt(word_conn)}|{_alt(dash_conn)}(?={OSP}\d{{1,2}}[/.]\d))"
    more = rf"(?:{OSP}{connectors}{OSP}(?:{dw}{SP})?\d{{1,2}})"
    ctx_suffix = _alt(lex.get("context_suffix", []))
    sep = r"(?P<sep>[/.\-])(?:(?<=-)[^\S\n])?"  # "ngày 12- 4"
    # "... đến ngày 8-12[-2007]": the end of a range of full dates
    range_end = (rf"(?P<to>{SP}{_alt([c for c in lex['day_range_connectors'] if c not in _DASHES])}{SP}"
                 rf"(?:{dw}{SP})?(?P<td>\d{{1,2}})(?P<tsep>[/.\-])(?P<tm>\d{{1,2}})(?:(?P=tsep)(?P<ty>\d{{4}}))?"
                 rf"{NUM_END})?")
    # "hôm qua (29-3)", "sáng qua, 21-4": the date the relative day names
    apposition = (rf"(?:{OSP}\({OSP}(?P<ad>\d{{1,2}})(?P<asep>[/.\-])(?P<am>\d{{1,2}})(?:(?P=asep)(?P<ay>\d{{4}}))?"
                  rf"{NUM_END}{OSP}\)|{OSP},{OSP}(?P<ad>\d{{1,2}})(?P<asep>[/.\-])(?P<am>\d{{1,2}})"
                  rf"(?:(?P=asep)(?P<ay>\d{{4}}))?{NUM_END})?")

    dec = _led(lex["decade_words"], core, part_pre)
    day_rel = _led(lex["day_relative"], core, _opt("dp", dp))
    ctx = _led(lex["context_days"], core, _opt("dp", dp))
    ctx_final = _led(lex.get("context_days_final", {}), core, _opt("dp", dp))
    names = _led((n for p in lex["named_periods"] for n in p["names"]), core,
                 _opt("mod", _alt(lex["period_modifiers"])))
    unanchored = _led(lex["unanchored_periods"], core)
    unit_words = lex["unit_words"]
    dp_rel = _alt(lex["day_part_relative"])
    not_after_dp = _alt(lex.get("day_part_not_after", []))

    return [
        # named periods first: they are exact phrases ("Cách mạng tháng Tám" is not August)
        # cuối Chiến tranh thế giới thứ hai
        (list(names), lambda lead: rf"(?P<np>(?P<name>{names[lead]})(?!\w))"),
        (list(unanchored), lambda lead: rf"(?P<ua>{unanchored[lead]}(?!\w))"),
        # 2026-02-20
        ([_DIGIT], rf"(?P<iso>(?P<y>\d{{4}})-(?P<m>\d{{2}})-(?P<d>\d{{2}}){NUM_END})"),
        # [vào] [chiều] [ngày|hôm] [thứ Hai[,(]] [ngày] 20[ và 21|-25]/2[/2022| năm 2022| năm ngoái][ tới]
        ([_DIGIT], rf"(?P<dm>(?=\d{{1,2}}{more}{{0,4}}(?:[/.]\d|-[^\S\n]?\d|{SP}{mw}{SP}))"
                   rf"(?<={_opt('prep', _alt(lex['bare_date_after']))}{_opt('dp', dp)}{_opt('dw', dw)}"
                   rf"(?:(?<!\w)(?P<wd>{wd})(?:{OSP},{OSP}|{SP})(?:{dw}{SP})?)?(?:(?P<open>\(){OSP})?)"
                   rf"(?P<d>\d{{1,2}})(?P<more>{more}{{0,4}})"
                   rf"(?:{sep}(?P<m>\d{{1,2}})(?:(?P=sep)(?P<y>\d{{4}}))?"
                   rf"|{SP}{mw}{SP}(?:(?P<m>\d{{1,2}})|(?P<mname>{months})|(?P<mrel>{unit_rel})(?!\w)))"
                   rf"{NUM_END}(?(y)|{year_slot}{NUM_END}){range_end}(?(wd)(?(open){OSP}\)))"
                   rf"(?(y)(?!\w)|(?(yrel)(?!\w)|(?(to)(?!\w)|{suffix}))))"),
        # ngày 22 (a day of the context month)
        (_first_words(lex["day_words"]),
         rf"(?P<do>(?P<dw>{dw}){SP}(?P<d>\d{{1,2}}){NUM_END}(?!{OSP}%|{SP}{mw}(?!\w))"
         rf"(?<={guard}{_opt('dp', dp)}(?P=dw){SP}(?P=d)))"),
        # từ 2014 đến nay
        ([_DIGIT], rf"(?P<by>(?=19\d\d|20\d\d|2100)(?<=(?<!\w){_alt(lex['bare_year_after'])}{SP})"
                   rf"(?P<y>\d{{4}})(?=(?:{OSP}(?:[,.;:!?)]|\n|$)|{SP}{_alt(lex['bare_year_before'])}(?!\w))))"),
        # cách đây 3 năm / 3 năm trước / hai ngày trước đó
        (units, lambda lead: rf"(?P<ago>(?P<unit>{_units(unit_words, lead)})(?!\w)"
                rf"(?<=(?:(?<!\w)(?P<before>{_alt(lex['ago_before'])}){SP}"
                rf"(?:{_alt(lex.get('approximators', []))}{SP})?)?(?<![\w.,])(?P<n>\d{{1,3}}|{numw}){SP}(?P=unit))"
                rf"(?(before)(?:{ago_dir})?|{ago_dir}))"),
        # [đầu] tháng 3[/2022|.2022|-2022| năm 2022| năm ngoái][ tới]
        ([lex["month_word"]], rf"(?P<mo>{mw}(?={SP}(?:\d|{months}))(?<={part_pre}{number_guard}{mw})"
                              rf"{SP}(?:(?P<m>\d{{1,2}})|(?P<mname>{months}))"
                              rf"(?:{OSP}[/.\-–]{OSP}(?P<y>\d{{4}})|{SP}{yw}{SP}(?P<y>\d{{4}})"
                              rf"|{SP}{yw}{SP}(?P<yrel>{year_rel})(?!\w))?"
                    rf"{NUM_END}(?(y)|(?(yrel)|{suffix})))"),
        # [đầu] tháng này / tuần trước [đó]
        ([lex["month_word"], lex["week_word"]],
         rf"(?P<ur>(?P<unit>{mw}|{ww}){SP}(?P<rel>{unit_rel})(?!\w)"
         rf"(?<={part_pre}{guard}(?P=unit){SP}(?P=rel))(?P<ctx>{SP}{ctx_suffix}(?!\w))?)"),
        # những năm 1990, thập niên 90
        (list(dec), lambda lead: rf"(?P<dec>{dec[lead]}{SP}(?P<y>\d{{4}}|\d0){NUM_END})"),
        # [cuối] năm 2022[-2023]
        ([lex["year_word"]], rf"(?P<yr>{yw}(?={SP}\d{{4}})(?<={part_pre}{yw}){SP}(?P<y>\d{{4}})"
                  rf"(?:{OSP}[-–]{OSP}(?P<y2>\d{{4}}))?{NUM_END})"),
        # [đầu] năm ngoái / năm sau đó
        ([lex["year_word"]], rf"(?P<yrr>{yw}{SP}(?P<yrel>{year_rel})(?!\w)(?<={part_pre}{guard}{yw}{SP}(?P=yrel))"
                             rf"(?P<ctx>{SP}{ctx_suffix}(?!\w))?)"),
        # [sáng] hôm qua / ngày mai
        (list(day_rel), lambda lead: rf"(?P<dr>(?P<rel>{day_rel[lead]})(?!\w)(?<={guard}(?P=rel)){apposition})"),
        # sáng nay, đêm qua
        (_first_words(lex["day_part_relative"]),
         rf"(?P<dr>(?P<dprel>{dp_rel})(?!\w)(?<=(?<!(?<!\w){not_after_dp}{SP})(?<!\w)(?P<dp>{dp}){SP}(?P=dprel))"
         rf"{apposition})"),
        # cùng ngày, tối hôm đó, hôm sau ("cùng ngày 27-2" is the date); "trong ngày," only before punctuation
        (list(dict.fromkeys([*ctx, *ctx_final])),
         lambda lead: rf"(?P<cx>(?:(?P<rel>{ctx.get(lead, '(?!)')})(?!\w|{SP}\d)"
                      rf"|(?P<rel>{ctx_final.get(lead, '(?!)')}){CLAUSE_END}))"),
        # [vào] [sáng] [hôm] thứ Hai [tuần trước | tới]
        (_first_words(lex["weekdays"]),
         rf"(?P<wk>(?=(?:{wd})(?!\w))(?<={_opt('wkprep', _alt(lex['weekday_after']))}{_opt('dp', dp)}"
         rf"{_opt('dw', dw)})(?P<wd>{wd})(?!\w)(?:{SP}{ww}{SP}(?P<rel>{unit_rel})(?!\w)"
         rf"|{SP}(?P<wsuf>{_alt(lex['weekday_suffix'])}){not_date_next}(?!\w))?)"),
    ]


def _en_branches(lex: dict[str, Any]) -> list[tuple[list[str], Any]]:
    full = _alt(lex["month_names"], case_sensitive=True)
    abbrevs = _alt(lex.get("month_abbreviations", {}), case_sensitive=True)
    month = rf"(?:(?P<mname>{full})(?!\w)|(?P<mname>{abbrevs})(?!\w)\.?)"
    month_leads = ["(?-i:" + "|".join(sorted({*lex["month_names"], *lex.get("month_abbreviations", {})})) + ")"]
    wd = _alt(lex["weekdays"], case_sensitive=True)
    wd_leads = ["(?-i:" + "|".join(lex["weekdays"]) + ")"]
    wd_guard = rf"(?<!(?<!\w){_alt(lex.get('weekday_not_after', []))}{SP})"
    parts_dash = [p for p in lex["parts"] if p.endswith("-")]
    parts_word = [p for p in lex["parts"] if not p.endswith("-")]
    part_pre = rf"(?:(?<!\w)(?P<part>{_alt(parts_dash)})|(?<!\w)(?P<part>{_alt(parts_word)}){SP})?"
    ordinal = r"(?:st|nd|rd|th)?"
    year = rf"(?:,?{SP}(?P<y>\d{{4}}){NUM_END})?"
    units = [str(u).casefold() for u in lex["unit_words"]]
    core = {*units, "day", "night", "week", "month", "year"}
    day_rel = _led(lex["day_relative"], core | {"yesterday", "today", "tomorrow", "tonight"})
    ctx = _led(lex["context_days"], core)
    names = _led((n for p in lex["named_periods"] for n in p["names"]), core | {"war", "era", "times"},
                 _opt("mod", _alt(lex["period_modifiers"])))
    unanchored = _led(lex["unanchored_periods"], core | {"decade", "decades", "century"})
    unit_words = lex["unit_words"]
    rel_units = _alt(lex["relative_units"])
    return [
        (list(names), lambda lead: rf"(?P<np>(?P<name>{names[lead]})(?!\w))"),
        (list(unanchored), lambda lead: rf"(?P<ua>{unanchored[lead]}(?!\w))"),
        ([_DIGIT], rf"(?P<iso>(?P<y>\d{{4}})-(?P<m>\d{{2}})-(?P<d>\d{{2}}){NUM_END})"),
        # [Monday,] 20 February [2022]
        ([_DIGIT], rf"(?P<dm>(?=\d{{1,2}}{ordinal}{SP}(?:of{SP})?{month})"
                   rf"(?<=(?:(?<!\w)(?P<wd>{wd}){OSP},?{OSP}(?:the{SP})?)?)(?P<d>\d{{1,2}}){ordinal}{SP}"
                   rf"(?:of{SP})?{month}{year}(?!\w))"),
        # the 1990s
        ([_DIGIT], rf"(?P<dec>(?=\d{{3}}0s(?!\w))(?<={part_pre}(?:(?<!\w)(?P<pre>the){SP})?)(?P<y>\d{{3}}0)s)"),
        # in 2014, mid-2014
        ([_DIGIT], rf"(?P<yr>(?=(?:1[89]|2[01])\d\d(?:{NUM_END}|[-–]\d\d))"
                   rf"(?<={_opt('prep', _alt(lex['year_after']))}{part_pre})(?P<y>\d{{4}})(?:[-–](?P<y2>\d{{4}}|\d\d){NUM_END})?)"),
        # [Monday,] Feb. 20[, 2022]
        (month_leads, rf"(?P<dm>(?={month}{SP}\d)(?<=(?:(?<!\w)(?P<wd>{wd}){OSP},?{OSP})?){month}{SP}"
                      rf"(?P<d>\d{{1,2}}){ordinal}{NUM_END}{year}(?!\w))"),
        # [in] [early|last] March [2022]
        (month_leads, rf"(?P<mo>(?<={_opt('prep', _alt(lex['month_after']))}"
                      rf"(?:(?<!\w)(?P<mod>{_alt(lex['month_modifiers'])}){SP}|{part_pre}))"
                      rf"{month}{year}(?!\w))"),
        # three days ago, a year earlier
        (units, lambda lead: rf"(?P<ago>(?P<unit>{_units(unit_words, lead)})(?!\w)"
                rf"(?<=(?<!\w)(?P<n>\d{{1,3}}|{_alt(lex['number_words'])}){SP}(?P=unit)){SP}"
                rf"(?P<dir>{_alt(lex['ago_after'])}|{_alt(lex['ago_after_context'])})(?!\w))"),
        # last week, earlier this year, late last year
        ([str(u) for u in lex["relative_units"]],
         rf"(?P<ur>(?P<unit>{rel_units})(?!\w)"
         rf"(?<={part_pre}(?<!\w)(?P<mod>{_alt(lex['relative_modifiers'])}){SP}(?P=unit)))"),
        (list(day_rel), lambda lead: rf"(?P<dr>(?P<rel>{day_rel[lead]})(?!\w))"),
        (list(ctx), lambda lead: rf"(?P<cx>(?P<rel>{ctx[lead]})(?!\w))"),
        # [last] Monday [night]
        (wd_leads, rf"(?P<wk>(?<={wd_guard}(?:(?<!\w)(?P<mod>{_alt(lex['weekday_modifiers'])}){SP})?)"
                   rf"(?P<wd>{wd})(?!\w)(?:{SP}(?P<dp>{_alt(lex['day_parts'])})(?!\w))?)"),
    ]


def _compile_passes(branches: list[tuple[list[str], Any]]) -> tuple[_Pass, ...]:
    """One pattern per lead word: `\\b(?=lead)(?:its branches, in grammar order)`."""
    by_lead: dict[str, list[str]] = {}
    words: dict[str, str] = {}  # escaped lead -> the literal word
    for leads, branch in branches:
        for lead in leads:
            literal = not (lead == _DIGIT or lead.startswith("(?"))
            key = regex.escape(lead) if literal else lead
            by_lead.setdefault(key, []).append(branch(lead) if callable(branch) else branch)
            if literal:
                words[key] = lead
    passes = []
    for lead, items in by_lead.items():
        pattern = regex.compile(rf"\b(?={lead})(?:{'|'.join(items)})", regex.IGNORECASE)
        names = tuple(b for b in _BRANCHES if b in pattern.groupindex)
        spans = tuple(g for g in _SPAN_GROUPS if g in pattern.groupindex)
        passes.append(_Pass(pattern, names, spans, words.get(lead), dict(pattern.groupindex)))
    return tuple(passes)


def _compile_leads(passes: tuple[_Pass, ...]) -> _Leads | None:
    by_word: dict[str, list[int]] = {}
    for index, p in enumerate(passes):
        if p.word is not None:
            by_word.setdefault(p.word.lower(), []).append(index)
    unsafe = lowercase_unsafe(p.word for p in passes if p.word is not None)
    if not by_word or unsafe is None:
        return None
    automaton = ahocorasick.Automaton()
    for word, indexes in by_word.items():
        automaton.add_word(word, (len(word), tuple(indexes)))
    automaton.make_automaton()
    return _Leads(automaton, unsafe)


def _lead_starts(text: str, g: _Grammar) -> list[list[int]] | None:
    """Per pass, the offsets where its literal lead word occurs (a superset of where the pass can match); None
    when the text must be scanned the old way."""
    leads = g.leads
    if leads is None:
        return None
    lowered = text.lower()
    if len(lowered) != len(text) or any(char in text for char in leads.unsafe):
        return None
    starts: list[list[int]] = [[] for _ in g.passes]
    for end, (length, indexes) in leads.automaton.iter(lowered):
        for index in indexes:
            starts[index].append(end - length + 1)
    return starts


def _matches_at(pattern: regex.Pattern, text: str, starts: list[int]):
    """What `pattern.finditer(text)` yields, trying the pattern only at `starts` (every place it can match, in
    order): after a match the search goes on from its end, as finditer's does. None if a match is empty (finditer
    would go on differently: the caller then runs finditer)."""
    found = []
    last = 0
    match = pattern.match
    for start in starts:
        if start >= last:
            m = match(text, start)
            if m is not None:
                if m.end() == start:
                    return None
                found.append(m)
                last = m.end()
    return found


@cache
def _grammar(lang: str) -> _Grammar | None:
    raw = load_yaml(lang, "time.yaml")
    if not raw:
        return None
    lex = dict(raw)
    passes = _compile_passes(_vi_branches(lex) if lang == "vi" else _en_branches(lex))
    fut, past = lex.get("future_markers", []), lex.get("past_markers", [])
    markers = None
    if fut or past:
        markers = regex.compile(rf"(?<!\w)(?:(?P<fut>{_alt(fut)})|(?P<past>{_alt(past)}))(?!\w)", regex.IGNORECASE)
    # lookup tables
    tables: dict[str, Any] = {"lex": lex}
    for name in ("weekdays", "weekday_modifiers", "month_modifiers", "day_relative", "day_part_relative",
                 "week_relative", "month_relative", "year_relative", "unit_words", "number_words", "ago_after",
                 "ago_after_context", "ago_after_final", "context_days", "context_days_final",
                 "period_modifiers", "relative_modifiers", "weekday_suffix"):
        tables[name] = _folded(lex.get(name))
    tables["month_names"] = {_ckey(str(k)): v for k, v in {**(lex.get("month_abbreviations") or {}),
                                                           **(lex.get("month_names") or {})}.items()}
    tables["weekdays_cs"] = {_ckey(str(k)): v for k, v in (lex.get("weekdays") or {}).items()}
    named: dict[str, tuple[int, int]] = {}
    for period in lex.get("named_periods", []):
        for name in period["names"]:
            named[_key(name)] = (int(period["start"]), int(period["end"]))
    tables["named"] = named
    tables["fraction_followers"] = {_key(w) for w in lex.get("fraction_followers", [])}
    tables["weekday_ambiguous_after"] = {_key(w) for w in lex.get("weekday_ambiguous_after", [])}
    if lang == "vi":  # a weekday in a habit, schedule or list ("mỗi thứ Hai", "từ thứ hai đến thứ sáu")
        wd_any = _alt(lex["weekdays"])
        conn = _alt(lex.get("weekday_range_connectors", []))
        habit_after = _alt(w for w in lex.get("weekday_habitual_after", []) if len(str(w).split()) > 1)
        tables["weekday_habit_before"] = regex.compile(
            rf"(?:(?<!\w){_alt(lex.get('weekday_habitual_before', []))}{SP}|(?<!\w){wd_any}{OSP}{conn}{OSP}"
            rf"|(?<!\w){habit_after}[^\n,.;:]{{0,20}})\Z", regex.IGNORECASE)  # "hằng tuần vào sáng thứ sáu"
        tables["weekday_habit_after"] = regex.compile(
            rf"{SP}{_alt(lex.get('weekday_habitual_after', []))}(?!\w)|{OSP}{conn}{OSP}{wd_any}(?!\w)",
            regex.IGNORECASE)
    if lang == "vi":  # the days of "ngày 20 và 21/1", "ngày 20-25/1"
        connectors = _alt([*lex["day_list_connectors"], *lex["day_range_connectors"]])
        tables["more_number"] = regex.compile(rf"({connectors}){OSP}(?:{_alt(lex['day_words'])}{SP})?(\d{{1,2}})",
                                              regex.IGNORECASE)
        tables["range_connectors"] = {_key(str(c)) for c in lex["day_range_connectors"]}
    quantified = None
    if lex.get("quantifiers"):
        quantified = regex.compile(rf"(?<!\w){_alt(lex['quantifiers'])}{SP}\Z", regex.IGNORECASE)
    return _Grammar(lang, passes, markers, quantified, tables, _compile_leads(passes))


# ---------------------------------------------------------------------------------------------------- calendar

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid(y: int, m: int, d: int) -> bool:
    if not (_MIN_YEAR <= y <= _MAX_YEAR and 1 <= m <= 12 and d >= 1):
        return False
    return d <= _MONTH_DAYS[m - 1] or (m == 2 and d == 29 and calendar.isleap(y))


def _pick_day(m: int, d: int, pub: dt.date, mode: str) -> dt.date | None:
    """The occurrence of day d of month m that `mode` asks for, relative to publication."""

    def first(year: int, step: int) -> dt.date | None:  # 29/2 may need a few years
        for k in range(9):
            if _valid(year + k * step, m, d):
                return dt.date(year + k * step, m, d)
        return None

    same = dt.date(pub.year, m, d) if _valid(pub.year, m, d) else None
    if mode in ("future", "future_lenient", "future_strict"):
        if same is not None and (same > pub or (same == pub and mode != "future_strict")):
            after = same
        else:
            after = first(pub.year + 1, 1)
        if mode == "future_lenient":
            before = same if same is not None and same <= pub else first(pub.year - 1, -1)
            if before is not None and (pub - before).days <= _FUTURE_TOLERANCE_DAYS:
                return before
        return after
    if mode == "nearest":
        options = [c for c in (first(pub.year - 1, -1), same, first(pub.year + 1, 1)) if c is not None]
        return min(options, key=lambda c: (abs((c - pub).days), c < pub)) if options else None
    if same is not None and (same < pub or (same == pub and mode != "past_strict")):
        return same
    return first(pub.year - 1, -1)  # past, past_strict


def _pick_month(m: int, pub: dt.date, mode: str) -> tuple[int, int]:
    y = pub.year
    if mode in ("future", "future_lenient"):
        return (y if m >= pub.month else y + 1, m)
    if mode == "future_strict":
        return (y if m > pub.month else y + 1, m)
    if mode == "past_strict":
        return (y if m < pub.month else y - 1, m)
    if mode == "nearest":
        best = min((y - 1, y, y + 1), key=lambda yy: (abs((yy - y) * 12 + m - pub.month), yy < y))
        return (best, m)
    return (y if m <= pub.month else y - 1, m)  # past


def _pick_weekday(wd: int, pub: dt.date, mode: str) -> dt.date:
    cur = pub.weekday()
    if mode in ("future", "future_lenient"):
        return pub + dt.timedelta((wd - cur) % 7)
    if mode == "future_strict":
        return pub + dt.timedelta((wd - cur - 1) % 7 + 1)
    if mode == "past_strict":
        return pub - dt.timedelta((cur - wd - 1) % 7 + 1)
    if mode == "nearest":
        return _monday(pub) + dt.timedelta(wd)
    return pub - dt.timedelta((cur - wd) % 7)  # past


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(day.weekday())


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    total = y * 12 + (m - 1) + k
    return total // 12, total % 12 + 1


def _fmt_month(y: int, m: int) -> str | None:
    return f"{y:04d}-{m:02d}" if _MIN_YEAR <= y <= _MAX_YEAR and 1 <= m <= 12 else None


def _fmt_year(y: int) -> str | None:
    return f"{y:04d}" if _MIN_YEAR <= y <= _MAX_YEAR else None


# ---------------------------------------------------------------------------------------------------- matches

@dataclass
class _Cand:
    start: int
    end: int
    kind: str  # day | dayonly | month | value | decade | rel | weekday | ctx
    y: int | None = None
    m: int | None = None
    d: int | None = None
    mode: str = "auto"
    unit: str = "day"
    offset: int = 0
    precision: str = "day"
    value: str | None = None
    context: bool = False
    order: int = 0  # grammar priority between equal spans


def _phrase(gd: dict[str, str | None], name: str) -> str:
    """Lookup key of a phrase matched by `_led`: the words before its lead word (group `pre`) plus the rest."""
    pre = gd.get("pre")
    return _key(f"{pre} {gd.get(name)}" if pre else gd.get(name) or "")


def _number(text: str, g: _Grammar) -> int | None:
    text = _key(text)
    if text.isdigit():
        return int(text)
    return g.lex["number_words"].get(text)


def _suffix_mode(gd: dict[str, str | None]) -> str:
    if gd.get("fut"):
        return "future"
    if gd.get("near"):
        return "nearest"
    if gd.get("pastw"):
        return "past"
    return "auto"


def _year_of(gd: dict[str, str | None], g: _Grammar) -> tuple[int | None, int | None]:
    """(explicit year, relative-year offset) from the y / yrel groups."""
    y = gd.get("y")
    if y:
        return int(y), None
    rel = gd.get("yrel")
    if rel:
        return None, g.lex["year_relative"].get(_key(rel))
    return None, None


def _vi_match(text: str, m: regex.Match, gd: dict[str, str | None], kind: str, s: int, e: int,
              g: _Grammar) -> list[_Cand]:
    lex = g.lex
    out: list[_Cand] = []
    if kind == "iso":
        out.append(_Cand(s, e, "day", int(gd.get("y")), int(gd.get("m")), int(gd.get("d"))))
    elif kind == "dm":
        out.extend(_vi_day_month(text, m, gd, s, e, g))
    elif kind == "do":
        out.append(_Cand(s, e, "dayonly", d=int(gd.get("d"))))
    elif kind == "mo":
        month = int(gd.get("m")) if gd.get("m") else lex["month_names"].get(_ckey(gd.get("mname")))
        if not month or not 1 <= month <= 12:
            return out
        y, yoff = _year_of(gd, g)
        if y is not None:
            out.append(_Cand(s, e, "month", y=y, m=month))
        elif yoff is not None:
            out.append(_Cand(s, e, "month", m=month, unit="year", offset=yoff, mode="relyear"))
        else:
            out.append(_Cand(s, e, "month", m=month, mode=_suffix_mode(gd)))
    elif kind == "ur":
        unit = "week" if _key(gd.get("unit")) == _key(lex["lex"]["week_word"]) else "month"
        table = lex["week_relative"] if unit == "week" else lex["month_relative"]
        out.append(_Cand(s, e, "rel", unit=unit, offset=table.get(_key(gd.get("rel")), 0), context=bool(gd.get("ctx"))))
    elif kind == "yr":
        y = int(gd.get("y"))
        if gd.get("y2"):
            out.append(_Cand(s, e, "value", value=_fmt_year(y), precision="period"))
        else:
            out.append(_Cand(s, e, "value", value=_fmt_year(y), precision="year"))
    elif kind == "yrr":
        out.append(_Cand(s, e, "rel", unit="year", offset=lex["year_relative"].get(_key(gd.get("yrel")), 0),
                         context=bool(gd.get("ctx"))))
    elif kind == "dec":
        out.append(_Cand(s, e, "decade", y=int(gd.get("y")), precision="period"))
    elif kind == "dr":
        if gd.get("ad"):  # "hôm qua (29-3)": the stated date wins over the offset
            d, mth = int(gd["ad"]), int(gd["am"])
            y = int(gd["ay"]) if gd.get("ay") else None
            if _valid(y or 2024, mth, d):
                out.append(_Cand(s, e, "day", y, mth, d, mode="nearest"))
            return out
        if gd.get("rel"):
            off = lex["day_relative"].get(_phrase(gd, "rel"), 0)
        else:
            off = lex["day_part_relative"].get(_key(gd.get("dprel")), 0)
        out.append(_Cand(s, e, "rel", unit="day", offset=off))
    elif kind == "ago":
        out.extend(_ago(gd, s, e, g))
    elif kind == "cx":
        if g.quantified is not None and g.quantified.search(text, max(0, s - 24), s):
            return out  # "những ngày đó" (those days)
        rel = _phrase(gd, "rel")
        off = lex["context_days"].get(rel, lex["context_days_final"].get(rel, 0))
        out.append(_Cand(s, e, "ctx", offset=off))
    elif kind == "wk":
        cand = _vi_weekday(text, gd, s, e, g)
        if cand:
            out.append(cand)
    elif kind == "np":
        out.append(_named(gd, s, e, g))
    elif kind == "ua":
        out.append(_Cand(s, e, "value", value=None, precision="period"))
    elif kind == "by":
        out.append(_Cand(s, e, "value", value=_fmt_year(int(gd.get("y"))), precision="year"))
    return out




def _vi_day_month(text: str, m: regex.Match, gd: dict[str, str | None], s: int, e: int, g: _Grammar) -> list[_Cand]:
    lex = g.lex
    day = int(gd.get("d"))
    sep = gd.get("sep")
    if gd.get("m"):
        month = int(gd.get("m"))
    elif gd.get("mname"):
        month = lex["month_names"].get(_ckey(gd.get("mname")))
    else:
        month = None
    year = int(gd.get("y")) if gd.get("y") else None
    yrel = lex["year_relative"].get(_key(gd.get("yrel"))) if gd.get("yrel") else None
    explicit = bool(gd.get("dp") or gd.get("dw") or gd.get("wd"))
    end = None  # the last day of a range of full dates ("từ 15-6 đến 20-6-2006")
    if gd.get("to"):
        end_year = int(gd["ty"]) if gd.get("ty") else None
        end = (end_year, int(gd["tm"]), int(gd["td"]))
        if not _valid(end_year or 2024, end[1], end[2]):
            return []
        if year is None and end_year is not None and month is not None:
            year = end_year if (month, day) <= (end[1], end[2]) else end_year - 1
    if not explicit:
        # a bare "20/1": only after a preposition, inside parentheses, with its own year, or in a range
        paren = gd.get("open") is not None and text[e:e + 8].lstrip(" \t\u00a0").startswith(")")
        if (year is not None or end is not None) and sep in ("/", "-", "."):
            pass
        elif paren and sep in ("/", "."):
            pass
        elif gd.get("prep") is not None and sep == "/":
            follower = regex.match(r"[^\S\n]+(\w+)", text[e:e + 40])
            if follower and _key(follower.group(1)) in lex["fraction_followers"]:
                return []
        else:
            return []
    days = [day]
    connectors: list[str] = []
    positions: list[tuple[int, int]] = [(s, m.start("d") + len(gd.get("d")))]
    if gd.get("more"):
        base = m.start("more")
        for sub in lex["more_number"].finditer(gd.get("more")):
            connectors.append(_key(sub.group(1)))
            days.append(int(sub.group(2)))
            positions.append((base + sub.start(2), base + sub.end(2)))
    if gd.get("mrel"):
        offset = lex["month_relative"].get(_key(gd.get("mrel")), 0)
        month_spec = ("rel", offset)
    else:
        if month is None or not 1 <= month <= 12:
            return []
        month_spec = ("abs", month)
    # validate every day against the month (leap years allowed when no year is known)
    check_year = year if year is not None else 2024
    if month_spec[0] == "abs" and not all(_valid(check_year, month_spec[1], d) for d in days):
        return []
    if not all(1 <= d <= 31 for d in days):
        return []
    mode = _suffix_mode(gd) if year is None and yrel is None else "auto"

    def make(start: int, end: int, d: int, precision: str) -> _Cand:
        if month_spec[0] == "rel":
            return _Cand(start, end, "day", d=d, unit="month", offset=month_spec[1], mode="relmonth",
                         precision=precision)
        if year is not None:
            return _Cand(start, end, "day", year, month_spec[1], d, precision=precision)
        if yrel is not None:
            return _Cand(start, end, "day", None, month_spec[1], d, mode="relyear", offset=yrel, precision=precision)
        return _Cand(start, end, "day", None, month_spec[1], d, mode=mode, precision=precision)

    if len(days) == 1:
        return [make(s, e, day, "day" if end is None else "period")]
    if any(c in lex["range_connectors"] for c in connectors):
        return [make(s, e, day, "period")]
    out = []
    for i, (d, (ps, pe)) in enumerate(zip(days, positions)):
        out.append(make(ps, e if i == len(days) - 1 else pe, d, "day"))
    return out


def _ago(gd: dict[str, str | None], s: int, e: int, g: _Grammar) -> list[_Cand]:
    lex = g.lex
    direction = gd.get("dir")
    if not gd.get("before") and not direction:
        return []
    n = _number(gd.get("n"), g)
    if n is None:
        return []
    unit = lex["unit_words"].get(_key(gd.get("unit")))
    context = False
    sign = -1
    if direction:
        dkey = _key(direction)
        if dkey in lex["ago_after_context"]:
            sign, context = lex["ago_after_context"][dkey], True
        elif dkey in lex["ago_after"]:
            sign = lex["ago_after"][dkey]
        elif dkey in lex["ago_after_final"]:
            sign = lex["ago_after_final"][dkey]
    if unit == "decade":
        return [_Cand(s, e, "rel", unit="year", offset=sign * 10 * n, precision="period", context=context)]
    return [_Cand(s, e, "rel", unit=unit, offset=sign * n, context=context)]


def _vi_weekday(text: str, gd: dict[str, str | None], s: int, e: int, g: _Grammar) -> _Cand | None:
    lex = g.lex
    wd_text = gd.get("wd")
    wd = lex["weekdays"].get(_key(wd_text))
    if wd is None:
        return None
    # "thứ Hai" is a weekday only with a cue: a preposition, a day part or "hôm" before it; "ngày", "tuần trước"
    # or "tới" only count for a capitalised name ("ngày thứ hai" is the second day, "nhóm thứ ba tới từ" a group)
    capitalised = wd_text.split()[-1][:1].isupper()
    strong = gd.get("wkprep") is not None or gd.get("dp") or (
        gd.get("dw") and _key(gd.get("dw")) not in lex["weekday_ambiguous_after"])
    weak = gd.get("dw") or gd.get("rel") or gd.get("wsuf")
    if not (strong or (weak and capitalised)):
        return None
    if lex["weekday_habit_before"].search(text, max(0, s - 40), s) or lex["weekday_habit_after"].match(text, e):
        return None
    if gd.get("rel"):
        off = lex["week_relative"].get(_key(gd.get("rel")), 0)
        return _Cand(s, e, "weekday", d=wd, mode="week", offset=off)
    if gd.get("wsuf"):
        return _Cand(s, e, "weekday", d=wd, mode=lex["weekday_suffix"].get(_key(gd.get("wsuf")), "auto"))
    return _Cand(s, e, "weekday", d=wd)


def _named(gd: dict[str, str | None], s: int, e: int, g: _Grammar) -> _Cand:
    start, end = g.lex["named"].get(_phrase(gd, "name"), (None, None))
    which = g.lex["period_modifiers"].get(_key(gd.get("mod"))) if gd.get("mod") else None
    year = end if which == "end" else start
    return _Cand(s, e, "value", value=_fmt_year(year) if year else None, precision="period")


def _en_match(text: str, m: regex.Match, gd: dict[str, str | None], kind: str, s: int, e: int,
              g: _Grammar) -> list[_Cand]:
    lex = g.lex
    out: list[_Cand] = []
    if kind == "iso":
        out.append(_Cand(s, e, "day", int(gd.get("y")), int(gd.get("m")), int(gd.get("d"))))
    elif kind == "dm":
        month = lex["month_names"].get(_ckey(gd.get("mname")))
        d = int(gd.get("d"))
        y = int(gd.get("y")) if gd.get("y") else None
        if not month or not _valid(y or 2024, month, d):
            return out
        out.append(_Cand(s, e, "day", y, month, d))
    elif kind == "mo":
        month = lex["month_names"].get(_ckey(gd.get("mname")))
        if not month:
            return out
        if gd.get("y"):
            out.append(_Cand(s, e, "month", y=int(gd.get("y")), m=month))
            return out
        if gd.get("mod"):
            mode = lex["month_modifiers"].get(_key(gd.get("mod")), "auto")
        elif gd.get("prep") is not None or gd.get("part"):
            mode = "auto"
        else:
            return out
        out.append(_Cand(s, e, "month", m=month, mode=mode))
    elif kind == "ur":
        out.append(_Cand(s, e, "rel", unit=_key(gd.get("unit")),
                         offset=lex["relative_modifiers"].get(_key(gd.get("mod")), 0)))
    elif kind == "dr":
        out.append(_Cand(s, e, "rel", unit="day", offset=lex["day_relative"].get(_phrase(gd, "rel"), 0)))
    elif kind == "ago":
        out.extend(_ago(gd, s, e, g))
    elif kind == "dec":
        out.append(_Cand(s, e, "decade", y=int(gd.get("y")), precision="period"))
    elif kind == "yr":
        if gd.get("prep") is None and not gd.get("part"):
            return out
        precision = "period" if gd.get("y2") else "year"  # "in 2014-15"
        out.append(_Cand(s, e, "value", value=_fmt_year(int(gd.get("y"))), precision=precision))
    elif kind == "cx":
        out.append(_Cand(s, e, "ctx", offset=lex["context_days"].get(_phrase(gd, "rel"), 0)))
    elif kind == "wk":
        wd = lex["weekdays_cs"].get(_ckey(gd.get("wd")))
        if wd is None:
            return out
        mode = lex["weekday_modifiers"].get(_key(gd.get("mod")), "auto") if gd.get("mod") else "auto"
        out.append(_Cand(s, e, "weekday", d=wd, mode=mode))
    elif kind == "np":
        out.append(_named(gd, s, e, g))
    elif kind == "ua":
        out.append(_Cand(s, e, "value", value=None, precision="period"))
    return out


class _Groups:
    """`m.groupdict()` read lazily: the handlers look at a few of a pass's many groups, and building the whole
    dict (dozens of groups) cost more than the rest of the handling."""

    __slots__ = ("_match", "_names")

    def __init__(self, match: regex.Match, names: dict[str, int]) -> None:
        self._match = match
        self._names = names  # the pattern's groupindex

    def get(self, name: str, default: Any = None) -> Any:
        index = self._names.get(name)
        return default if index is None else self._match.group(index)

    def __getitem__(self, name: str) -> Any:
        return self._match.group(self._names[name])


def _candidates(text: str, g: _Grammar) -> list[_Cand]:
    """Matches of every pass, validated, merged leftmost-longest (no two overlap)."""
    handler = _vi_match if g.lang == "vi" else _en_match
    found: list[_Cand] = []
    starts = _lead_starts(text, g)
    for index, p in enumerate(g.passes):
        matches = None
        if starts is not None and p.word is not None:
            if not starts[index]:
                continue  # its lead word is nowhere in the text
            matches = _matches_at(p.pattern, text, starts[index])
        for m in p.pattern.finditer(text) if matches is None else matches:
            names = p.names  # group numbers: faster to look up than names
            kind = next(b for b in p.branches if m.start(names[b]) >= 0)
            start = m.start()
            for name in p.span_groups:
                pos = m.start(names[name])
                if 0 <= pos < start:
                    start = pos
            for c in handler(text, m, _Groups(m, p.names), kind, start, m.end(), g):
                c.order = _ORDER[kind]
                found.append(c)
    found.sort(key=lambda c: (c.start, -c.end, c.order))
    out: list[_Cand] = []
    last_end = -1
    for c in found:
        if c.start >= last_end:
            out.append(c)
            last_end = c.end
    return out


# ---------------------------------------------------------------------------------------------------- resolve

class _Sentences:
    def __init__(self, sentences: Sequence[Sentence]):
        starts = [s.start for s in sentences]
        if all(a <= b for a, b in zip(starts, starts[1:])):  # already in order (as split): sorted() would keep it
            self.items, self.starts = list(sentences), starts
        else:
            self.items = sorted(sentences, key=lambda s: s.start)
            self.starts = [s.start for s in self.items]

    def at(self, offset: int) -> Sentence | None:
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.items[i].end:
            return self.items[i]
        return None


def _clause_mode(text: str, start: int, sentence: Sentence | None, g: _Grammar) -> str:
    """'future' when the nearest clause marker before `start` in its sentence is a future marker, else 'past'."""
    if g.markers is None:
        return "past"
    floor = max(0, start - 300)
    if sentence is not None:
        lo = max(sentence.start, floor)
    else:  # no sentence: back to the last line break or sentence-final punctuation
        lo = max(text.rfind(stop, floor, start) for stop in ("\n", ". ", "? ", "! ")) + 1
        lo = max(lo, floor)
    last = None
    for marker in g.markers.finditer(text, lo, start):
        last = marker
    return "future_lenient" if last is not None and last.group("fut") else "past"


def _resolve(c: _Cand, text: str, pub: dt.date | None, sentence: Sentence | None, g: _Grammar,
             last_day: dt.date | None, last_month: tuple[int, int] | None) -> tuple[str | None, str, str]:
    """(value, precision, anchor)."""
    if c.kind == "value":
        return c.value, c.precision, "text"
    if c.kind == "decade":
        y = c.y or 0
        if y < 100:
            ref = (pub or dt.date.today()).year
            y = 2000 + y if 2000 + y <= ref else 1900 + y
        return _fmt_year(y), "period", "text"
    if c.kind == "day":
        if c.y is not None:
            ok = c.m is not None and c.d is not None and _valid(c.y, c.m, c.d)
            return (f"{c.y:04d}-{c.m:02d}-{c.d:02d}" if ok else None), c.precision, "text"
        if pub is None:
            return None, c.precision, "published"
        if c.mode == "relmonth":
            y, mth = _add_months(pub.year, pub.month, c.offset)
            ok = _valid(y, mth, c.d or 0)
            return (f"{y:04d}-{mth:02d}-{c.d:02d}" if ok else None), c.precision, "published"
        if c.mode == "relyear":
            y = pub.year + c.offset
            ok = _valid(y, c.m or 0, c.d or 0)
            return (f"{y:04d}-{c.m:02d}-{c.d:02d}" if ok else None), c.precision, "published"
        mode = c.mode if c.mode != "auto" else _clause_mode(text, c.start, sentence, g)
        day = _pick_day(c.m or 0, c.d or 0, pub, mode)
        return (day.isoformat() if day else None), c.precision, "published"
    if c.kind == "dayonly":
        if last_month is not None and _valid(last_month[0], last_month[1], c.d or 0):
            return f"{last_month[0]:04d}-{last_month[1]:02d}-{c.d:02d}", "day", "context"
        if pub is None:
            return None, "day", "published"
        y, mth = pub.year, pub.month
        if (c.d or 0) > pub.day:
            y, mth = _add_months(y, mth, -1)
        for _ in range(3):
            if _valid(y, mth, c.d or 0):
                return f"{y:04d}-{mth:02d}-{c.d:02d}", "day", "published"
            y, mth = _add_months(y, mth, -1)
        return None, "day", "published"
    if c.kind == "month":
        if c.y is not None:
            return _fmt_month(c.y, c.m or 0), "month", "text"
        if pub is None:
            return None, "month", "published"
        if c.mode == "relyear":
            return _fmt_month(pub.year + c.offset, c.m or 0), "month", "published"
        mode = c.mode if c.mode != "auto" else _clause_mode(text, c.start, sentence, g)
        y, mth = _pick_month(c.m or 0, pub, mode)
        return _fmt_month(y, mth), "month", "published"
    if c.kind == "weekday":
        base = pub
        if base is None:
            return None, "day", "published"
        if c.mode == "week":
            day = _monday(base) + dt.timedelta(7 * c.offset + (c.d or 0))
        else:
            mode = c.mode if c.mode != "auto" else _clause_mode(text, c.start, sentence, g)
            day = _pick_weekday(c.d or 0, base, mode)
        return day.isoformat(), "day", "published"
    if c.kind == "ctx":
        if last_day is not None:
            return (last_day + dt.timedelta(c.offset)).isoformat(), "day", "context"
        if pub is None:
            return None, "day", "published"
        return (pub + dt.timedelta(c.offset)).isoformat(), "day", "published"
    if c.kind == "rel":
        anchor = "published"
        base = pub
        if c.context and last_day is not None:
            base, anchor = last_day, "context"
        if base is None:
            return None, _unit_precision(c), anchor
        if c.unit == "day":
            return (base + dt.timedelta(c.offset)).isoformat(), "day", anchor
        if c.unit == "week":
            return (_monday(base) + dt.timedelta(7 * c.offset)).isoformat(), "period", anchor
        if c.unit == "month":
            y, mth = _add_months(base.year, base.month, c.offset)
            return _fmt_month(y, mth), "month", anchor
        return _fmt_year(base.year + c.offset), c.precision if c.precision == "period" else "year", anchor
    return None, "period", "published"


def _unit_precision(c: _Cand) -> str:
    if c.precision == "period":
        return "period"
    return {"day": "day", "week": "period", "month": "month", "year": "year"}.get(c.unit, "period")


def find_times(text: str, published: dt.date | None, sentences: Sequence[Sentence],
               lang: str = "vi") -> list[TimeExpr]:
    """Every time expression in `text` with its span, sentence index and resolved value, sorted by start."""
    if not text:
        return []
    code = (lang or "vi").split("-")[0].lower()
    g = _grammar(code)
    if g is None:
        return []
    if isinstance(published, dt.datetime):
        published = published.date()
    cands = _candidates(text, g)
    index = _Sentences(sentences)
    out: list[TimeExpr] = []
    last_day: dt.date | None = None
    last_month: tuple[int, int] | None = None
    for c in cands:
        sentence = index.at(c.start)
        try:
            value, precision, anchor = _resolve(c, text, published, sentence, g, last_day, last_month)
        except (OverflowError, ValueError):  # a relative date past year 9999 or before year 1: not resolvable
            value, precision, anchor = None, "day", "published"
        out.append(TimeExpr(start=c.start, end=c.end, text=text[c.start:c.end], value=value, precision=precision,
                            sentence=sentence.index if sentence is not None else -1, anchor=anchor))
        if value is None or (sentence is not None and sentence.role in ("byline", "caption")):
            continue
        if precision == "day" and len(value) == 10:
            last_day = dt.date.fromisoformat(value)
            last_month = (last_day.year, last_day.month)
    return out
