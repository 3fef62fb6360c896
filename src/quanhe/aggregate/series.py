"""Dyad series: how a pair of countries' relations move over time, counted in stories, in one SQL query each.

A period's row counts stories (not raw mentions, see `quanhe.aggregate.stories`) per PLOVER type, keeps
negated stories in their own column, and sums a cooperation-conflict score. Events not yet clustered count as
their own story. A story is placed in the period of its first day; undated stories cannot be placed and are
only counted in `undated`. Everything runs in DuckDB, so a series over millions of events stays interactive.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

import duckdb
import pycountry
from babel import Locale

from quanhe.model import PLOVER_TYPES

# Goldstein weight per PLOVER type: the "score" column of the type table in shared/conventions.md (the
# Goldstein value of the nearest CAMEO root). REQUEST made as a demand (mode "demand") scores DEMAND_SCORE
# (CAMEO 10), other requests 3.0 (CAMEO 02 appeal). A negated story scores 0.
GOLDSTEIN: dict[str, float] = {
    "AGREE": 4.0, "CONSULT": 1.0, "SUPPORT": 3.5, "CONCEDE": 5.0, "COOPERATE": 6.0, "AID": 7.0, "RETREAT": 5.0,
    "REQUEST": 3.0, "ACCUSE": -2.0, "REJECT": -4.0, "THREATEN": -6.0, "PROTEST": -6.5, "SANCTION": -4.0,
    "MOBILIZE": -7.2, "COERCE": -7.0, "ASSAULT": -9.0,
}
DEMAND_SCORE = -5.0
FREQUENCIES = ("day", "week", "month")


def goldstein_sql(type_col: str = "type", mode_col: str = "mode") -> str:
    """A SQL expression giving the Goldstein weight of a (type, mode) pair, built from `GOLDSTEIN`."""
    cases = " ".join(f"WHEN '{name}' THEN {weight}" for name, weight in GOLDSTEIN.items())
    return (f"CASE WHEN {type_col} = 'REQUEST' AND {mode_col} = 'demand' THEN {DEMAND_SCORE} "
            f"ELSE CASE {type_col} {cases} ELSE 0.0 END END")


def _dyad_stories(ordered: bool) -> str:
    """SQL for the dyad's stories: (type, mode, negated, day, mentions), one row per story.

    Each direction is its own conjunctive filter (an OR would defeat DuckDB's row-group pruning on the
    dyad-sorted stories table). Events not yet clustered (story_id NULL) count as single-mention stories;
    once every event has a story, DuckDB's null statistics skip that branch without reading the events.
    """
    directions = [("$a", "$b")] if ordered else [("$a", "$b"), ("$b", "$a")]
    parts = []
    for src, tgt in directions:
        parts.append("SELECT type, mode, negated, first_day AS day, num_mentions AS mentions FROM stories "
                     f"WHERE source_code = {src} AND target_code = {tgt}")
        parts.append("SELECT type, mode, coalesce(negated, false), event_day, 1 FROM events "
                     f"WHERE story_id IS NULL AND source_code = {src} AND target_code = {tgt}")
    return "\n    UNION ALL ".join(parts)


@cache
def _series_sql(ordered: bool) -> str:
    counts = ", ".join(f'count(*) FILTER (WHERE NOT negated AND type = \'{t}\')::INTEGER AS "{t}"'
                       for t in PLOVER_TYPES)
    return f"""
    WITH placed AS (
        SELECT *, date_trunc($freq, day)::DATE AS period,
               CASE WHEN negated THEN 0.0 ELSE {goldstein_sql()} END AS weight
        FROM ({_dyad_stories(ordered)})
        WHERE day IS NOT NULL AND ($since IS NULL OR day >= $since) AND ($until IS NULL OR day <= $until))
    SELECT period, {counts}, count(*) FILTER (WHERE negated)::INTEGER AS negated,
           count(*)::INTEGER AS stories, sum(mentions)::INTEGER AS mentions, round(sum(weight), 2)::DOUBLE AS score
    FROM placed GROUP BY period ORDER BY period
    """


def _rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def dyad_series(con: duckdb.DuckDBPyConnection, a: str, b: str, freq: str = "week", ordered: bool = False,
                since: date | None = None, until: date | None = None) -> list[dict[str, Any]]:
    """One row per period that has at least one dated story of the dyad, oldest first.

    Columns: period (first day), one count per PLOVER type (non-negated stories), negated, stories, mentions
    (the raw events behind those stories) and score (sum of Goldstein weights). `ordered` keeps only a -> b.
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {', '.join(FREQUENCIES)}")
    params = {"a": a, "b": b, "freq": freq, "since": since, "until": until}
    return _rows(con.execute(_series_sql(ordered), params))


