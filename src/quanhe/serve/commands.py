"""`quanhe serve` and `quanhe export`: typer commands the CLI registers (`app.command()(serve)`).

They live here rather than in cli.py so the web stack (FastAPI, uvicorn) is imported only when serving.
Failures print one line on stderr and exit with status 1, like the other commands.

`quanhe serve` listens on 127.0.0.1 unless told otherwise and serves reads only; the endpoints that write are
enabled by a token, from `--token-file` or else the environment variable `QUANHE_API_TOKEN` (the store is then
opened read-write). It warns when it listens on another interface: reads are then open to the network, and a
token would cross it in clear (put a TLS proxy in front).
"""

from __future__ import annotations

import ipaddress
import os
import stat
import sys
from pathlib import Path
from typing import Annotated, Optional

import duckdb
import typer

from quanhe.limit_options import MaxArticleChars, MaxRequestBytes, limits_or_exit
from quanhe.store.database import DEFAULT_PATH, Store, StoreError

DbOption = Annotated[Path, typer.Option("--db", help="DuckDB file of the store.")]


def _fail(message: str) -> None:
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(1)


def _warn(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")


def is_loopback(host: str) -> bool:
    """True for an interface only this machine reaches (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def read_token(token_file: Path | None) -> str | None:
    """The write token: the first line of `token_file`, else $QUANHE_API_TOKEN, else None (writes disabled)."""
    from quanhe.serve.api import TOKEN_ENV, check_token

    if token_file is not None:
        try:
            lines = token_file.read_text(encoding="utf-8").splitlines()
            mode = token_file.stat().st_mode
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc.__class__.__name__
            _fail(f"--token-file {token_file}: cannot read it ({reason})")
        if not lines or not lines[0].strip():
            _fail(f"--token-file {token_file}: the file is empty")
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            _warn(f"--token-file {token_file} can be read by other users (chmod 600 it)")
        try:
            return check_token(lines[0], f"--token-file {token_file}")
        except ValueError as exc:
            _fail(str(exc))
    value = os.environ.get(TOKEN_ENV, "")
    if not value.strip():
        return None
    try:
        return check_token(value)
    except ValueError as exc:
        _fail(str(exc))


def serve(db: DbOption = DEFAULT_PATH,
          host: Annotated[str, typer.Option(help="Interface to listen on (127.0.0.1: this machine only).")]
          = "127.0.0.1",
          port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
          token_file: Annotated[Optional[Path], typer.Option(
              "--token-file", help="File whose first line is the token that enables the endpoints that write "
                                   "(POST and DELETE /articles); default: $QUANHE_API_TOKEN. Without either "
                                   "the API is read-only.")] = None,
          cors_origin: Annotated[Optional[list[str]], typer.Option(
              "--cors-origin", metavar="ORIGIN", help="Let web pages from this origin (https://host[:port]) call the "
                                                      "API; repeatable. Default: no CORS headers.")] = None,
          max_request_bytes: MaxRequestBytes = None, max_article_chars: MaxArticleChars = None) -> None:
    """Serve the dashboard at / and the REST API (docs at /docs) over the store; read-only unless a token is set."""
    import uvicorn

    from quanhe.serve.api import TOKEN_ENV, create_app

    limits = limits_or_exit(max_request_bytes=max_request_bytes, max_article_chars=max_article_chars)
    token = read_token(token_file)
    try:
        app = create_app(db, token=token, cors_origins=cors_origin or (), limits=limits)
    except (StoreError, ValueError) as exc:
        _fail(str(exc))
    if not is_loopback(host):
        if token is None:
            _warn(f"listening on {host}, reachable from other machines: every read endpoint is open to anyone who "
                  f"can connect (writes stay disabled without {TOKEN_ENV})")
        else:
            _warn(f"listening on {host} with writes enabled: over plain HTTP the token crosses the network in "
                  "clear; put a TLS proxy in front, or listen on 127.0.0.1")
    mode = "reads and writes: token set" if token else f"read-only: set {TOKEN_ENV} to enable writes"
    shown = f"[{host}]" if ":" in host else host
    sys.stderr.write(f"quanhe: dashboard at http://{shown}:{port}/  API docs at http://{shown}:{port}/docs  "
                     f"({mode})\n")
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
