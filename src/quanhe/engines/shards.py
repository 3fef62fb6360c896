"""Shards: the inputs cut into pieces that workers can read on their own, and packed into tasks.

A piece is a whole file (text, HTML, WARC, gzipped JSONL: read by `read_paths`, so every format and every
ingest error is handled exactly as `quanhe run` does), a line range of a JSONL file (so one big dump still
spreads over every worker), or one row group of a Parquet file. Pieces carry the path as the user gave it,
which names the records and errors (`dump.jsonl:17`), and the absolute path that workers open, since a
Ray worker does not run in the driver's folder.

Parquet inputs hold one article per row, with the columns a JSONL line has (text or content or body, or html;
title, date or published, url); rows are numbered from 1 like JSONL lines.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from quanhe.ingest.readers import JSONL_SUFFIXES, jsonl_record, read_paths
from quanhe.ingest.records import BadInput, IngestError, RawRecord
from quanhe.limits import Limits

PARQUET_SUFFIXES = (".parquet", ".pq")
TASKS_PER_CPU = 4  # several tasks per process, so that one slow task does not leave the others idle at the end
MIN_TASK_BYTES = 256 * 1024  # below this a task's overhead (a Ray task, a part file per table) shows
MAX_TASK_BYTES = 16 * 1024 * 1024  # about a minute of analysis per core; bounds the part files per task


@dataclass(frozen=True)
class Piece:
    path: str  # as given: the name in sources and errors
    open_path: str  # absolute
    kind: str  # file | lines | parquet
    size: int  # bytes (uncompressed for Parquet), to pack pieces into tasks of similar work
    start: int = 0  # lines: first byte; parquet: row group
    end: int = 0  # lines: byte after the last line
    first: int = 1  # number of the first line or row


def _files(paths: Iterable[Path]) -> Iterator[Path | IngestError]:
    """The files under `paths`, listed the way `read_paths` lists them, or why a path gives none."""
    for path in map(Path, paths):
        if not path.exists():
            yield IngestError(str(path), "no such file or folder")
            continue
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")) \
            if path.is_dir() else [path]
        if path.is_dir() and not files:
            yield IngestError(str(path), "folder holds no files")
        yield from files


def _line_ranges(path: Path, shard_bytes: int) -> Iterator[tuple[int, int, int]]:
    """(first byte, end byte, first line number) of consecutive runs of whole lines of about shard_bytes."""
    start = offset = 0
    first = 1
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, 1):
            offset += len(line)
            if offset - start >= shard_bytes:
                yield start, offset, first
                start, first = offset, number + 1
    if offset > start:
        yield start, offset, first


def _pieces(file: Path) -> Iterator[Piece]:
    shown, absolute = str(file), os.path.abspath(file)
    if file.suffix.lower() not in PARQUET_SUFFIXES:
        yield Piece(shown, absolute, "file", file.stat().st_size)
        return
    meta = pq.ParquetFile(absolute).metadata
    first = 1
    for group in range(meta.num_row_groups):
        info = meta.row_group(group)
        yield Piece(shown, absolute, "parquet", info.total_byte_size, start=group, first=first)
        first += info.num_rows


def plan(paths: Iterable[Path]) -> tuple[list[Piece], list[IngestError]]:
    """Every piece of the inputs in `read_paths` order (a whole file, or a Parquet row group), and the paths
    that cannot be listed or opened."""
    pieces: list[Piece] = []
    failures: list[IngestError] = []
    for file in _files(paths):
        if isinstance(file, IngestError):
            failures.append(file)
            continue
        try:
            pieces.extend(_pieces(file))
        except OSError as exc:
            failures.append(IngestError(str(file), f"cannot read ({exc.strerror or exc.__class__.__name__})"))
        except Exception as exc:  # pyarrow raises its own errors for a file that is not Parquet
            failures.append(IngestError(str(file), f"not a readable Parquet file ({str(exc).splitlines()[0]})"))
    return pieces, failures


def split(pieces: list[Piece], shard_bytes: int) -> list[Piece]:
    """The pieces with every plain JSONL file over `shard_bytes` cut into line ranges of about that size."""
    result: list[Piece] = []
    for piece in pieces:
        if piece.kind != "file" or piece.size <= shard_bytes or Path(piece.path).suffix.lower() not in JSONL_SUFFIXES:
            result.append(piece)
            continue
        result.extend(Piece(piece.path, piece.open_path, "lines", end - start, start=start, end=end, first=first)
                      for start, end, first in _line_ranges(Path(piece.open_path), shard_bytes))
    return result


def task_bytes(total_bytes: int, processes: int) -> int:
    """The size to cut and pack the inputs to, for `processes` processes to share them."""
    return min(MAX_TASK_BYTES, max(MIN_TASK_BYTES, total_bytes // (TASKS_PER_CPU * processes)))


def tasks(pieces: list[Piece], processes: int, size: int | None = None) -> list[list[Piece]]:
    """The pieces cut (`split`) and grouped (`pack`) into tasks of about `size` bytes, by default `task_bytes`."""
    size = size or task_bytes(sum(piece.size for piece in pieces), processes)
    return pack(split(pieces, size), size)


def pack(pieces: list[Piece], task_bytes: int) -> list[list[Piece]]:
    """Consecutive pieces grouped into tasks of at least `task_bytes` (the last may be smaller)."""
    tasks: list[list[Piece]] = []
    current: list[Piece] = []
    size = 0
    for piece in pieces:
        current.append(piece)
        size += piece.size
        if size >= task_bytes:
            tasks.append(current)
            current, size = [], 0
    if current:
        tasks.append(current)
    return tasks


def _renamed(item: RawRecord | IngestError, piece: Piece) -> RawRecord | IngestError:
    if item.source.startswith(piece.open_path):
        item.source = piece.path + item.source[len(piece.open_path):]
    return item


def _object_record(row: dict, source: str, limits: Limits | None = None) -> RawRecord:
    return jsonl_record(json.dumps(row, ensure_ascii=False, default=str).encode("utf-8"), source, limits)


def _read_lines(piece: Piece, limits: Limits | None = None) -> Iterator[RawRecord | IngestError]:
    with open(piece.open_path, "rb") as handle:
        handle.seek(piece.start)
        offset = piece.start
        for number, line in enumerate(iter(handle.readline, b""), piece.first):
            offset += len(line)
            if line.strip():
                source = f"{piece.path}:{number}"
                try:
                    yield jsonl_record(line, source, limits)
                except BadInput as exc:
                    yield IngestError(source, str(exc))
            if offset >= piece.end:
                return


def _read_row_group(piece: Piece, limits: Limits | None = None) -> Iterator[RawRecord | IngestError]:
    rows = pq.ParquetFile(piece.open_path).read_row_group(piece.start).to_pylist()
    for number, row in enumerate(rows, piece.first):
        source = f"{piece.path}:{number}"
        try:
            yield _object_record(row, source, limits)
        except BadInput as exc:
            yield IngestError(source, str(exc))


def read_piece(piece: Piece, limits: Limits | None = None) -> Iterator[RawRecord | IngestError]:
    if piece.kind == "file":
        for item in read_paths([piece.open_path], limits):
            yield _renamed(item, piece)
        return
    try:
        yield from (_read_lines if piece.kind == "lines" else _read_row_group)(piece, limits)
    except OSError as exc:
        yield IngestError(piece.path, f"cannot read ({exc.strerror or exc.__class__.__name__})")
