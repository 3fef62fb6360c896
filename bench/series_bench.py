"""Dyad series latency over 10 million synthetic events (issue 7: a series must answer in < 100 ms).

The events are generated in DuckDB with `range()` into the real schema: 40 actor codes, 16 PLOVER types, about
11 years of days, 5 % negated, made three at a time as one story's mentions (same type, dyad, day and trigger),
rows in random dyad order as a real store would hold them; the real `update_stories` then clusters them. The
timed call is `quanhe.aggregate.series.dyad_series`, the function the API serves.

    .venv/bin/python bench/series_bench.py [--events 10000000] [--db /tmp/series_bench.duckdb] [--runs 7] [--reuse]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from quanhe.aggregate.series import dyad_series
from quanhe.aggregate.stories import update_stories
from quanhe.model import PLOVER_TYPES
from quanhe.store.database import Store

CODES = ["RUS", "USA", "JPN", "CHN", "UKR", "KOR", "PRK", "VNM", "DEU", "FRA", "GBR", "IND", "IRN", "ISR", "PSE",
         "TUR", "SAU", "BRA", "ZAF", "EGY", "POL", "ITA", "ESP", "CAN", "AUS", "IDN", "PHL", "THA", "MYS", "SGP",
         "PAK", "AFG", "SYR", "IRQ", "TWN", "NATO", "EU", "UN", "ASEAN", "MEX"]

GENERATE = """
INSERT INTO events (id, article_id, type, mode, negated, source_code, target_code, date, date_precision,
                    date_from, event_day, trigger, confidence, story_id)
WITH base AS (
    SELECT i, i // 3 AS story, (hash(i // 3) % 1000000000000)::BIGINT AS h FROM range($n) t(i)),
coded AS (
    SELECT i, story, $types[1 + h % 16] AS type, $codes[1 + (h // 16) % 40] AS src,
           $codes[1 + (h // 640) % 40] AS tgt, DATE '2015-01-01' + ((h // 25600) % 4000)::INTEGER AS day,
           (h // 102400000) % 20 = 0 AS negated, (hash(i) % 1000)::BIGINT AS article
    FROM base)
SELECT 'e-' || i, 'a-' || article, type, CASE WHEN type = 'REQUEST' AND story % 2 = 0 THEN 'demand' END,
       negated, src, CASE WHEN tgt = src THEN 'VNM' ELSE tgt END, strftime(day, '%Y-%m-%d'), 'day', 'text', day,
       type || '-' || (story % 3), 0.8, NULL
FROM coded
ORDER BY hash(i)
"""


def build(path: Path, events: int) -> int:
    """Generate the events and cluster them with the real `update_stories`; returns the number of stories."""
    path.unlink(missing_ok=True)
    with Store(path) as store:
        store.con.execute(GENERATE, {"n": events, "types": list(PLOVER_TYPES), "codes": CODES})
        stories = update_stories(store)
        store.con.execute("CHECKPOINT")
    return stories


def timed(con, runs: int, **kwargs) -> tuple[float, int]:
    """Median wall time in milliseconds over `runs` calls after one warm-up, and the row count."""
    rows = dyad_series(con, **kwargs)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        dyad_series(con, **kwargs)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/series_bench.duckdb"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="Time the database built by an earlier run.")
    args = parser.parse_args()
    if not (args.reuse and args.db.exists()):
        started = time.perf_counter()
        stories = build(args.db, args.events)
        print(f"built {args.events:,} events, clustered into {stories:,} stories, in "
              f"{time.perf_counter() - started:.1f} s ({args.db})")
    with Store(args.db, read_only=True) as store:
        events, stories = (store.count("events"), store.count("stories"))
        print(f"{events:,} events in {stories:,} stories")
        for freq, ordered in (("week", False), ("month", False), ("week", True)):
            ms, rows = timed(store.con, args.runs, a="RUS", b="USA", freq=freq, ordered=ordered)
            print(f"dyad_series RUS-USA freq={freq} ordered={ordered}: median {ms:.1f} ms over {args.runs} runs "
                  f"({rows} periods)")


if __name__ == "__main__":
    main()
