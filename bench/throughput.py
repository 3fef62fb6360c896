"""Throughput benchmark for the whole quanhe analysis (issue 3).

Run from the repository root:

    .venv/bin/python bench/throughput.py                       # synthetic corpus, >= 5 MB of text
    .venv/bin/python bench/throughput.py --mb 10               # a bigger synthetic corpus
    .venv/bin/python bench/throughput.py --corpus ../shared/corpora/vntc_chinh_tri_xa_hoi.jsonl --limit 2000
    .venv/bin/python bench/throughput.py --json                # every figure as one JSON object

Three measurements over the same stream of records, in one process:

1. the analysis alone: `quanhe.pipeline.process()` over every record, with a `StageTimer` for the time share
   of each stage (text, actors, times, quotes, events, assessments);
2. the analysis plus the DuckDB store (a temporary file, `Store.add` in batches of 200, as `quanhe run`);
3. underthesea's `word_tokenize` on the first ~1 MB of the same texts, as a yardstick: the ratio
   pipeline MB/s / word_tokenize MB/s says how the whole analysis compares with tokenising alone.

"MB" is 10^6 bytes of UTF-8 article text (`RawRecord.text`, as the reader hands it over). Seconds are wall
clock and count only the analysis (and the store): reading the dump or generating the synthetic corpus is
timed apart ("read"). "CPU s" is the process CPU time of the same calls (all threads, so DuckDB's included):
on a busy shared machine wall-clock rates drop while per-CPU-second rates hold, so both are printed, with
the load average at the start and the end.
The first record is analysed once before timing (lexicons and gazetteers load lazily); that warm-up is
reported apart too. Peak RSS is `resource.getrusage(RUSAGE_SELF).ru_maxrss`: the high-water mark of the
whole process so far, not of one phase, so the store figure includes the first pass.

Records are streamed (the corpus is generated or read twice, never held); only one store batch of documents
and the ~1 MB tokeniser sample are kept in memory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before anything can import underthesea / huggingface_hub

import regex  # noqa: E402

from quanhe.ingest.readers import read_jsonl, read_paths  # noqa: E402
from quanhe.ingest.records import IngestError, RawRecord  # noqa: E402
from quanhe.pipeline import StageTimer, process  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("text", "actors", "times", "quotes", "events", "assessments")
MB = 1_000_000


def shared_dir() -> Path:
    return Path(os.environ.get("QUANHE_SHARED") or ROOT.parent / "shared")


def text_bytes(record: RawRecord) -> int:
    return len(record.text.encode("utf-8"))


# ---- corpora ---------------------------------------------------------------------------------------------

_DAY_MONTH = regex.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})(?=(/\d{4})?(?!\d))")
_NUMBER = regex.compile(r"(?<![\d/])\d+(?![\d/])")
_PARAGRAPHS = regex.compile(r"\n\s*\n")


def _vary(text: str, rng: random.Random) -> str:
    """A light variant: the lede stays first, the other paragraphs are shuffled, some numbers and
    day/month dates are swapped for others of the same shape."""
    paragraphs = [p for p in _PARAGRAPHS.split(text) if p.strip()]
    if len(paragraphs) > 2:
        rest = paragraphs[1:]
        rng.shuffle(rest)
        paragraphs = paragraphs[:1] + rest
    text = "\n\n".join(paragraphs)

    def day_month(match: regex.Match) -> str:
        if rng.random() < 0.5:
            return match.group(0)
        return f"{rng.randint(1, 28)}/{rng.randint(1, 12)}"

    def number(match: regex.Match) -> str:
        digits = match.group(0)
        if rng.random() < 0.6 or (len(digits) == 4 and digits.startswith(("19", "20"))):  # keep most, and years
            return digits
        low = 10 ** (len(digits) - 1) if len(digits) > 1 else 0
        return str(rng.randint(low, 10 ** len(digits) - 1))

    text = _DAY_MONTH.sub(day_month, text)
    return _NUMBER.sub(number, text)


def synthetic_corpus(target_mb: float, limit: int | None, seed: int) -> Callable[[], Iterator[RawRecord]]:
    """The sample articles repeated and lightly varied (distinct content hashes) until >= target_mb."""
    folder = shared_dir() / "samples" / "vi"
    samples = [item for item in read_paths([folder]) if isinstance(item, RawRecord)]
    if not samples:
        sys.exit(f"no sample articles under {folder} (set QUANHE_SHARED to the shared folder)")

    def records() -> Iterator[RawRecord]:
        rng = random.Random(seed)
        seen: set[bytes] = set()
        total = count = copy = 0
        while total < target_mb * MB and (limit is None or count < limit):
            for sample in samples:
                if total >= target_mb * MB or (limit is not None and count >= limit):
                    break
                for _ in range(20):  # re-draw in the rare case a variant repeats an earlier one
                    text = sample.text if copy == 0 else _vary(sample.text, rng)
                    digest = hashlib.sha1(text.encode("utf-8")).digest()
                    if digest not in seen:
                        break
                seen.add(digest)
                published = sample.published + timedelta(days=copy) if sample.published else None
                record = RawRecord(f"{sample.source}#v{copy}", text, title=sample.title, published=published)
                total += text_bytes(record)
                count += 1
                yield record
            copy += 1

    return records


def jsonl_corpus(path: Path, limit: int | None, failures: list[IngestError]) -> Callable[[], Iterator[RawRecord]]:
    """Records of a JSONL dump (streamed with quanhe's own reader); unreadable lines are counted."""
    if not path.exists():
        sys.exit(f"{path}: no such file")

    def records() -> Iterator[RawRecord]:
        failures.clear()
        count = 0
        for item in read_jsonl(path):
            if isinstance(item, IngestError):
                failures.append(item)
                continue
            if limit is not None and count >= limit:
                return
            count += 1
            yield item

    return records


# ---- measurements ----------------------------------------------------------------------------------------

def code_version() -> str:
    """The commit the run measured, "+dirty" when src/ had uncommitted changes (the coders change often)."""
    import subprocess

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit or "unknown") + ("+dirty" if dirty else "")


