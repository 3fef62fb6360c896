"""`quanhe run`: stream records from the inputs, analyse them (optionally in N processes), store in batches.

Memory stays bounded whatever the input size: records are read lazily, analysed in a pool with a bounded
chunk size, and committed every `batch_size` documents.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from itertools import islice
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from quanhe.ingest.readers import TRUNCATED, read_paths
from quanhe.ingest.records import IngestError, RawRecord
from quanhe.limits import Limits
from quanhe.model import Document
from quanhe.pipeline import process
from quanhe.store.database import BatchResult, Store
from quanhe.text.dedup import NearDuplicateIndex, signature

SHOWN_TITLES = 20
CHUNK = 8  # records per task sent to a worker
IN_FLIGHT_PER_WORKER = 8 * CHUNK


@dataclass
class RunSummary:
    ingested: int = 0
    added: int = 0
    already_stored: int = 0
    near_duplicates: int = 0
    events: int = 0
    quotes: int = 0
    assessments: int = 0
    stories: int | None = None
    seconds: float = 0.0
    failures: list[IngestError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # "source: article truncated …", one per truncated article
    shown: list[tuple[str, str, str]] = field(default_factory=list)  # (id, date, title)

    def render(self) -> str:
        lines = [f"{self.ingested} article(s) read in {self.seconds:.1f} s: {self.added} new, "
                 f"{self.already_stored} already stored, {self.near_duplicates} near-duplicate(s) linked; "
                 f"{len(self.failures)} failed.",
                 f"coded {self.events} event(s), {self.quotes} quote(s), {self.assessments} assessment(s)"
                 + (f"; {self.stories} stories in the store." if self.stories is not None else ".")]
        for article_id, day, title in self.shown:
            lines.append(f"  {article_id}  {day:<10}  {title}")
        if self.ingested > len(self.shown):
            lines.append(f"  … and {self.ingested - len(self.shown)} more (quanhe articles)")
        for reason, count in _failure_reasons(self.failures):
            lines.append(f"failed ({count}): {reason}")
        return "\n".join(lines)


def _failure_reasons(failures: list[IngestError]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for failure in failures:
        counts[failure.reason] = counts.get(failure.reason, 0) + 1
    return sorted(counts.items(), key=lambda item: -item[1])


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass
class Analysed:
    """An analysed article with its near-duplicate signature, computed where the analysis runs (in a worker with
    --workers): the storing process is the one serial step of a run, and the signature was half its work."""

    doc: Document
    minhash: np.ndarray


def analyse_one(record: RawRecord, default_date: date | None) -> Analysed | IngestError:
    """One article's analysis; a pipeline failure on it is reported like unreadable input, and the batch goes on."""
    try:
        doc = process(record, default_date)
        return Analysed(doc, signature(doc.article.text))
    except Exception as exc:  # a bug on one article must not lose the rest of the batch
        return IngestError(record.source, f"analysis failed ({exc.__class__.__name__}: {str(exc)[:200]})")


def analyse_records(records: Iterable[RawRecord], default_date: date | None,
                    workers: int) -> Iterator[Analysed | IngestError]:
    """Analysed articles in input order; with workers > 1 the analysis runs in a process pool."""
    if workers <= 1:
        for record in records:
            yield analyse_one(record, default_date)
        return
    # Pool.imap reads its input as fast as it can: a reader faster than the workers would pull a whole dump into
    # memory. A semaphore keeps at most IN_FLIGHT_PER_WORKER records per worker between reading and storing.
    slots = threading.Semaphore(workers * IN_FLIGHT_PER_WORKER)
    stopped = threading.Event()

    def fed() -> Iterator[RawRecord]:
        for record in records:
            while not slots.acquire(timeout=0.1):
                if stopped.is_set():  # the consumer is gone: do not keep the pool's feeder thread waiting
                    return
            yield record

    with get_context("spawn").Pool(workers) as pool:
        try:
            for analysed in pool.imap(partial(analyse_one, default_date=default_date), fed(), chunksize=CHUNK):
                slots.release()
                yield analysed
        finally:
            stopped.set()  # before the pool's exit, which waits for its feeder thread


def _count(summary: RunSummary, result: BatchResult, batch: list[Document]) -> None:
    summary.added += result.added
    summary.already_stored += result.already_stored
    summary.near_duplicates += result.near_duplicates
    for doc in batch:
        summary.ingested += 1
        summary.events += len(doc.events)
        summary.quotes += len(doc.quotes)
        summary.assessments += len(doc.assessments)
        if len(summary.shown) < SHOWN_TITLES:
            published = doc.article.published.isoformat() if doc.article.published else "no date"
            note = f" (same as {doc.article.duplicate_of})" if doc.article.duplicate_of else ""
            summary.shown.append((doc.article.id, published, (doc.article.title or "(no title)") + note))


def run_batch(store: Store, paths: list[Path], default_date: date | None, batch_size: int = 200,
              workers: int = 1, progress: Console | None = None, limits: Limits | None = None) -> RunSummary:
    """Read, analyse and store every article under `paths` (within `limits`, the library defaults without).

    A batch is stored by a writer thread on its own cursor while the next batch is analysed: DuckDB releases
    the GIL while it inserts and commits, so that half of storing overlaps the analysis instead of following
    it. At most one batch waits for the writer, so memory stays bounded."""
    summary = RunSummary()
    started = time.perf_counter()

    def records() -> Iterator[RawRecord]:
        for item in read_paths(paths, limits):
            if isinstance(item, IngestError):
                summary.failures.append(item)
            else:
                summary.warnings += [f"{item.source}: {w}" for w in item.warnings if w.startswith(TRUNCATED)]
                yield item

    writer_store = Store.over(store.con.cursor(), store.path)
    index: NearDuplicateIndex | None = None

    def write(ready: list[Analysed]) -> tuple[BatchResult, list[Document]]:
        nonlocal index
        if index is None:
            index = writer_store.duplicate_index()
        batch = [item.doc for item in ready]
        return writer_store.add(batch, index, {item.doc.article.id: item.minhash for item in ready}), batch

    console = progress or Console(stderr=True)
    # on a terminal only: elsewhere (a log, a pipe) the bar only left an empty line before the first error
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed} articles"),
                   TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal)
    try:
        with bar, ThreadPoolExecutor(max_workers=1, thread_name_prefix="quanhe-store") as writer:
            task = bar.add_task("analysing", total=None)
            writing: Future | None = None
            for analysed in _batches(analyse_records(records(), default_date, workers), batch_size):
                summary.failures += [item for item in analysed if isinstance(item, IngestError)]
                if writing is not None:
                    _count(summary, *writing.result())
                writing = writer.submit(write, [item for item in analysed if isinstance(item, Analysed)])
                bar.update(task, advance=len(analysed))
            if writing is not None:
                _count(summary, *writing.result())
    finally:
        writer_store.close()
    summary.seconds = time.perf_counter() - started
    return summary
