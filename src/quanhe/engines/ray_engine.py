"""The Ray engine (`quanhe run --engine ray`): the same analysis as the local engine, spread over a Ray cluster.

The driver lists the inputs and cuts them into shards (`quanhe.engines.shards`), packed into tasks of about
equal text size, a few per CPU so a slow task does not leave the others idle; Ray Data runs each task in a
worker (`map_batches`, one task per batch): read its pieces, analyse every article, write its part files.
Workers write the Parquet themselves, with the local engine's writer, because one pass yields seven tables
and a Ray dataset has one schema; a task's files are named after the task, so a retried task overwrites them
instead of adding copies. Only counts and ingest errors travel back to the driver, which reports each error.

With `RAY_ADDRESS` set (`ray://head:10001`, or `auto` on a cluster node) it joins that cluster, otherwise it
starts a local one; inputs and `--out` must then be paths every worker sees (a shared file system).
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import ray

from quanhe.engines import SUMMED, ExportSummary, export_task, prepare_out
from quanhe.engines.shards import Piece, plan, tasks
from quanhe.ingest.records import IngestError
from quanhe.limits import Limits

RESULT_COLUMNS = ("task", *SUMMED, "failures")


def _connect(num_cpus: int | None) -> bool:
    """Join the cluster at RAY_ADDRESS, else start a local one; False when Ray was already initialised."""
    if ray.is_initialized():
        return False
    address = os.environ.get("RAY_ADDRESS") or None
    if address:
        ray.init(address=address, logging_level=logging.WARNING)
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False, logging_level=logging.WARNING)
    return True


def _export_tasks(batch: dict[str, Any], out: str, default_date: date | None,
                  limits: Limits | None = None) -> dict[str, list]:
    """In a worker: run each task of the batch and return one row of counts and ingest errors per task."""
    result: dict[str, list] = {name: [] for name in RESULT_COLUMNS}
    for task, pieces in zip(batch["task"], batch["pieces"]):
        summary = export_task([Piece(**fields) for fields in json.loads(pieces)], Path(out), f"ray-{int(task):06d}",
                              default_date, limits)
        result["task"].append(int(task))
        for name in SUMMED:
            result[name].append(getattr(summary, name))
        result["failures"].append(json.dumps([[f.source, f.reason] for f in summary.failures], ensure_ascii=False))
    return result


def run_ray(paths: list[Path], out: Path, default_date: date | None = None, num_cpus: int | None = None,
            shard_bytes: int | None = None, limits: Limits | None = None) -> ExportSummary:
    """Analyse `paths` on Ray into `out`; `num_cpus` sizes a local cluster, `shard_bytes` overrides the task
    size (by default a few tasks per CPU, within MIN_TASK_BYTES..MAX_TASK_BYTES)."""
    started = time.perf_counter()
    out = prepare_out(out)
    pieces, failures = plan(paths)
    summary = ExportSummary(failures=failures)
    started_here = _connect(num_cpus)
    try:
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        planned = tasks(pieces, cpus, shard_bytes)
        if planned:
            items = [{"task": number, "pieces": json.dumps([asdict(piece) for piece in task])}
                     for number, task in enumerate(planned)]
            dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
                _export_tasks, batch_size=1, num_cpus=1,
                fn_kwargs={"out": str(out), "default_date": default_date, "limits": limits})
            for row in sorted(dataset.iter_rows(), key=lambda row: row["task"]):
                failures = [IngestError(source, reason) for source, reason in json.loads(row["failures"])]
                summary.add(ExportSummary(**{name: type(getattr(summary, name))(row[name]) for name in SUMMED},
                                          failures=failures))
    finally:
        if started_here:
            ray.shutdown()
    summary.seconds = time.perf_counter() - started
    return summary
