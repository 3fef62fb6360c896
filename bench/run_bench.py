"""`quanhe run` end to end, as a user runs it: speed-up with --workers, and peak memory on a big dump (issue 8).

Run from the repository root:

    .venv/bin/python bench/run_bench.py workers --limit 6000 --workers 1 2 --repeat 3
    .venv/bin/python bench/run_bench.py workers --limit 6000 --workers 1 2 --mode parquet
    .venv/bin/python bench/run_bench.py memory --dump-mb 1000 --mode parquet
    .venv/bin/python bench/run_bench.py memory --dump-mb 100 --mode store --workers 2

`workers` runs `quanhe run CORPUS --db TMP --workers N` (`--mode parquet`: `--out TMP`) for each N on the same
JSONL (the first `--limit` lines of the VNTC dump by default) into a fresh database or folder each time, every
setting `--repeat` times, interleaved, and prints the median seconds, articles/s, MB/s, CPU seconds of the process
tree and the speed-up over the first N. Each round first measures the machine's own ceiling: N copies of a
pure-Python loop side by side, as a speed-up over one copy. On this VM two such copies have run from 1.3 to
2.0 times as fast as one, depending on the host: a run's speed-up is to be read against that figure.

`memory` builds a JSONL dump of `--dump-mb` MB by repeating the VNTC corpus (each copy's ids, titles and URLs
carry the copy number, so no two lines are the same record; the texts repeat, so the store keeps one copy and
links the others; with `--distinct` each copy recombines the articles' halves, so the store keeps them all)
unless it exists, then runs
`quanhe run DUMP --out DIR` (`--mode parquet`: the local engine, analysis and Parquet, no database) or
`quanhe run DUMP --db TMP` (`--mode store`), and samples the resident memory of the whole process tree
(the run and its worker processes) every 0.5 s from /proc. It prints the peak of the tree and of the largest
single process, the time, and MB/s; `--trace` prints each sample's RSS as the run goes, to show it flat.

Both modes print the commit measured (`+dirty` with uncommitted changes under src/) and the load average, since
the figures move with other jobs on the machine. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUANHE = [sys.executable, "-m", "quanhe"]
MB = 1_000_000
PAGE = os.sysconf("SC_PAGE_SIZE")


def shared_dir() -> Path:
    return Path(os.environ.get("QUANHE_SHARED", ROOT.parent / "shared"))


def commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True, text=True)
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def text_bytes(path: Path, limit: int | None = None) -> tuple[int, int]:
    """(lines with a text, UTF-8 bytes of text) in the first `limit` lines of a JSONL dump."""
    lines = size = 0
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if limit is not None and number >= limit:
                break
            text = json.loads(line).get("text") or ""
            lines += bool(text.strip())
            size += len(text.encode("utf-8"))
    return lines, size


def head(path: Path, limit: int, into: Path) -> Path:
    with path.open(encoding="utf-8") as source, into.open("w", encoding="utf-8") as target:
        for number, line in enumerate(source):
            if number >= limit:
                break
            target.write(line)
    return into


def make_dump(corpus: Path, target: Path, megabytes: float, distinct: bool = False) -> None:
    """Copies of the corpus, each line's id, title and url marked with its copy number, up to `megabytes`.
    `distinct`: from the second copy on, article i's text is its first half followed by the second half of
    article i + copy, so no two texts are near-duplicates (each half is a third of the pair's shingles) and every
    article is stored, as in an archive of distinct articles."""
    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    written, copy = 0, 0
    with target.open("w", encoding="utf-8") as out:
        while written < megabytes * MB:
            for number, original in enumerate(records):
                record = dict(original)
                record["id"] = f"{record.get('id')}-copy{copy}"
                record["title"] = f"{record.get('title') or ''} ({copy})"
                record["url"] = f"https://bench.invalid/{copy}/{record.get('id')}"
                if distinct and copy and record.get("text"):
                    other = records[(number + copy) % len(records)].get("text") or ""
                    record["text"] = _halves(record["text"])[0] + " " + _halves(other)[1]
                row = json.dumps(record, ensure_ascii=False) + "\n"
                out.write(row)
                written += len(row.encode("utf-8"))
            copy += 1


def _halves(text: str) -> tuple[str, str]:
    """`text` cut at the sentence end nearest its middle (at the middle when it has none)."""
    middle = len(text) // 2
    ends = [i + 1 for i, char in enumerate(text) if char == "." and text[i + 1:i + 2] in (" ", "\n")]
    cut = min(ends, key=lambda i: abs(i - middle), default=middle)
    return text[:cut].strip(), text[cut:].strip()


def tree_rss(root: int) -> tuple[int, int]:
    """(sum, max) resident bytes over `root` and all its descendants, read from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry), int(fields[1])
        children.setdefault(parent, []).append(pid)
        rss[pid] = int(fields[21]) * PAGE
    total = largest = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        largest = max(largest, rss.get(pid, 0))
        stack.extend(children.get(pid, []))
    return total, largest


