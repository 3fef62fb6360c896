"""`quanhe run --out DIR [--engine local|ray]` and `quanhe load DIR`: typer commands the CLI registers.

They live here so the CLI imports neither pyarrow's writer nor Ray until one of them runs. Failures print one
line on stderr and exit with status 1, like the other commands; every ingest error is one stderr line.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import duckdb
import typer

from quanhe.limit_options import MaxArticleChars, MaxFileBytes, MaxJsonlLineBytes, limits_or_exit
from quanhe.store.database import DEFAULT_PATH, Store, StoreError

DbOption = Annotated[Path, typer.Option("--db", help="DuckDB file of the store.")]


def _fail(message: str) -> None:
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(1)


def export_run(paths: Annotated[list[Path], typer.Argument(help="Files or folders: .txt, .html, .jsonl, .warc, "
                                                                ".parquet")],
               out: Annotated[Path, typer.Option("--out", help="New folder for the Parquet tables, partitioned "
                                                                "by publication month.")],
               engine: Annotated[str, typer.Option("--engine", help="local (this process) | ray (a Ray cluster: "
                                                                    "RAY_ADDRESS, else a local one)")] = "local",
               published: Annotated[Optional[str], typer.Option("--date", help="Publication date (YYYY-MM-DD) "
                                                                "for articles that do not give one.")] = None,
               max_article_chars: MaxArticleChars = None, max_jsonl_line_bytes: MaxJsonlLineBytes = None,
               max_file_bytes: MaxFileBytes = None, workers: int = 1) -> None:
    """Analyse articles into Parquet files (articles, mentions, quotes, events, ...) instead of the store."""
    from quanhe.engines import EngineError, run_export

    limits = limits_or_exit(max_article_chars=max_article_chars, max_jsonl_line_bytes=max_jsonl_line_bytes,
                            max_file_bytes=max_file_bytes)
    try:
        default_date = date.fromisoformat(published) if published else None
    except ValueError:
        _fail(f"--date {published!r} is not a date (expected YYYY-MM-DD)")
    try:
        summary = run_export(engine, paths, out, default_date, limits, workers)
    except (EngineError, OSError) as exc:
        _fail(str(exc))
    for failure in summary.failures:
        sys.stderr.write(f"error: {failure}\n")
    sys.stdout.write(summary.render(out) + "\n")
    if summary.articles == 0 and summary.failures:
        raise typer.Exit(1)


def load(directory: Annotated[Path, typer.Argument(help="Folder written by quanhe run --out.")],
         db: DbOption = DEFAULT_PATH,
         near_duplicates: Annotated[bool, typer.Option(help="Link near-copies of earlier articles instead of "
                                                            "storing them (needs about 200 bytes of memory per article; "
                                                            "exact copies are always stored once).")] = True
         ) -> None:
    """Load the Parquet tables of a run into the store, for the other commands, the API and the dashboard."""
    from quanhe.engines.load import LoadError, load_parquet

    if not directory.is_dir():
        _fail(f"{directory}: no such folder")
    try:
        with Store(db) as store:
            result = load_parquet(store, directory, near_duplicates)
    except (StoreError, LoadError, duckdb.Error) as exc:
        _fail(str(exc).splitlines()[0])
    sys.stdout.write(f"loaded {result.articles} article(s) into {db}: {result.already_stored} already stored, "
                     f"{result.near_duplicates} near-duplicate(s) linked; {result.events} event(s) added, "
                     f"{result.stories} stories in the store.\n")
