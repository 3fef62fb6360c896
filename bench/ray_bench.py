"""Throughput of the Parquet engines (issue 8): the local engine (one process) beside the Ray engine (a local
Ray cluster with --cpus workers), on the same corpus and into the same Parquet layout.

Run from the repository root, with the Ray extra installed (`.venv/bin/pip install -e '.[ray]'`):

    .venv/bin/python bench/ray_bench.py                        # the samples repeated to ~2 MB of text
    .venv/bin/python bench/ray_bench.py --corpus ../shared/corpora/vntc_chinh_tri_xa_hoi.jsonl --limit 2000
    .venv/bin/python bench/ray_bench.py --json                 # every figure as one JSON object

The corpus is first written to a temporary JSONL file, which both engines read. Three runs over it:

1. local: `run_local`, the whole corpus in this process, after one article analysed untimed (the lexicons
   load lazily), so it compares with the warm Ray run;
2. ray, cold: `run_ray` on a local cluster started just before (its start is timed apart): each worker
   process imports quanhe and loads the lexicons during the run, as on a fresh cluster;
3. ray, warm: `run_ray` again on the same cluster, whose workers are already loaded, as in a long job;

and `quanhe load` of the warm run's Parquet into a new DuckDB file (near-duplicate matching and story merging
included): the one step that runs on a single machine.

"MB" is 10^6 bytes of UTF-8 article text (`RawRecord.text`, as in `throughput.py`). Seconds are wall clock,
end to end (listing, reading, analysis, Parquet writing); "CPU s" is the CPU time of the reading, analysis
and writing summed over the workers, so "articles/CPU-s" is the per-core rate, which does not depend on how
busy the machine was, and "cores used" (CPU s / seconds) says how much of the machine a run obtained: on a
shared machine the wall-clock figures depend on the other processes (the load average is printed too).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from quanhe.engines import ExportSummary  # noqa: E402
from quanhe.engines.load import load_parquet  # noqa: E402
from quanhe.engines.local import run_local  # noqa: E402
from quanhe.ingest.readers import read_jsonl, read_paths  # noqa: E402
from quanhe.ingest.records import RawRecord  # noqa: E402
from quanhe.pipeline import process  # noqa: E402
from quanhe.store.database import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000


def shared_dir() -> Path:
    return Path(os.environ.get("QUANHE_SHARED") or ROOT.parent / "shared")


def write_samples(path: Path, target_mb: float) -> None:
    """The sample articles repeated until target_mb of text; each copy gets a last line naming it, so every
    article has its own id."""
    samples = [item for item in read_paths([shared_dir() / "samples" / "vi"]) if isinstance(item, RawRecord)]
    if not samples:
        sys.exit(f"no sample articles under {shared_dir() / 'samples' / 'vi'} (set QUANHE_SHARED)")
    total = copy = 0
    with open(path, "w", encoding="utf-8") as handle:
        while total < target_mb * MB:
            for sample in samples:
                text = f"{sample.text}\n(bản {copy})"
                date = sample.published.isoformat() if sample.published else None
                handle.write(json.dumps({"text": text, "title": sample.title, "date": date}, ensure_ascii=False) + "\n")
                total += len(text.encode("utf-8"))
            copy += 1


def write_corpus(path: Path, corpus: Path, limit: int | None) -> None:
    """The first `limit` non-blank lines of a JSONL dump."""
    if not corpus.is_file():
        sys.exit(f"{corpus}: no such file")
    kept = 0
    with open(corpus, "rb") as source, open(path, "wb") as handle:
        for line in source:
            if limit is not None and kept >= limit:
                break
            if line.strip():
                handle.write(line)
                kept += 1


def text_mb(path: Path) -> tuple[int, float]:
    records = [item for item in read_jsonl(path) if isinstance(item, RawRecord)]
    return len(records), sum(len(r.text.encode("utf-8")) for r in records) / MB


def figures(name: str, summary: ExportSummary, mb: float, local_seconds: float | None, out: Path) -> dict:
    parquet = sum(path.stat().st_size for path in out.rglob("*.parquet"))
    return {"engine": name, "articles": summary.articles, "failed": len(summary.failures),
            "seconds": round(summary.seconds, 2), "articles_per_s": round(summary.articles / summary.seconds, 2),
            "mb_per_s": round(mb / summary.seconds, 4), "cpu_seconds": round(summary.cpu_seconds, 1),
            "articles_per_cpu_s": round(summary.articles / summary.cpu_seconds, 2),
            "cores_used": round(summary.cpu_seconds / summary.seconds, 2),
            "speedup": round(local_seconds / summary.seconds, 2) if local_seconds else 1.0,
            "events": summary.events, "parquet_files": summary.files, "parquet_mb": round(parquet / MB, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="JSONL dump (default: the samples repeated)")
    parser.add_argument("--limit", type=int, help="at most this many lines of --corpus")
    parser.add_argument("--mb", type=float, default=2.0, help="size of the repeated samples, MB of text")
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 2, help="CPUs of the local Ray cluster")
    parser.add_argument("--json", action="store_true", help="print every figure as one JSON object")
    args = parser.parse_args()

    import ray

    from quanhe.engines.ray_engine import run_ray

    with tempfile.TemporaryDirectory(prefix="quanhe-ray-bench-") as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        if args.corpus:
            write_corpus(corpus, args.corpus, args.limit)
        else:
            write_samples(corpus, args.mb)
        articles, mb = text_mb(corpus)
        load_before = os.getloadavg()[0]
        process(next(item for item in read_jsonl(corpus) if isinstance(item, RawRecord)))
        local = run_local([corpus], Path(tmp) / "local")
        started = time.perf_counter()
        ray.init(num_cpus=args.cpus, include_dashboard=False, logging_level="WARNING")
        ray_start = time.perf_counter() - started
        try:
            cold = run_ray([corpus], Path(tmp) / "ray-cold")
            warm = run_ray([corpus], Path(tmp) / "ray-warm")
        finally:
            ray.shutdown()
        started = time.perf_counter()
        with Store(Path(tmp) / "load.duckdb") as store:
            loaded = load_parquet(store, Path(tmp) / "ray-warm")
        load_seconds = time.perf_counter() - started
        result = {
            "corpus": str(args.corpus or f"samples repeated to {args.mb} MB"), "articles": articles,
            "text_mb": round(mb, 3), "machine": f"{platform.system()} {platform.machine()}, "
                                                f"{os.cpu_count()} CPUs", "ray_cpus": args.cpus,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "ray_cluster_start_s": round(ray_start, 2),
            "load": {"seconds": round(load_seconds, 2), "articles": loaded.articles,
                     "near_duplicates": loaded.near_duplicates, "stories": loaded.stories,
                     "articles_per_s": round((loaded.articles + loaded.near_duplicates) / load_seconds, 1)},
            "runs": [figures("local (1 process)", local, mb, None, Path(tmp) / "local"),
                     figures(f"ray, cold ({args.cpus} workers)", cold, mb, local.seconds, Path(tmp) / "ray-cold"),
                     figures(f"ray, warm ({args.cpus} workers)", warm, mb, local.seconds, Path(tmp) / "ray-warm")],
        }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"corpus: {result['corpus']}: {articles} articles, {mb:.2f} MB of text")
    print(f"machine: {result['machine']}; load average {result['load_average'][0]} before, "
          f"{result['load_average'][1]} after; Ray cluster start {ray_start:.1f} s (not in the runs)")
    columns = ("engine", "articles", "seconds", "articles_per_s", "mb_per_s", "cpu_seconds", "cores_used",
               "articles_per_cpu_s", "speedup")
    print("  ".join(f"{c:>10}" if i else f"{c:<24}" for i, c in enumerate(columns)))
    for run in result["runs"]:
        print("  ".join(f"{run[c]!s:>10}" if i else f"{run[c]:<24}" for i, c in enumerate(columns)))
    load = result["load"]
    print(f"quanhe load of the warm run: {load['seconds']} s ({load['articles_per_s']} articles/s): "
          f"{load['articles']} stored, {load['near_duplicates']} near-duplicates linked, {load['stories']} stories")


if __name__ == "__main__":
    main()
