"""The local engine: the corpus in this process, or in N worker processes, into the Parquet layout of the Ray engine.

The inputs are cut into tasks as for Ray (`quanhe.engines.shards.tasks`); one process runs them in turn, or a
pool of `workers` processes runs them side by side, each reading its own pieces and writing its own part files,
so nothing is serial but listing the inputs. Within a task records are read lazily and written every
`BATCH_ARTICLES` articles, so memory does not grow with the corpus. The one-process run is the reference the
Ray engine's output is tested against, and the per-core rate the scaling estimate starts from.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from datetime import date
from functools import partial
from multiprocessing import get_context
from pathlib import Path

from quanhe.engines import ExportSummary, export_task, prepare_out
from quanhe.engines.shards import Piece, plan, tasks
from quanhe.limits import Limits


def _numbered_task(numbered: tuple[int, list[Piece]], out: Path, default_date: date | None,
                   limits: Limits | None) -> ExportSummary:
    number, pieces = numbered
    return export_task(pieces, out, f"local-{number:06d}", default_date, limits)


def run_local(paths: list[Path], out: Path, default_date: date | None = None,
              limits: Limits | None = None, workers: int = 1, shard_bytes: int | None = None) -> ExportSummary:
    """Analyse `paths` into `out` with `workers` processes; `shard_bytes` overrides the task size (by default a
    few tasks per worker, as for Ray)."""
    started = time.perf_counter()
    out = prepare_out(out)
    pieces, failures = plan(paths)
    summary = ExportSummary(failures=failures)
    run_task = partial(_numbered_task, out=out, default_date=default_date, limits=limits)
    numbered = enumerate(tasks(pieces, workers, shard_bytes))
    with ExitStack() as stack:
        if workers <= 1:
            done_tasks = map(run_task, numbered)
        else:
            done_tasks = stack.enter_context(get_context("spawn").Pool(workers)).imap(run_task, numbered, chunksize=1)
        for done in done_tasks:
            summary.add(done)
    summary.seconds = time.perf_counter() - started
    return summary
