"""`quanhe run --workers N`: the same store as one process, and memory bounded however fast the input is read."""

from __future__ import annotations

import itertools
from datetime import date

from quanhe.ingest.records import RawRecord
from quanhe.runner import CHUNK, IN_FLIGHT_PER_WORKER, analyse_records, run_batch
from quanhe.store.database import Store

TABLES = ("articles", "sentences", "mentions", "times", "quotes", "events", "assessments")


def _contents(store: Store) -> dict[str, list[str]]:
    """Every row of every table, in a stable order; not when each article was stored."""
    return {table: sorted(map(repr, store.con.execute(f"SELECT * EXCLUDE (ingested_at) FROM {table}" if table == "articles"
                                                      else f"SELECT * FROM {table}").fetchall())) for table in TABLES}


def test_two_workers_store_exactly_what_one_process_stores(tmp_path, samples_dir, make_bad_inputs):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for sample in sorted(samples_dir.glob("*.txt")):
        (inputs / sample.name).write_bytes(sample.read_bytes())
    make_bad_inputs(inputs)
    stores = {}
    for workers in (1, 2):
        with Store(tmp_path / f"w{workers}.duckdb") as store:
            summary = run_batch(store, [inputs], date(2026, 2, 21), batch_size=2, workers=workers)
            stores[workers] = (_contents(store), summary.added, sorted(map(str, summary.failures)))
    assert stores[1][1] == 5
    assert stores[1][2], "the bad inputs are reported"
    assert stores[2] == stores[1]


def test_records_are_read_only_a_bounded_distance_ahead_of_the_consumer():
    """A dump read faster than it is analysed must not pile up in memory: after the first result, the pool has
    pulled at most the in-flight window (plus the chunk being cut) from the reader, not the whole input."""
    pulled = itertools.count()

    def records():
        for number in range(100_000):
            next(pulled)
            yield RawRecord(text=f"Nga cảnh báo Nhật Bản lần thứ {number}.", source=f"dump.jsonl:{number + 1}")

    analysed = analyse_records(records(), date(2026, 2, 21), workers=2)
    try:
        first = next(analysed)
        assert first.doc.article.source == "dump.jsonl:1"
        read = next(pulled)
        assert read <= 2 * IN_FLIGHT_PER_WORKER + CHUNK + 1, f"{read} records read for one analysed"
    finally:
        analysed.close()
