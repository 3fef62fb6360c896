"""Exports of the store's layers, and the SQL that shapes their records (the API serves the same shapes).

Events leave in the PLOVER-style record of shared/conventions.md (nested `source`, `target`, `place`,
`evidence`); quotes and assessments carry the same `evidence` object. `csv` flattens every record to one row
of plain columns; `parquet` keeps the nested records; `gdelt` is a GDELT 2.0-like flat CSV, one row per
non-negated event, for tools that expect GDELT's column names (the mapping is in `GDELT_SQL` and
docs/api.md). Every format is written by DuckDB's COPY, so an export never holds the rows in Python.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from quanhe.aggregate.series import goldstein_sql
from quanhe.store.database import Store

WHATS = ("events", "stories", "quotes", "assessments")
FORMATS = ("jsonl", "csv", "parquet", "gdelt")


def _evidence(article: str = "article_id", text: str = "evidence") -> str:
    return (f"{{'article': {article}, 'sentence': sentence, 'start': start_char, 'end': end_char, "
            f"'text': {text}}}")


def _actor(prefix: str) -> str:
    """The actor object, or NULL when the event has no such actor (an event with no stated target)."""
    return (f"CASE WHEN {prefix}_text IS NULL AND {prefix}_name IS NULL AND {prefix}_code IS NULL THEN NULL "
            f"ELSE {{'text': {prefix}_text, 'name': {prefix}_name, 'country': {prefix}_country, "
            f"'sector': {prefix}_sector}} END")


EVENT_RECORD = f"""
SELECT id, type, mode, negated, modality, {_actor('source')} AS source, {_actor('target')} AS target,
       date, date_precision, date_from,
       CASE WHEN place_text IS NULL AND place_country IS NULL THEN NULL
            ELSE {{'text': place_text, 'country': place_country}} END AS place,
       confidence, story_id AS story, {_evidence()} AS evidence
FROM events
"""

EVENT_FLAT = """
SELECT id, type, mode, negated, modality, source_text, source_name, source_country, source_sector, source_code,
       target_text, target_name, target_country, target_sector, target_code, date, date_precision, date_from,
       place_text, place_country, confidence, story_id AS story, article_id AS article, sentence,
       start_char AS start, end_char AS "end", evidence
FROM events
"""

STORY_RECORD = """
SELECT id, type, mode, negated, source_code AS source, target_code AS target, first_day, last_day, num_mentions,
       num_articles, num_sources, first_seen, last_seen, evidence
FROM stories
"""

QUOTE_RECORD = f"""
SELECT text, kind, cue,
       CASE WHEN speaker_text IS NULL AND speaker_name IS NULL THEN NULL
            ELSE {{'text': speaker_text, 'name': speaker_name, 'country': speaker_country,
                   'sector': speaker_sector, 'code': speaker_code}} END AS speaker,
       outlet, date, {_evidence(text='text')} AS evidence
FROM quotes
"""

QUOTE_FLAT = """
SELECT article_id AS article, idx, kind, cue, speaker_text, speaker_name, speaker_country, speaker_sector,
       speaker_code, outlet, date, sentence, start_char AS start, end_char AS "end", text
FROM quotes
"""

ASSESSMENT_RECORD = f"""
SELECT [actor_a, actor_b] AS dyad, polarity, level,
       CASE WHEN speaker_name IS NULL THEN NULL ELSE {{'name': speaker_name, 'country': speaker_country}} END
           AS speaker,
       date, cue, {_evidence()} AS evidence
FROM assessments
"""

ASSESSMENT_FLAT = """
SELECT article_id AS article, idx, actor_a, actor_b, polarity, level, speaker_name, speaker_country, date, cue,
       sentence, start_char AS start, end_char AS "end", evidence