def peak_rss_mb() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux (bytes on macOS)
    return kib / 1024 / (1024 if sys.platform == "darwin" else 1)


class Pass:
    """Figures of one pass over the corpus."""

    def __init__(self) -> None:
        self.articles = 0
        self.bytes = 0
        self.analysis_s = 0.0
        self.store_s = 0.0
        self.cpu_s = 0.0  # process CPU time (all threads) of the analysis and the store
        self.read_s = 0.0
        self.errors = 0
        self.first_error: str | None = None
        self.events = self.quotes = self.assessments = 0
        self.timer = StageTimer()

    def run(self, records: Iterator[RawRecord], default_date: date, on_doc: Callable | None = None) -> None:
        iterator = iter(records)
        while True:
            started = time.perf_counter()
            record = next(iterator, None)
            self.read_s += time.perf_counter() - started
            if record is None:
                break
            started, cpu = time.perf_counter(), time.process_time()
            try:
                doc = process(record, default_date, self.timer)
            except Exception as exc:  # the analysis is being changed by others: count, do not stop
                self.analysis_s += time.perf_counter() - started
                self.cpu_s += time.process_time() - cpu
                self.errors += 1
                if self.first_error is None:
                    self.first_error = f"{record.source}: {exc.__class__.__name__}: {exc}"
                continue
            self.analysis_s += time.perf_counter() - started
            self.cpu_s += time.process_time() - cpu
            self.articles += 1
            self.bytes += text_bytes(record)
            self.events += len(doc.events)
            self.quotes += len(doc.quotes)
            self.assessments += len(doc.assessments)
            if on_doc:
                on_doc(doc)

    def figures(self) -> dict:
        seconds = self.analysis_s + self.store_s
        shares = {stage: self.timer.seconds.get(stage, 0.0) for stage in STAGES}
        shares.update({k: v for k, v in self.timer.seconds.items() if k not in shares})
        if self.store_s:
            shares["store"] = self.store_s
        out = {
            "articles": self.articles,
            "mb": round(self.bytes / MB, 3),
            "seconds": round(seconds, 3),
            "articles_per_s": round(self.articles / seconds, 2) if seconds else None,
            "mb_per_s": round(self.bytes / MB / seconds, 4) if seconds else None,
            "ms_per_article": round(1000 * seconds / self.articles, 2) if self.articles else None,
            "cpu_seconds": round(self.cpu_s, 3),
            "articles_per_cpu_s": round(self.articles / self.cpu_s, 2) if self.cpu_s else None,
            "mb_per_cpu_s": round(self.bytes / MB / self.cpu_s, 4) if self.cpu_s else None,
            "stage_seconds": {k: round(v, 3) for k, v in shares.items()},
            "stage_share_pct": {k: round(100 * v / seconds, 1) if seconds else None for k, v in shares.items()},
            "read_seconds_not_counted": round(self.read_s, 3),
            "events": self.events, "quotes": self.quotes, "assessments": self.assessments,
            "errors": self.errors,
        }
        if self.first_error:
            out["first_error"] = self.first_error[:300]
        return out


def analysis_pass(corpus: Callable[[], Iterator[RawRecord]], default_date: date) -> dict:
    measured = Pass()
    measured.run(corpus(), default_date)
    result = measured.figures()
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result


