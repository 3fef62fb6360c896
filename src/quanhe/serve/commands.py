"""`quanhe serve` and `quanhe export`: typer commands the CLI registers (`app.command()(serve)`).

They live here rather than in cli.py so the web stack (FastAPI, uvicorn) is imported only when serving.
Failures print one line on stderr and exit with status 1, like the other commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import duckdb
import typer

from quanhe.store.database import DEFAULT_PATH, Store, StoreError

DbOption = Annotated[Path, typer.Option("--db", help="DuckDB file of the store.")]


def _fail(message: str) -> None:
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(1)


def serve(db: DbOption = DEFAULT_PATH,
          host: Annotated[str, typer.Option(help="Interface to listen on (127.0.0.1: this machine only).")]
          = "127.0.0.1",
          port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000) -> None:
    """Serve the dashboard at / and the REST API (docs at /docs) over the store, read-only."""
    import uvicorn

    from quanhe.serve.api import create_app

    try:
        app = create_app(db, read_only=True)
    except StoreError as exc:
        _fail(str(exc))
    sys.stderr.write(f"quanhe: dashboard at http://{host}:{port}/  API docs at http://{host}:{port}/docs\n")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def export(what: Annotated[str, typer.Option(help="events | stories | quotes | assessments")] = "events",
           fmt: Annotated[str, typer.Option("--format", help="jsonl | csv | parquet | gdelt (events as a "
                                                              "GDELT-like flat CSV)")] = "jsonl",
           out: Annotated[Optional[Path], typer.Option("--out", help="Output file (default: stdout; "
                                                                     "parquet needs a file).")] = None,
           db: DbOption = DEFAULT_PATH) -> None:
    """Export a layer of the store: events as PLOVER-style JSON records, or CSV, Parquet, GDELT-like CSV."""
    from quanhe.serve.export import export as write

    try:
        with Store(db, read_only=True) as store:
            rows = write(store, what, fmt, out)
    except (StoreError, ValueError, OSError, duckdb.Error) as exc:  # duckdb: e.g. an unwritable --out
        _fail(str(exc).splitlines()[0])
    if out is not None:
        sys.stderr.write(f"wrote {rows} {what} to {out}\n")
