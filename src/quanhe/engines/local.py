"""The local engine: the whole corpus in this process, streamed, into the same Parquet layout as the Ray engine.

Records are read lazily piece after piece and written every `BATCH_ARTICLES` articles, so memory does not grow
with the corpus. It is the reference the Ray engine's output is tested against, and the per-core rate the
scaling estimate starts from.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from quanhe.engines import ExportSummary, export_records, prepare_out
from quanhe.engines.shards import plan, read_piece
from quanhe.ingest.records import IngestError, RawRecord
from quanhe.limits import Limits


def run_local(paths: list[Path], out: Path, default_date: date | None = None,
              limits: Limits | None = None) -> ExportSummary:
    started = time.perf_counter()
    out = prepare_out(out)
    pieces, failures = plan(paths)
    summary = ExportSummary(failures=failures)

    def items() -> Iterator[RawRecord | IngestError]:
        for piece in pieces:
            yield from read_piece(piece, limits)

    export_records(summary.records(items()), out, "local", default_date, summary)
    summary.seconds = time.perf_counter() - started
    return summary
