"""The `quanhe` command line: run the pipeline into the store, and read what it found."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from quanhe.limit_options import DbMemory, MaxArticleChars, MaxFileBytes, MaxJsonlLineBytes, limits_or_exit
from quanhe.store import DEFAULT_PATH, WRITE_MEMORY

app = typer.Typer(help="quanhe: political event data from Vietnamese (and English) news.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DbOption = Annotated[Path, typer.Option("--db", help="DuckDB file of the store.")]
DateOption = Annotated[Optional[str], typer.Option("--date", help="Publication date (YYYY-MM-DD) for articles "
                                                                 "that do not give one.")]


def _fail(message: str) -> None:
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(1)


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"--date {value!r} is not a date (expected YYYY-MM-DD)")


def _open(db: Path, read_only: bool = True):
    from quanhe.store.database import Store, StoreError

    try:
        return Store(db, read_only=read_only)
    except StoreError as exc:
        _fail(str(exc))


def _table(rows: list[dict], columns: list[str], title: str | None = None) -> None:
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    out.print(table)


@app.command()
def run(paths: Annotated[list[Path], typer.Argument(help="Files or folders: .txt, .html, .jsonl, .warc")],
        db: DbOption = DEFAULT_PATH, published: DateOption = None,
        batch_size: Annotated[int, typer.Option(help="Articles per transaction.")] = 200,
        workers: Annotated[int, typer.Option(help="Analysis processes (with --engine ray: the CPUs of the local "
                                                  "cluster it starts).")] = 1,
        engine: Annotated[str, typer.Option(help="local, or ray (needs `pip install quanhe[ray]`; with --out).")] = "local",
        out_dir: Annotated[Optional[Path], typer.Option("--out", help="Write Parquet partitioned by month here "
                                                                      "instead of the store (then `quanhe load DIR`).")] = None,
        max_article_chars: MaxArticleChars = None, max_jsonl_line_bytes: MaxJsonlLineBytes = None,
        max_file_bytes: MaxFileBytes = None, db_memory: DbMemory = WRITE_MEMORY) -> None:
    """Ingest articles, run every analysis stage and store the results (or write them as Parquet with --out)."""
    sizes = {"max_article_chars": max_article_chars, "max_jsonl_line_bytes": max_jsonl_line_bytes,
             "max_file_bytes": max_file_bytes}
    limits = limits_or_exit(**sizes)
    if out_dir is not None or engine != "local":
        from quanhe.engines.commands import export_run

        if out_dir is None:
            _fail("--engine ray writes Parquet: give --out DIR (then `quanhe load DIR`)")
        export_run(paths, out=out_dir, engine=engine, published=published, workers=workers, **sizes)
        return
    from quanhe.aggregate.stories import update_stories
    from quanhe.runner import run_batch

    default_date = _parse_date(published)

    import duckdb

    from quanhe.store.database import StoreError

    store = _open(db, read_only=False)
    try:
        store.limit_memory(db_memory)
        summary = run_batch(store, paths, default_date, batch_size=batch_size, workers=workers, progress=err,
                            limits=limits)
        unclustered = store.con.execute("SELECT count(*) FROM events WHERE story_id IS NULL").fetchone()[0]
        if summary.added or unclustered:  # a run killed before its stories were rebuilt is finished here
            store.limit_memory(None)  # clustering is a few queries over every event, not a stream
            summary.stories = update_stories(store)
    except StoreError as exc:
        _fail(str(exc))
    except duckdb.OutOfMemoryException as exc:
        _fail(f"{db}: {str(exc).splitlines()[0]} (give DuckDB more with --db-memory)")
    except duckdb.Error as exc:
        _fail(f"{db}: {str(exc).splitlines()[0]}")
    finally:
        store.close()
    for warning in summary.warnings:
        err.print(f"warning: {warning}", markup=False)
    for failure in summary.failures:
        err.print(f"error: {failure}", markup=False)
    out.print(summary.render(), markup=False)
    if summary.ingested == 0 and summary.failures:
        raise typer.Exit(1)


@app.command()
def articles(db: DbOption = DEFAULT_PATH,
             limit: Annotated[int, typer.Option(help="Rows to show.")] = 100) -> None:
    """List stored articles."""
    with _open(db) as store:
        _table(store.articles(limit=limit), ["id", "published", "title", "events", "sources", "source"])


@app.command()
def show(article_id: Annotated[str, typer.Argument(help="Article id (a unique prefix is enough).")],
         db: DbOption = DEFAULT_PATH) -> None:
    """Show an article's clean text with sentence numbers, and its warnings."""
    with _open(db) as store:
        row = store.article(article_id)
    if row is None:
        _fail(f"no article {article_id!r} (or the prefix is ambiguous)")
    out.print(f"{row['id']}  {row['published'] or 'no date'}  {row['source']}", markup=False)
    out.print(f"title: {row['title'] or '-'}", markup=False)
    for warning in row["warnings"] or []:
        out.print(f"warning: {warning}", markup=False)
    for sentence in row["sentences"]:
        marker = "" if sentence["role"] == "body" else f" [{sentence['role']}]"
        out.print(f"[{sentence['idx']:>3}]{marker} {row['text'][sentence['start_char']:sentence['end_char']]}",
                  markup=False)


