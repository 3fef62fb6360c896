"""The local engine: the corpus in this process, or in N worker processes, into the Parquet layout of the Ray engine.

With one process, records are read lazily piece after piece and written every `BATCH_ARTICLES` articles, so
memory does not grow with the corpus; it is the reference the Ray engine's output is tested against, and the
per-core rate the scaling estimate starts from. With `workers` > 1 the inputs are cut into tasks as for Ray
(`quanhe.engines.shards.tasks`) and a process pool runs them: each worker reads its own pieces and writes its
own part files, so nothing is serial but listing the inputs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from functools import partial
from multiprocessing import get_context
from pathlib import Path

from quanhe.engines import ExportSummary, export_records, export_task, prepare_out
from quanhe.engines.shards import Piece, plan, read_piece, tasks
from quanhe.ingest.records import IngestError, RawRecord
from quanhe.limits import Limits


def _numbered_task(numbered: tuple[int, list[Piece]], out: Path, default_date: date | None,
                   limits: Limits | None) -> ExportSummary:
    number, pieces = numbered
    return export_task(pieces, out, f"local-{number:06d}", default_date, limits)


def run_local(paths: list[Path], out: Path, default_date: date | None = None,
              limits: Limits | None = None, workers: int = 1, shard_bytes: int | None = None) -> ExportSummary:
    """Analyse `paths` into `out` with `workers` processes; `shard_bytes` overrides the task size of a parallel
    run (by default a few tasks per worker, as for Ray)."""
    started = time.perf_counter()
    out = prepare_out(out)
    pieces, failures = plan(paths)
    summary = ExportSummary(failures=failures)
    if workers <= 1:
        def items() -> Iterator[RawRecord | IngestError]:
            for piece in pieces:
                yield from read_piece(piece, limits)

        export_records(summary.records(items()), out, "local", default_date, summary)
    else:
        run_task = partial(_numbered_task, out=out, default_date=default_date, limits=limits)
        with get_context("spawn").Pool(workers) as pool:
            for done in pool.imap(run_task, enumerate(tasks(pieces, workers, shard_bytes)), chunksize=1):
                summary.add(done)
    summary.seconds = time.perf_counter() - started
    return summary
