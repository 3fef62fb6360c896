"""The command-line options of `quanhe.limits` (`--max-article-chars` …), shared by `quanhe run` and `quanhe serve`,
and `--db-memory` of `quanhe run`.

An option overrides its `QUANHE_MAX_…` environment variable, which overrides the default. A bad value in either
is one `error:` line on stderr naming the variable or the option, and exit status 1.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from quanhe.limits import Limits, LimitError

MaxArticleChars = Annotated[Optional[int], typer.Option(
    "--max-article-chars", metavar="N", show_default=False,
    help="Longest article in characters; longer ones are truncated with a warning "
         "(env QUANHE_MAX_ARTICLE_CHARS; default 5242880).")]
MaxJsonlLineBytes = Annotated[Optional[int], typer.Option(
    "--max-jsonl-line-bytes", metavar="N", show_default=False,
    help="Longest JSONL line in bytes; a longer line is one error (env QUANHE_MAX_JSONL_LINE_BYTES; "
         "default 16777216).")]
MaxFileBytes = Annotated[Optional[int], typer.Option(
    "--max-file-bytes", metavar="N", show_default=False,
    help="Largest single-article file (text, HTML) or WARC record in bytes (env QUANHE_MAX_FILE_BYTES; "
         "default 20971520).")]
MaxRequestBytes = Annotated[Optional[int], typer.Option(
    "--max-request-bytes", metavar="N", show_default=False,
    help="Largest API request body in bytes; larger ones get 413 (env QUANHE_MAX_REQUEST_BYTES; "
         "default 1048576).")]


DbMemory = Annotated[str, typer.Option(
    "--db-memory", metavar="SIZE",
    help="DuckDB's memory while the articles are stored: its cache and working memory (128MB, 2GB…). Kept "
         "small, memory stays flat however long the run; the story clustering at the end runs without it.")]


def limits_or_exit(**options: int | None) -> Limits:
    """Limits from the environment and the given options, or one error line and exit status 1."""
    try:
        return Limits.from_env(**options)
    except LimitError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise typer.Exit(1) from None