def watch(command: list[str], trace: bool) -> dict:
    """Run `command`, sampling its process tree's memory; its output goes to a log, its summary is returned."""
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "HF_HUB_OFFLINE": "1"})
    peak_tree = peak_process = 0
    while process.poll() is None:
        total, largest = tree_rss(process.pid)
        peak_tree, peak_process = max(peak_tree, total), max(peak_process, largest)
        if trace:
            print(f"  {time.perf_counter() - started:8.1f} s  tree RSS {total / 2**20:7.0f} MiB", flush=True)
        time.sleep(0.5)
    seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    log.seek(0)
    output = log.read()
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}); its output is in {log.name}:\n{output[-2000:]}")
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_tree_mib": peak_tree / 2**20, "peak_process_mib": peak_process / 2**20,
            "output_tail": output.strip().splitlines()[-3:], "log": log.name}


SPIN = "x = 0\nfor i in range(12_000_000): x += i * i % 7"  # about a second of pure-Python work


def parallel_ceiling(processes: int) -> float:
    """What this machine gives `processes` CPU-bound Python processes at this moment: `processes` copies of the
    same loop run side by side, as a speed-up over one copy (2.0 on two free cores; less when the cores are
    hyperthreads or the host is busy). A run's speed-up with N workers cannot exceed it."""
    def seconds(copies: int) -> float:
        started = time.perf_counter()
        running = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(copies)]
        for process in running:
            process.wait()
        return time.perf_counter() - started

    return processes * seconds(1) / seconds(processes)


def bench_workers(args: argparse.Namespace) -> None:
    """Each --workers setting `--repeat` times, interleaved (so a change in the machine's load hits every setting
    alike), each round beside the machine's parallel ceiling; the median seconds give the speed-up."""
    with tempfile.TemporaryDirectory() as scratch:
        corpus = head(args.corpus, args.limit, Path(scratch) / "corpus.jsonl")
        articles, size = text_bytes(corpus)
        print(f"corpus: first {args.limit} lines of {args.corpus} ({articles} with text, {size / MB:.2f} MB); "
              f"quanhe run {'--db' if args.mode == 'store' else '--out'}")
        runs: dict[int, list[dict]] = {workers: [] for workers in args.workers}
        ceilings: list[float] = []
        most = max(args.workers)
        for repeat in range(args.repeat):
            if most > 1:
                ceilings.append(parallel_ceiling(most))
                print(f"  round {repeat + 1}: {most} copies of a Python loop run {ceilings[-1]:.2f}x one", flush=True)
            for workers in args.workers:
                target = Path(scratch) / f"w{workers}-{repeat}"
                output = ["--db", f"{target}.duckdb"] if args.mode == "store" else ["--out", str(target)]
                result = watch([*QUANHE, "run", str(corpus), *output, "--workers", str(workers)], args.trace)
                runs[workers].append(result)
                print(f"  round {repeat + 1}, --workers {workers}: {result['seconds']:.1f} s, "
                      f"{result['cpu_seconds']:.1f} CPU s | {result['output_tail'][-1]}", flush=True)
                shutil.rmtree(target, ignore_errors=True)
                Path(f"{target}.duckdb").unlink(missing_ok=True)
        first = None
        for workers, results in runs.items():
            seconds = statistics.median(r["seconds"] for r in results)
            cpu = statistics.median(r["cpu_seconds"] for r in results)
            first = first or seconds
            print(f"--workers {workers}: median {seconds:.1f} s of {len(results)} "
                  f"({', '.join(format(r['seconds'], '.1f') for r in results)}), {articles / seconds:.1f} articles/s, "
                  f"{size / MB / seconds:.3f} MB/s, {cpu:.1f} CPU s (process tree), speed-up {first / seconds:.2f}, "
                  f"peak RSS (tree) {max(r['peak_tree_mib'] for r in results):.0f} MiB")
        if ceilings:
            print(f"machine ceiling for {most} processes (median of the rounds): {statistics.median(ceilings):.2f}x "
                  f"({', '.join(format(c, '.2f') for c in ceilings)})")