def store_pass(corpus: Callable[[], Iterator[RawRecord]], default_date: date, batch_size: int) -> dict:
    from quanhe.store.database import Store

    measured = Pass()
    totals = {"added": 0, "already_stored": 0, "near_duplicates": 0}
    with tempfile.TemporaryDirectory(prefix="quanhe-bench-") as tmp:
        path = Path(tmp) / "bench.duckdb"
        started, cpu = time.perf_counter(), time.process_time()
        store = Store(path)
        index = store.duplicate_index()
        measured.store_s += time.perf_counter() - started
        measured.cpu_s += time.process_time() - cpu
        batch: list = []

        def flush() -> None:
            started, cpu = time.perf_counter(), time.process_time()
            result = store.add(batch, index)
            measured.store_s += time.perf_counter() - started
            measured.cpu_s += time.process_time() - cpu
            for key in totals:
                totals[key] += getattr(result, key)
            batch.clear()

        def on_doc(doc) -> None:
            batch.append(doc)
            if len(batch) >= batch_size:
                flush()

        try:
            measured.run(corpus(), default_date, on_doc)
            if batch:
                flush()
            started, cpu = time.perf_counter(), time.process_time()
            store.con.execute("CHECKPOINT")  # the write to disk counts as store time
            measured.store_s += time.perf_counter() - started
            measured.cpu_s += time.process_time() - cpu
        finally:
            store.close()
        db_mb = path.stat().st_size / MB
    result = measured.figures()
    result.update({"batch_size": batch_size, "store_seconds": round(measured.store_s, 3),
                   "store_share_pct": result["stage_share_pct"].get("store"),
                   "database_mb": round(db_mb, 2), **totals, "peak_rss_mb": round(peak_rss_mb(), 1)})
    return result


def tokenize_pass(corpus: Callable[[], Iterator[RawRecord]], sample_mb: float) -> dict:
    """underthesea word_tokenize over whole articles from the start of the corpus, until >= sample_mb."""
    texts: list[str] = []
    size = 0
    for record in corpus():
        texts.append(record.text)
        size += text_bytes(record)
        if size >= sample_mb * MB:
            break
    started = time.perf_counter()
    from underthesea import word_tokenize
    word_tokenize("Hà Nội là thủ đô của Việt Nam.")  # loads the CRF model
    load_s = time.perf_counter() - started
    tokens = 0
    started, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        tokens += len(word_tokenize(text))
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    import underthesea
    return {"version": getattr(underthesea, "__version__", None), "articles": len(texts), "mb": round(size / MB, 3),
            "seconds": round(seconds, 3), "mb_per_s": round(size / MB / seconds, 4) if seconds else None,
            "cpu_seconds": round(cpu, 3), "mb_per_cpu_s": round(size / MB / cpu, 4) if cpu else None,
            "tokens": tokens, "load_seconds": round(load_s, 3), "peak_rss_mb": round(peak_rss_mb(), 1)}


# ---- report ----------------------------------------------------------------------------------------------