def undated_stories(con: duckdb.DuckDBPyConnection, a: str, b: str, ordered: bool = False) -> int:
    """Stories of the dyad with no date, which no period can show."""
    sql = f"SELECT count(*) FROM ({_dyad_stories(ordered)}) WHERE day IS NULL"
    return con.execute(sql, {"a": a, "b": b}).fetchone()[0]


def latest_assessments(con: duckdb.DuckDBPyConnection, a: str, b: str, limit: int = 10) -> list[dict[str, Any]]:
    """The most recent statements on how the pair's relations stand, either order, newest first."""
    sql = """
    SELECT x.article_id, x.idx, coalesce(x.date, strftime(a.published, '%Y-%m-%d')) AS date, x.actor_a, x.actor_b,
           x.polarity, x.level, x.speaker_name, x.speaker_country, x.cue,
           {'article': x.article_id, 'sentence': x.sentence, 'start': x.start_char, 'end': x.end_char,
            'text': x.evidence} AS evidence
    FROM assessments x LEFT JOIN articles a ON a.id = x.article_id
    WHERE (x.actor_a = $a AND x.actor_b = $b) OR (x.actor_a = $b AND x.actor_b = $a)
    ORDER BY date DESC NULLS LAST, x.article_id, x.idx
    LIMIT $limit
    """
    return _rows(con.execute(sql, {"a": a, "b": b, "limit": limit}))


@cache
def _names(code: str) -> tuple[str, str]:
    """(Vietnamese, English) name of an actor code from CLDR via babel, the code itself when CLDR has none.

    ISO alpha-3 codes go through pycountry (current, then historic countries) to CLDR's alpha-2 keys; two
    IGO codes (EU, UN) are CLDR keys themselves.
    """
    country = pycountry.countries.get(alpha_3=code) or pycountry.historic_countries.get(alpha_3=code)
    key = country.alpha_2 if country else code
    return Locale("vi").territories.get(key, code), Locale("en").territories.get(key, code)


def dyads(con: duckdb.DuckDBPyConnection, limit: int = 200) -> list[dict[str, Any]]:
    """Unordered pairs of coded actors with their story and mention counts, busiest first (the dyad picker)."""
    sql = """
    WITH s AS (
        SELECT source_code, target_code, first_day, last_day, num_mentions AS mentions FROM stories
        UNION ALL
        SELECT source_code, target_code, event_day, event_day, 1 FROM events WHERE story_id IS NULL)
    SELECT least(source_code, target_code) AS a, greatest(source_code, target_code) AS b,
           count(*) AS stories, sum(mentions)::INTEGER AS mentions,
           count(*) FILTER (WHERE source_code < target_code) AS a_to_b,
           count(*) FILTER (WHERE source_code > target_code) AS b_to_a,
           min(first_day) AS first_day, max(last_day) AS last_day
    FROM s
    WHERE source_code IS NOT NULL AND target_code IS NOT NULL AND source_code <> target_code
    GROUP BY ALL
    ORDER BY stories DESC, mentions DESC, a, b
    LIMIT $limit
    """
    rows = _rows(con.execute(sql, {"limit": limit}))
    for row in rows:  # names come from CLDR in Python: one lookup per pair listed, not per event
        (row["a_vi"], row["a_en"]), (row["b_vi"], row["b_en"]) = _names(row["a"]), _names(row["b"])
    return rows
