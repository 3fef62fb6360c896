"""Engines that run the pipeline over a corpus and write Parquet (`quanhe run --out DIR --engine local|ray`).

Both engines do the same per-article work, `analyse` (the pipeline, the near-duplicate signature and the
flattening into table rows), over the same shards (`quanhe.engines.shards`), and write with the same
`write_parquet`: their outputs differ only in how the part files are named. Nothing needs data from
another article, so the analysis is embarrassingly parallel; what does (story merging, near-duplicate links,
dyad series) runs afterwards over the loaded rows, in DuckDB (`quanhe load`).

The Ray engine is imported only when asked for, so the local engine never imports Ray.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import count, islice
from pathlib import Path

from quanhe.engines.shards import Piece, read_piece
from quanhe.ingest.records import IngestError, RawRecord
from quanhe.limits import Limits
from quanhe.pipeline import process
from quanhe.store.rows import Rows, document_rows, merge_rows, write_parquet
from quanhe.text.dedup import signature, to_bytes

ENGINES = ("local", "ray")
BATCH_ARTICLES = 200  # articles per Parquet part file: bounds a worker's memory, keeps files a useful size
COUNTED = ("articles", "events", "quotes", "assessments")
SUMMED = (*COUNTED, "files", "cpu_seconds")  # what adding up the summaries of several tasks sums


class EngineError(RuntimeError):
    """A run that cannot start (bad output folder, engine not installed); one line for the user."""


@dataclass
class ExportSummary:
    articles: int = 0
    events: int = 0
    quotes: int = 0
    assessments: int = 0
    files: int = 0
    seconds: float = 0.0  # wall clock, end to end
    cpu_seconds: float = 0.0  # reading, analysis, writing, summed over workers: the basis of a cost estimate
    failures: list[IngestError] = field(default_factory=list)

    def count(self, rows: Rows) -> None:
        for table in COUNTED:
            setattr(self, table, getattr(self, table) + len(rows.get(table, [])))

    def add(self, other: ExportSummary) -> None:
        """Count another task's work into this summary (its errors after the ones already here)."""
        for name in SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures.extend(other.failures)

    def records(self, items: Iterable[RawRecord | IngestError]) -> Iterator[RawRecord]:
        """The records among `items`; the ingest errors are kept for the report."""
        for item in items:
            if isinstance(item, IngestError):
                self.failures.append(item)
            else:
                yield item

    def render(self, out: Path) -> str:
        return (f"{self.articles} article(s) analysed in {self.seconds:.1f} s ({self.cpu_seconds:.1f} CPU s); "
                f"{len(self.failures)} failed.\n"
                f"coded {self.events} event(s), {self.quotes} quote(s), {self.assessments} assessment(s); "
                f"wrote {self.files} Parquet file(s) under {out} (quanhe load {out})")


def analyse(record: RawRecord, default_date: date | None) -> Rows:
    doc = process(record, default_date)
    return document_rows(doc, to_bytes(signature(doc.article.text)))


def export_records(records: Iterable[RawRecord], out: Path, part: str, default_date: date | None,
                   summary: ExportSummary) -> None:
    """Analyse `records` in batches of BATCH_ARTICLES, each written as part files `<part>-<n>`. An article the
    pipeline fails on is reported like an unreadable one, and the run goes on."""
    cpu_started = time.process_time()
    iterator = iter(records)
    for number in count():
        batch = list(islice(iterator, BATCH_ARTICLES))
        if not batch:
            summary.cpu_seconds += time.process_time() - cpu_started
            return
        rows: Rows = {}
        for record in batch:
            try:
                merge_rows(rows, analyse(record, default_date))
            except Exception as exc:  # a pipeline bug on one article must not end a million-article job
                summary.failures.append(IngestError(record.source, f"analysis failed ({exc.__class__.__name__}: "
                                                                   f"{str(exc)[:200]})"))
        summary.files += write_parquet(rows, out, f"{part}-{number:05d}")
        summary.count(rows)


def export_task(pieces: list[Piece], out: Path, part: str, default_date: date | None,
                limits: Limits | None = None) -> ExportSummary:
    """One task of a parallel run, in whichever process runs it: read its pieces, analyse every article and
    write its part files, named from `part`."""
    summary = ExportSummary()
    items = (item for piece in pieces for item in read_piece(piece, limits))
    export_records(summary.records(items), out, part, default_date, summary)
    return summary


def prepare_out(out: Path) -> Path:
    """The absolute output folder, created; an existing non-empty one is refused, since part files of an
    older run would mix with the new ones."""
    out = out.expanduser().absolute()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise EngineError(f"{out}: already exists and is not an empty folder; choose a new --out folder")
    out.mkdir(parents=True, exist_ok=True)
    return out


def run_export(engine: str, paths: list[Path], out: Path, default_date: date | None = None,
               limits: Limits | None = None, workers: int = 1) -> ExportSummary:
    """Run `engine` over `paths` into `out`: `workers` processes for the local engine; for Ray, the CPUs of the
    local cluster it starts when more than one (every CPU otherwise; a cluster at RAY_ADDRESS has its own)."""
    if engine == "local":
        from quanhe.engines.local import run_local

        return run_local(paths, out, default_date, limits, workers)
    if engine == "ray":
        try:
            from quanhe.engines.ray_engine import run_ray
        except ImportError as exc:
            raise EngineError(f"the Ray engine needs Ray: pip install 'quanhe[ray]' ({exc})") from exc
        return run_ray(paths, out, default_date, num_cpus=workers if workers > 1 else None, limits=limits)
    raise EngineError(f"unknown engine {engine!r} (expected one of: {', '.join(ENGINES)})")