FROM assessments
"""

ORDER = {"events": "ORDER BY event_day NULLS LAST, article_id, sentence, start_char, id",
         "stories": "ORDER BY first_day NULLS LAST, id",
         "quotes": "ORDER BY date NULLS LAST, article_id, idx",
         "assessments": "ORDER BY date NULLS LAST, article_id, idx"}

# CAMEO quad class of each PLOVER type's nearest CAMEO root (1 verbal cooperation: 02-05, 2 material
# cooperation: 06-09, 3 verbal conflict: 10-14, 4 material conflict: 15-20); REQUEST as a demand is CAMEO 10.
QUAD_CLASS = {"AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "REQUEST": 1, "COOPERATE": 2, "AID": 2, "CONCEDE": 2,
              "RETREAT": 2, "ACCUSE": 3, "REJECT": 3, "THREATEN": 3, "PROTEST": 3, "MOBILIZE": 4, "SANCTION": 4,
              "COERCE": 4, "ASSAULT": 4}
_QUAD = " ".join(f"WHEN '{name}' THEN {quad}" for name, quad in QUAD_CLASS.items())

# One row per non-negated event (GDELT has no negation). The story's first mention, whose id the story id is
# derived from, has IsRootEvent = 1: keep those rows for one row per story.
GDELT_SQL = f"""
SELECT e.id AS GLOBALEVENTID,
       strftime(e.event_day, '%Y%m%d')::INTEGER AS SQLDATE, strftime(e.event_day, '%Y%m')::INTEGER AS MonthYear,
       year(e.event_day) AS "Year",
       round(year(e.event_day) + (dayofyear(e.event_day) - 1) / 365.0, 4) AS FractionDate,
       nullif(coalesce(e.source_code, '') || coalesce(e.source_sector, ''), '') AS Actor1Code,
       upper(e.source_name) AS Actor1Name, e.source_country AS Actor1CountryCode, e.source_sector AS Actor1Type1Code,
       nullif(coalesce(e.target_code, '') || coalesce(e.target_sector, ''), '') AS Actor2Code,
       upper(e.target_name) AS Actor2Name, e.target_country AS Actor2CountryCode, e.target_sector AS Actor2Type1Code,
       (e.story_id = 's-' || substr(md5(e.id), 1, 16))::INTEGER AS IsRootEvent,
       e.type || coalesce('.' || e.mode, '') AS EventCode, e.type AS EventBaseCode, e.type AS EventRootCode,
       CASE WHEN e.type = 'REQUEST' AND e.mode = 'demand' THEN 3 ELSE CASE e.type {_QUAD} END END AS QuadClass,
       {goldstein_sql('e.type', 'e.mode')} AS GoldsteinScale,
       coalesce(s.num_mentions, 1) AS NumMentions, coalesce(s.num_sources, 1) AS NumSources,
       coalesce(s.num_articles, 1) AS NumArticles, NULL::DOUBLE AS AvgTone,
       e.place_text AS ActionGeo_FullName, e.place_country AS ActionGeo_CountryCode,
       strftime(a.ingested_at, '%Y%m%d%H%M%S')::BIGINT AS DATEADDED, coalesce(a.url, a.source) AS SOURCEURL
FROM events e LEFT JOIN stories s ON s.id = e.story_id LEFT JOIN articles a ON a.id = e.article_id
WHERE NOT coalesce(e.negated, false)
ORDER BY e.event_day NULLS LAST, e.article_id, e.sentence, e.start_char, e.id
"""

_RECORDS = {"events": EVENT_RECORD, "stories": STORY_RECORD, "quotes": QUOTE_RECORD,
            "assessments": ASSESSMENT_RECORD}
_FLAT = {"events": EVENT_FLAT, "stories": STORY_RECORD, "quotes": QUOTE_FLAT, "assessments": ASSESSMENT_FLAT}
_COPY_OPTIONS = {"jsonl": "FORMAT json", "csv": "FORMAT csv, HEADER", "parquet": "FORMAT parquet",
                 "gdelt": "FORMAT csv, HEADER"}


def export_sql(what: str, fmt: str) -> str:
    """The SELECT whose rows an export writes; raises ValueError for an unknown layer or format."""
    if what not in WHATS:
        raise ValueError(f"unknown layer {what!r}: choose one of {', '.join(WHATS)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt == "gdelt":
        if what != "events":
            raise ValueError("the gdelt format exports events only")
        return GDELT_SQL
    select = _FLAT[what] if fmt == "csv" else _RECORDS[what]
    return f"{select} {ORDER[what]}"


def export(store: Store, what: str = "events", fmt: str = "jsonl", out: Path | None = None) -> int:
    """Write a layer to `out` (stdout when None; parquet needs a file); returns the number of rows written."""
    sql = export_sql(what, fmt)
    if out is None and fmt == "parquet":
        raise ValueError("parquet is binary: give a file with --out")
    if out is not None:
        return _copy(store, sql, fmt, out)
    with tempfile.TemporaryDirectory(prefix="quanhe-export-") as tmp:
        path = Path(tmp) / f"export.{fmt}"
        rows = _copy(store, sql, fmt, path)
        with path.open(encoding="utf-8") as handle:
            shutil.copyfileobj(handle, sys.stdout)
        sys.stdout.flush()
    return rows


def _copy(store: Store, sql: str, fmt: str, out: Path) -> int:
    target = str(out).replace("'", "''")
    return store.con.execute(f"COPY ({sql}) TO '{target}' ({_COPY_OPTIONS[fmt]})").fetchone()[0]