def render(report: dict) -> str:
    lines = [f"corpus: {report['corpus']}" + (f"; {report['unreadable_records']['count']} record(s) skipped by "
                                              f"the reader {report['unreadable_records']['reasons']}"
                                              if report.get("unreadable_records") else ""),
             f"quanhe {report['code']}, python {report['python']} on {report['machine']}; warm-up (first article, lazy loads) "
             f"{report['warmup_seconds']:.2f} s; RSS after warm-up {report['rss_after_warmup_mb']:.0f} MB"]

    def block(title: str, r: dict) -> None:
        lines.append("")
        lines.append(title)
        lines.append(f"  articles {r['articles']}, {r['mb']:.2f} MB of text, {r['seconds']:.1f} s "
                     f"-> {r['articles_per_s']} articles/s, {r['mb_per_s']:.3f} MB/s "
                     f"({r['ms_per_article']} ms/article)")
        lines.append(f"  CPU {r['cpu_seconds']:.1f} s -> {r['articles_per_cpu_s']} articles/CPU-s, "
                     f"{r['mb_per_cpu_s']:.3f} MB/CPU-s")
        lines.append(f"  peak RSS {r['peak_rss_mb']:.0f} MB (process high-water mark so far)")
        shares = ", ".join(f"{k} {v:.1f}%" for k, v in r["stage_share_pct"].items())
        lines.append(f"  time share: {shares}")
        lines.append(f"  coded {r['events']} events, {r['quotes']} quotes, {r['assessments']} assessments; "
                     f"{r['errors']} article(s) raised; reading/generating {r['read_seconds_not_counted']:.1f} s "
                     "(not counted)")
        if r.get("first_error"):
            lines.append(f"  first error: {r['first_error']}")

    if "analysis" in report:
        block("analysis only (process(), no database)", report["analysis"])
    if "store" in report:
        s = report["store"]
        block(f"analysis + DuckDB store (temporary file, batches of {s['batch_size']})", s)
        lines.append(f"  store {s['store_seconds']:.1f} s = {s['store_share_pct']}% of the time; "
                     f"{s['added']} stored, {s['near_duplicates']} near-duplicates linked, "
                     f"{s['already_stored']} already stored; database {s['database_mb']} MB")
    if "word_tokenize" in report:
        t = report["word_tokenize"]
        lines.append("")
        lines.append(f"underthesea {t['version']} word_tokenize on the first {t['articles']} articles "
                     f"({t['mb']:.2f} MB): {t['seconds']:.1f} s -> {t['mb_per_s']:.3f} MB/s "
                     f"(CPU {t['cpu_seconds']:.1f} s -> {t['mb_per_cpu_s']:.3f} MB/CPU-s; model load "
                     f"{t['load_seconds']:.1f} s)")
        if report.get("ratio_pipeline_to_word_tokenize") is not None:
            lines.append(f"  pipeline MB/s / word_tokenize MB/s = {report['ratio_pipeline_to_word_tokenize']:.2f} "
                         f"(by CPU time {report['ratio_pipeline_to_word_tokenize_cpu']:.2f})")
    lines.append("")
    lines.append(f"load average (1, 5, 15 min) at start {report['load_average_start']}, "
                 f"at end {report['load_average_end']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="a JSONL dump (one object with a 'text' field per line) "
                        "instead of the synthetic corpus")
    parser.add_argument("--limit", type=int, help="at most N articles")
    parser.add_argument("--mb", type=float, default=5.0, help="size of the synthetic corpus in MB (default 5)")
    parser.add_argument("--seed", type=int, default=3, help="seed of the synthetic variations (default 3)")
    parser.add_argument("--batch-size", type=int, default=200, help="store batch size (default 200)")
    parser.add_argument("--tokenize-mb", type=float, default=1.0,
                        help="MB of text for the word_tokenize yardstick (default 1; 0 skips it)")
    parser.add_argument("--no-store", action="store_true", help="skip the DuckDB pass")
    parser.add_argument("--default-date", default="2026-01-01", help="publication date for undated articles")
    parser.add_argument("--json", action="store_true", help="print every figure as one JSON object")
    args = parser.parse_args(argv)

    failures: list[IngestError] = []
    if args.corpus:
        corpus = jsonl_corpus(args.corpus, args.limit, failures)
        corpus_name = f"{args.corpus} (limit {args.limit})" if args.limit else str(args.corpus)
    else:
        corpus = synthetic_corpus(args.mb, args.limit, args.seed)
        corpus_name = f"synthetic: {shared_dir() / 'samples' / 'vi'} x variants, >= {args.mb} MB (seed {args.seed})"
    default_date = date.fromisoformat(args.default_date)

    first = next(corpus(), None)
    if first is None:
        sys.exit("the corpus holds no readable article")
    started = time.perf_counter()
    try:
        process(first, default_date)
    except Exception as exc:
        print(f"warning: warm-up article raised {exc.__class__.__name__}: {exc}", file=sys.stderr)
    warmup = time.perf_counter() - started

    report: dict = {
        "date": date.today().isoformat(), "code": code_version(), "corpus": corpus_name,
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
                   f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
        "mb_unit": "10^6 bytes of UTF-8 article text", "warmup_seconds": round(warmup, 3),
        "rss_after_warmup_mb": round(peak_rss_mb(), 1),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "peak_rss_note": "ru_maxrss: peak of the whole process so far, not of one phase",
    }
    report["analysis"] = analysis_pass(corpus, default_date)
    if failures:
        reasons: dict[str, int] = {}
        for failure in failures:
            reasons[failure.reason] = reasons.get(failure.reason, 0) + 1
        report["unreadable_records"] = {"count": len(failures), "reasons": reasons}
    if not args.no_store:
        report["store"] = store_pass(corpus, default_date, args.batch_size)
    if args.tokenize_mb > 0:
        report["word_tokenize"] = tokenize_pass(corpus, args.tokenize_mb)
        pipeline, tokenizer = report["analysis"]["mb_per_s"], report["word_tokenize"]["mb_per_s"]
        report["ratio_pipeline_to_word_tokenize"] = round(pipeline / tokenizer, 3) if pipeline and tokenizer else None
        pipeline, tokenizer = report["analysis"]["mb_per_cpu_s"], report["word_tokenize"]["mb_per_cpu_s"]
        report["ratio_pipeline_to_word_tokenize_cpu"] = round(pipeline / tokenizer, 3) if pipeline and tokenizer \
            else None
    report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    if report["analysis"]["articles"] == 0:
        print(f"every article raised: {report['analysis'].get('first_error')}", file=sys.stderr)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else render(report))
    return 0 if report["analysis"]["articles"] else 1


if __name__ == "__main__":
    sys.exit(main())