@app.command()
def extract(file: Annotated[Path, typer.Argument(help="One article file.")],
            as_json: Annotated[bool, typer.Option("--json", help="Print the analysed document as JSON.")] = False,
            published: DateOption = None) -> None:
    """Analyse one file without any database and print the whole document."""
    from quanhe.ingest.readers import read_paths
    from quanhe.ingest.records import IngestError
    from quanhe.pipeline import process

    records = list(read_paths([file], limits_or_exit()))
    failures = [r for r in records if isinstance(r, IngestError)]
    for failure in failures:
        err.print(f"error: {failure}", markup=False)
    docs = [process(r, _parse_date(published)) for r in records if not isinstance(r, IngestError)]
    if not docs:
        raise typer.Exit(1)
    if as_json:
        payload = [d.to_dict() for d in docs]
        sys.stdout.write(json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False, indent=2,
                                    default=str) + "\n")
        return
    from quanhe.serve.render import render_document

    for doc in docs:
        out.print(render_document(doc), markup=False)


@app.command()
def actors(article_id: Annotated[Optional[str], typer.Argument(help="Only this article.")] = None,
           db: DbOption = DEFAULT_PATH) -> None:
    """List actor mentions with their codes and how they were resolved."""
    sql = ("SELECT article_id, text, canonical, code, sector, kind, resolved_by, count(*) AS n FROM mentions "
           "WHERE kind NOT IN ('PLACE') AND (? IS NULL OR article_id LIKE ? || '%') "
           "GROUP BY ALL ORDER BY article_id, n DESC, text")
    with _open(db) as store:
        _table(store.query(sql, [article_id, article_id]),
               ["article_id", "text", "canonical", "code", "sector", "kind", "resolved_by", "n"])


@app.command()
def quotes(speaker: Annotated[Optional[str], typer.Option(help="Speaker name contains this.")] = None,
           country: Annotated[Optional[str], typer.Option(help="Speaker country code (RUS).")] = None,
           db: DbOption = DEFAULT_PATH) -> None:
    """Who said what."""
    sql = ("SELECT date, speaker_name, speaker_code, kind, cue, text, article_id FROM quotes "
           "WHERE (? IS NULL OR speaker_name ILIKE '%' || ? || '%') AND (? IS NULL OR speaker_code = upper(?)) "
           "ORDER BY date NULLS LAST, article_id, idx")
    with _open(db) as store:
        _table(store.query(sql, [speaker, speaker, country, country]),
               ["date", "speaker_name", "speaker_code", "kind", "cue", "text", "article_id"])


@app.command()
def events(dyad: Annotated[Optional[str], typer.Option(help="SRC-TGT (ordered) or SRC~TGT (either way).")] = None,
           event_type: Annotated[Optional[str], typer.Option("--type", help="PLOVER type.")] = None,
           since: Annotated[Optional[str], typer.Option(help="From this date (YYYY-MM-DD).")] = None,
           until: Annotated[Optional[str], typer.Option(help="Up to this date (YYYY-MM-DD).")] = None,
           db: DbOption = DEFAULT_PATH) -> None:
    """Coded events with their evidence."""
    source = target = None
    either = False
    if dyad:
        either = "~" in dyad
        parts = dyad.replace("~", "-").upper().split("-")
        if len(parts) != 2:
            _fail(f"--dyad {dyad!r}: expected SRC-TGT, e.g. RUS-JPN")
        source, target = parts
    sql = ("SELECT date, type, negated, source_code AS src, target_code AS tgt, confidence, evidence, article_id "
           "FROM events WHERE (? IS NULL OR type = upper(?)) "
           "AND (? IS NULL OR (source_code = ? AND target_code = ?) OR (? AND source_code = ? AND target_code = ?)) "
           "AND (? IS NULL OR event_day >= CAST(? AS DATE)) AND (? IS NULL OR event_day <= CAST(? AS DATE)) "
           "ORDER BY event_day NULLS LAST, article_id, sentence")
    params = [event_type, event_type, source, source, target, either, target, source, since, since, until, until]
    with _open(db) as store:
        _table(store.query(sql, params), ["date", "type", "negated", "src", "tgt", "confidence", "evidence",
                                          "article_id"])


@app.command(name="eval")
def evaluate(gold: Annotated[Path, typer.Argument(help="Gold JSONL file.")],
             docs: Annotated[Path, typer.Option("--docs", help="Folder with one file per gold doc.")],
             details: Annotated[bool, typer.Option("--details", help="Per-document rows and misses.")] = False,
             as_json: Annotated[bool, typer.Option("--json", help="Scores as JSON.")] = False) -> None:
    """Score the pipeline against gold annotations (P/R/F1 per layer)."""
    from quanhe.evaluate.gold import evaluate as run_eval
    from quanhe.evaluate.gold import to_json
    from quanhe.evaluate.report import format_report

    if not gold.is_file():
        _fail(f"{gold}: no such gold file")
    if not docs.is_dir():
        _fail(f"{docs}: no such folder")
    try:
        result = run_eval(gold, docs)
    except (FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
    if as_json:
        sys.stdout.write(json.dumps(to_json(result), ensure_ascii=False) + "\n")
    else:
        out.print(format_report(result, details), markup=False)


def _register() -> None:
    """Commands whose code lives with their stage (serve, export, check, cluster engines)."""
    from quanhe.engines import commands as engine_commands
    from quanhe.serve import commands as serve_commands
    from quanhe.store.check import check_command

    app.command()(serve_commands.serve)
    app.command()(serve_commands.export)
    app.command()(engine_commands.load)
    app.command(name="check")(check_command)


_register()


def main() -> None:
    app()