def bench_memory(args: argparse.Namespace) -> None:
    kind = "-distinct" if args.distinct else ""
    dump = args.dump or Path(tempfile.gettempdir()) / f"quanhe-dump{kind}-{args.dump_mb:g}MB.jsonl"
    if not dump.exists():
        print(f"building {dump} ({args.dump_mb:g} MB)", flush=True)
        make_dump(args.corpus, dump, args.dump_mb, args.distinct)
    on_disk = dump.stat().st_size
    print(f"dump: {dump}, {on_disk / MB:.0f} MB on disk", flush=True)
    with tempfile.TemporaryDirectory(dir=args.scratch) as scratch:
        if args.mode == "parquet":
            command = [*QUANHE, "run", str(dump), "--out", str(Path(scratch) / "out"), "--workers", str(args.workers)]
        else:
            command = [*QUANHE, "run", str(dump), "--db", str(Path(scratch) / "store.duckdb"),
                       "--workers", str(args.workers)]
        result = watch(command, args.trace)
        written = sum(p.stat().st_size for p in Path(scratch).rglob("*") if p.is_file())
    print(f"{' '.join(command[2:])}: {result['seconds']:.0f} s, {on_disk / MB / result['seconds']:.3f} MB/s of "
          f"dump, peak RSS {result['peak_tree_mib']:.0f} MiB (process tree), "
          f"{result['peak_process_mib']:.0f} MiB (largest process), output {written / MB:.0f} MB")
    print("  " + "\n  ".join(result["output_tail"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=shared_dir() / "corpora" / "vntc_chinh_tri_xa_hoi.jsonl")
    parser.add_argument("--trace", action="store_true", help="print each memory sample")
    sub = parser.add_subparsers(dest="bench", required=True)
    workers = sub.add_parser("workers", help="speed-up of quanhe run --workers N")
    workers.add_argument("--limit", type=int, default=2000, help="first N lines of the corpus")
    workers.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    workers.add_argument("--repeat", type=int, default=3, help="runs of each setting (the median counts)")
    workers.add_argument("--mode", choices=("store", "parquet"), default="store",
                         help="store: quanhe run --db (the DuckDB store); parquet: quanhe run --out (the local engine)")
    memory = sub.add_parser("memory", help="peak memory of quanhe run on a big dump")
    memory.add_argument("--dump-mb", type=float, default=1000)
    memory.add_argument("--dump", type=Path, help="use this JSONL dump (built there if missing)")
    memory.add_argument("--distinct", action="store_true",
                        help="build the dump of distinct texts (each copy's articles recombined), not repeated ones")
    memory.add_argument("--mode", choices=("parquet", "store"), default="parquet")
    memory.add_argument("--workers", type=int, default=1, help="quanhe run --workers N")
    memory.add_argument("--scratch", type=Path, default=None, help="where the output goes (default: /tmp)")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"commit {commit()}, {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if args.bench == "workers":
        bench_workers(args)
    else:
        if args.dump and not args.dump.exists():
            args.dump.parent.mkdir(parents=True, exist_ok=True)
        bench_memory(args)


if __name__ == "__main__":
    main()
