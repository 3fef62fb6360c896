"""`quanhe check`: verify that the store is consistent with itself.

Every stored layer points into `articles.text` (the clean text) with character offsets; this check re-reads each
span and compares it with the surface text stored next to it, so an edited text, a bug that shifted offsets or a
partially written article shows up as one line per problem:

- spans of mentions, times, quotes (`text`) and of events and assessments (`evidence`) that fall outside the
  article's text or no longer read the stored string;
- sentences outside the text, and articles that have text but no sentences;
- events and assessments whose sentence index names no sentence of their article, or whose evidence lies outside
  that sentence; mentions, times and quotes whose (optional) sentence index names no sentence;
- orphans: rows of any layer, and `article_sources` links, whose article is not stored; events pointing at a
  story that does not exist;
- numbered rows (sentences, mentions, times, quotes, assessments) stored twice under one (article_id, idx),
  which no key prevents since schema version 2.

All checks run in DuckDB SQL over the whole store (`substring` counts code points, as Python offsets do).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import duckdb
import typer

from quanhe.store import DEFAULT_PATH
from quanhe.store.database import NUMBERED_TABLES, Store

DEFAULT_LIMIT = 1000  # problems listed per kind of check; the rest are counted on one line

# (table, row label SQL, surface column): spans that must read exactly their stored text.
_SPAN_TABLES = (
    ("mentions", "'#' || x.idx", "text"),
    ("times", "'#' || x.idx", "text"),
    ("quotes", "'#' || x.idx", "text"),
    ("events", "' ' || x.id", "evidence"),
    ("assessments", "'#' || x.idx", "evidence"),
)
# Tables whose `sentence` must name a sentence of the article (always), and those where -1 means "none".
_SENTENCE_REQUIRED = (("events", "' ' || x.id"), ("assessments", "'#' || x.idx"))
_SENTENCE_OPTIONAL = (("mentions", "'#' || x.idx"), ("times", "'#' || x.idx"), ("quotes", "'#' || x.idx"))
_ORPHAN_TABLES = ("sentences", "mentions", "times", "quotes", "events", "assessments", "article_sources")


def _short(value: object, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _collect(store: Store, sql: str, render, limit: int) -> list[str]:
    """Run a query whose rows are problems; at most `limit` lines, then one line counting the rest."""
    rows = store.con.execute(f"SELECT * FROM ({sql}) LIMIT {int(limit) + 1}").fetchall()
    lines = [render(*row) for row in rows[:limit]]
    if len(rows) > limit:
        total = store.con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
        lines.append(f"… and {total - limit} more like the line above")
    return lines


def _span_problems(store: Store, table: str, label: str, column: str, limit: int) -> list[str]:
    sql = f"""
        SELECT x.article_id || {label} AS row_label, x.start_char, x.end_char, length(a.text) AS text_length,
               CASE WHEN x.start_char IS NULL OR x.end_char IS NULL OR x.start_char < 0
                         OR x.end_char < x.start_char OR x.end_char > length(a.text) THEN NULL
                    ELSE substring(a.text, x.start_char + 1, x.end_char - x.start_char) END AS actual,
               x.{column} AS stored
        FROM {table} x JOIN articles a ON a.id = x.article_id
        WHERE x.start_char IS NULL OR x.end_char IS NULL OR x.start_char < 0 OR x.end_char < x.start_char
              OR x.end_char > length(a.text)
              OR substring(a.text, x.start_char + 1, x.end_char - x.start_char) IS DISTINCT FROM x.{column}
        ORDER BY x.article_id, x.start_char"""

    def render(row_label, start, end, length, actual, stored) -> str:
        if actual is None:
            return (f"{table} {row_label}: span [{start}:{end}] lies outside the article text "
                    f"({length} characters); stored {_short(stored)}")
        return f"{table} {row_label}: span [{start}:{end}] reads {_short(actual)}, stored {_short(stored)}"

    return _collect(store, sql, render, limit)


def _sentence_problems(store: Store, limit: int) -> list[str]:
    problems = _collect(store, """
        SELECT s.article_id, s.idx, s.start_char, s.end_char, length(a.text)
        FROM sentences s JOIN articles a ON a.id = s.article_id
        WHERE s.start_char IS NULL OR s.end_char IS NULL OR s.start_char < 0 OR s.end_char < s.start_char
              OR s.end_char > length(a.text)
        ORDER BY s.article_id, s.idx""",
        lambda aid, idx, start, end, length: f"sentences {aid}#{idx}: span [{start}:{end}] lies outside the "
                                             f"article text ({length} characters)", limit)
    problems += _collect(store, """
        SELECT a.id, length(a.text) FROM articles a
        WHERE length(trim(coalesce(a.text, ''))) > 0
              AND NOT EXISTS (SELECT 1 FROM sentences s WHERE s.article_id = a.id)
        ORDER BY a.id""",
        lambda aid, length: f"articles {aid}: {length} characters of text but no sentences", limit)
    for table, label in _SENTENCE_REQUIRED:
        problems += _collect(store, f"""
            SELECT x.article_id || {label}, x.sentence, x.start_char, x.end_char, s.start_char, s.end_char
            FROM {table} x JOIN articles a ON a.id = x.article_id
            LEFT JOIN sentences s ON s.article_id = x.article_id AND s.idx = x.sentence
            WHERE s.idx IS NULL OR x.start_char < s.start_char OR x.end_char > s.end_char
            ORDER BY x.article_id, x.start_char""",
            lambda row, sentence, start, end, s_start, s_end, table=table: (
                f"{table} {row}: sentence {sentence} is not a sentence of its article" if s_start is None else
                f"{table} {row}: evidence [{start}:{end}] lies outside its sentence {sentence} "
                f"[{s_start}:{s_end}]"), limit)
    for table, label in _SENTENCE_OPTIONAL:
        problems += _collect(store, f"""
            SELECT x.article_id || {label}, x.sentence
            FROM {table} x JOIN articles a ON a.id = x.article_id
            WHERE x.sentence IS NOT NULL AND x.sentence <> -1 AND NOT EXISTS (
                SELECT 1 FROM sentences s WHERE s.article_id = x.article_id AND s.idx = x.sentence)
            ORDER BY x.article_id, x.sentence""",
            lambda row, sentence, table=table: f"{table} {row}: sentence {sentence} is not a sentence of its "
                                               "article", limit)
    return problems


def _orphan_problems(store: Store, limit: int) -> list[str]:
    problems: list[str] = []
    for table in _ORPHAN_TABLES:
        problems += _collect(store, f"""
            SELECT x.article_id, count(*) FROM {table} x
            WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = x.article_id)
            GROUP BY x.article_id ORDER BY x.article_id""",
            lambda aid, n, table=table: f"{table}: {n} row(s) for article {aid!r}, which is not stored (orphans)",
            limit)
    problems += _collect(store, """
        SELECT e.story_id, count(*) FROM events e
        WHERE e.story_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stories s WHERE s.id = e.story_id)
        GROUP BY e.story_id ORDER BY e.story_id""",
        lambda story, n: f"events: {n} event(s) point at story {story!r}, which is not stored (orphans)", limit)
    return problems


def _repeated_problems(store: Store, limit: int) -> list[str]:
    problems: list[str] = []
    for table in NUMBERED_TABLES:
        problems += _collect(store, f"""
            SELECT article_id, idx, count(*) FROM {table} GROUP BY article_id, idx HAVING count(*) > 1
            ORDER BY article_id, idx""",
            lambda aid, idx, n, table=table: f"{table} {aid}#{idx}: stored {n} times", limit)
    return problems


def check(store: Store, limit: int = DEFAULT_LIMIT) -> list[str]:
    """Every consistency problem of the store, one line each (at most `limit` per kind, the rest counted)."""
    problems: list[str] = []
    for table, label, column in _SPAN_TABLES:
        problems += _span_problems(store, table, label, column, limit)
    problems += _sentence_problems(store, limit)
    problems += _orphan_problems(store, limit)
    problems += _repeated_problems(store, limit)
    return problems


def check_command(db: Annotated[Path, typer.Option("--db", help="DuckDB file of the store.")] = DEFAULT_PATH,
                  limit: Annotated[int, typer.Option(help="Problems listed per kind of check.", min=1)]
                  = DEFAULT_LIMIT) -> None:
    """Verify the store: every span still reads its stored text, no orphan rows. Exits 1 on any problem."""
    from quanhe.store.database import StoreError

    try:
        store = Store(db, read_only=True)
    except StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    try:
        problems = check(store, limit)
        articles = store.count("articles")
        events = store.count("events")
    except duckdb.Error as exc:
        typer.echo(f"error: {db}: not a quanhe database ({str(exc).splitlines()[0]})", err=True)
        raise typer.Exit(1) from None
    finally:
        store.close()
    for problem in problems:
        typer.echo(problem)
    if problems:
        typer.echo(f"{len(problems)} problem(s) found in {db} ({articles} articles, {events} events)", err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {articles} articles, {events} events checked")
