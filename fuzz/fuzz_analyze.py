"""Fuzz target for `quanhe.analyze()`: coverage-guided with atheris (libFuzzer) when it is installed, else a
hypothesis-driven loop. Runs for a time budget and reports the cases tried and the crashes found.

    .venv/bin/pip install atheris==3.0.0           # optional; without it the hypothesis loop runs
    .venv/bin/python fuzz/fuzz_analyze.py --seconds 300
    .venv/bin/python fuzz/fuzz_analyze.py --engine hypothesis --seconds 60
    .venv/bin/python fuzz/fuzz_analyze.py --replay fuzz/crashes/   # re-run saved inputs (after a fix)

Each input (bytes) is analysed twice, the way files and the API reach the pipeline: decoded by `decode_bytes`
(legacy encodings, mojibake; unreadable bytes are skipped, as ingest reports them) and as UTF-8 with
replacement. The publication date, and sometimes a title, are derived from the input's CRC so that a case
always replays the same way; a few dates are the extremes `parse_date` accepts (0001-01-01, 9999-12-31).

A crash is an exception from analyze(), a broken offset invariant (a span outside the clean text, a surface
text that is not `text[start:end]`, evidence outside its sentence, two events with one id), a hang (a case still
running after --hang seconds: a per-case alarm stops it and the traceback says where the pipeline was stuck), or
a slow case (over --slow seconds). Findings are grouped by signature (exception type and innermost quanhe frame),
the first few inputs of each are saved under fuzz/crashes/, and the run goes on. The seed corpus is
fuzz/corpus/seed/; inputs that atheris finds interesting are kept in fuzz/corpus/generated/ (minimised by a
libFuzzer merge after the run). The summary goes to stdout and to fuzz/last_run.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import signal
import subprocess
import sys
import time
import traceback
import unicodedata
import zlib
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = HERE / "corpus" / "seed"
GENERATED = HERE / "corpus" / "generated"
CRASHES = HERE / "crashes"
STATS = HERE / "last_run.json"
SAVED_PER_SIGNATURE = 5

DATES = [None] * 6 + [date(2026, 2, 21), date(2022, 3, 1), date(1990, 1, 1), date(2030, 12, 31), date(2000, 2, 29),
                      date(1, 1, 1), date(9999, 12, 31)]


class Finding(Exception):
    """An invariant broken by an input (reported like a crash)."""


class Hang(Exception):
    """Raised by the per-case alarm: the traceback says where the pipeline was stuck."""


def _alarm(*_) -> None:
    raise Hang("no result within the per-case limit")


# ---- the target ----------------------------------------------------------------------------------------------------


def _check(doc) -> None:
    text, n = doc.text, len(doc.text)
    if not unicodedata.is_normalized("NFC", text):
        raise Finding("clean text is not NFC")
    end = 0
    for i, s in enumerate(doc.sentences):
        if s.index != i or not end <= s.start < s.end <= n or "\n" in text[s.start:s.end]:
            raise Finding(f"sentence {i} [{s.start}:{s.end}] of {n}")
        end = s.end

    def inside(what, index, start, stop):
        if not 0 <= index < len(doc.sentences):
            raise Finding(f"{what}: sentence {index} out of range")
        s = doc.sentences[index]
        if not s.start <= start <= stop <= s.end:
            raise Finding(f"{what}: [{start}:{stop}] outside its sentence [{s.start}:{s.end}]")

    for layer in ("mentions", "times", "quotes"):
        for item in getattr(doc, layer):
            if not 0 <= item.start <= item.end <= n or text[item.start:item.end] != item.text:
                raise Finding(f"{layer}: span [{item.start}:{item.end}] does not read {item.text!r}")
            if item.sentence >= 0:
                inside(layer, item.sentence, item.start, item.end)
    ids = [e.id for e in doc.events]
    if len(ids) != len(set(ids)):
        raise Finding("two events share an id")
    for kind, items in (("event", doc.events), ("assessment", doc.assessments)):
        for item in items:
            ev = item.evidence
            if ev.article != doc.article.id or not 0 <= ev.start <= ev.end <= n or text[ev.start:ev.end] != ev.text:
                raise Finding(f"{kind}: evidence [{ev.start}:{ev.end}] does not read {ev.text!r}")
            inside(kind, ev.sentence, ev.start, ev.end)


def texts_of(data: bytes) -> list[tuple[str, str]]:
    """(path, text) pairs an input reaches the pipeline as."""
    from quanhe.ingest.encoding import UnreadableText, decode_bytes

    out = []
    try:
        out.append(("decode_bytes", decode_bytes(data).text))
    except UnreadableText:
        pass
    out.append(("utf-8", data.decode("utf-8", errors="replace")))
    return out


def run_one(data: bytes) -> None:
    """Analyse one input; raises on a crash or a broken invariant."""
    from quanhe.pipeline import analyze

    crc = zlib.crc32(data)
    published = DATES[crc % len(DATES)]
    for path, text in texts_of(data):
        title = text.split("\n", 1)[0][:80] if crc % 5 == 0 else None
        doc = analyze(text, published=published, title=title)
        _check(doc)
        if crc % 7 == 0 and analyze(text, published=published, title=title).to_dict() != doc.to_dict():
            raise Finding(f"analyze() is not deterministic ({path})")


def signature(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/quanhe/" in f.filename.replace("\\", "/")]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno} {frames[-1].name}" if frames else "?"
    if isinstance(exc, Finding):
        return f"Finding: {str(exc).split(':')[0]}"
    if isinstance(exc, Hang) and len(frames) > 1:  # the stage and the line it was stuck on
        caller = frames[-2]
        where = f"{where} (from {Path(caller.filename).name}:{caller.lineno} {caller.name})"
    return f"{exc.__class__.__name__} at {where}"


class Recorder:
    """Counts cases, groups crashes by signature, saves the first inputs of each; writes stats every 2 s."""

    def __init__(self, engine: str, seconds: float, slow: float, hang: float, keep: bool = True) -> None:
        self.engine, self.seconds, self.slow, self.hang = engine, seconds, slow, hang
        self.keep = keep  # False for the corpus merge: it re-runs known inputs, its findings are not a run's
        signal.signal(signal.SIGALRM, _alarm)
        self.cases = 0
        self.started = time.monotonic()
        self.crashes: dict[str, dict] = {}
        self.slowest = 0.0
        self.last_write = 0.0

    def __call__(self, data: bytes) -> None:
        self.cases += 1
        started = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, self.hang)
        try:
            run_one(data)
        except Exception as exc:  # every crash is recorded; the run goes on
            self.record(signature(exc), f"{exc.__class__.__name__}: {str(exc)[:300]}", data)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed = time.monotonic() - started
        self.slowest = max(self.slowest, elapsed)
        if self.slow < elapsed < self.hang:
            self.record(f"slow: > {self.slow:g} s", f"{elapsed:.1f} s on {len(data)} bytes", data)
        if self.keep and time.monotonic() - self.last_write > 2:
            self.write()

    def record(self, key: str, message: str, data: bytes) -> None:
        entry = self.crashes.setdefault(key, {"count": 0, "example": message, "saved": []})
        entry["count"] += 1
        if self.keep and len(entry["saved"]) < SAVED_PER_SIGNATURE:
            CRASHES.mkdir(parents=True, exist_ok=True)
            name = f"crash-{hashlib.sha1(key.encode()).hexdigest()[:8]}-{hashlib.sha1(data).hexdigest()[:12]}"
            (CRASHES / name).write_bytes(data)
            entry["saved"].append(str((CRASHES / name).relative_to(HERE.parent)))

    def summary(self, **extra) -> dict:
        return {"engine": self.engine, "budget_s": self.seconds, "elapsed_s": round(time.monotonic() - self.started, 1),
                "cases": self.cases, "hang_limit_s": self.hang, "slow_limit_s": self.slow,
                "crash_signatures": len(self.crashes),
                "crashes": sum(c["count"] for c in self.crashes.values()),
                "slowest_case_s": round(self.slowest, 2), "by_signature": self.crashes, **extra}

    def write(self, **extra) -> None:
        self.last_write = time.monotonic()
        STATS.write_text(json.dumps(self.summary(**extra), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# ---- engines -------------------------------------------------------------------------------------------------------


def run_atheris(args) -> None:
    """The libFuzzer worker (a child process: libFuzzer exits the process when the budget is spent)."""
    import atheris

    with atheris.instrument_imports(include=["quanhe"]):
        import quanhe.pipeline  # noqa: F401  (instrumented for coverage feedback)
    recorder = Recorder("atheris", args.seconds, args.slow, args.hang)
    GENERATED.mkdir(parents=True, exist_ok=True)
    libfuzzer = [sys.argv[0], str(GENERATED), str(SEED), f"-max_total_time={int(args.seconds)}",
                 "-timeout=0", f"-max_len={args.max_len}", "-rss_limit_mb=4096",
                 f"-artifact_prefix={CRASHES}/", "-print_final_stats=1", "-print_pcs=0"]
    CRASHES.mkdir(parents=True, exist_ok=True)
    atheris.Setup(libfuzzer, recorder)
    atheris.Fuzz()


def run_merge(args) -> None:
    """libFuzzer's merge: keep the smallest set of generated inputs that covers what all of them cover. libFuzzer
    re-runs this command line in a child, so argv[0] is the whole command (it goes through the shell)."""
    import atheris

    with atheris.instrument_imports(include=["quanhe"]):
        import quanhe.pipeline  # noqa: F401
    recorder = Recorder("merge", args.seconds, args.slow, args.hang, keep=False)
    command = f"{sys.executable} {Path(__file__).resolve()} --merge-worker"
    if args.merge_into:  # start the merge
        argv = [command, "-merge=1", "-timeout=0", f"-max_len={args.max_len}", str(args.merge_into), str(GENERATED)]
    else:  # the child libFuzzer started: its own flags and folders pass through
        argv = [command, *(a for a in sys.argv[1:] if a != "--merge-worker")]
    atheris.Setup(argv, recorder)
    atheris.Fuzz()


def minimize(args) -> dict:
    """Replace fuzz/corpus/generated by its libFuzzer merge (same coverage, far fewer files)."""
    merged = GENERATED.with_name("generated.merge")
    shutil.rmtree(merged, ignore_errors=True)
    merged.mkdir()
    before = sum(1 for _ in GENERATED.iterdir())
    command = [sys.executable, str(Path(__file__).resolve()), "--merge-worker", "--merge-into", str(merged),
               "--max-len", str(args.max_len)]
    result = subprocess.run(command, capture_output=True, text=True, errors="replace")
    after = sum(1 for _ in merged.iterdir())
    if result.returncode != 0 or after == 0:
        shutil.rmtree(merged, ignore_errors=True)
        return {"minimized": False, "files": before, "tail": result.stderr.splitlines()[-5:]}
    shutil.rmtree(GENERATED)
    merged.rename(GENERATED)
    return {"minimized": True, "files_before": before, "files": after}


def run_hypothesis(args) -> dict:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    sys.path.insert(0, str(HERE.parent / "tests"))
    from test_fuzz import news_text  # the strategies of the property tests

    seeds = [p.read_bytes() for p in sorted(SEED.iterdir()) if p.is_file()]
    data = st.one_of(
        st.binary(max_size=args.max_len),
        news_text.map(lambda t: t.encode("utf-8")),
        st.tuples(st.sampled_from(seeds), news_text, st.integers(0, 1 << 16)).map(
            lambda t: t[0][: t[2] % (len(t[0]) + 1)] + t[1].encode("utf-8") + t[0][t[2] % (len(t[0]) + 1):]),
        st.tuples(st.sampled_from(seeds), st.binary(max_size=8), st.integers(0, 1 << 16)).map(
            lambda t: t[0][: t[2] % (len(t[0]) + 1)] + t[1] + t[0][t[2] % (len(t[0]) + 1) + len(t[1]):]),
    )
    recorder = Recorder("hypothesis", args.seconds, args.slow, args.hang)
    deadline = time.monotonic() + args.seconds

    class Budget(BaseException):
        pass

    @settings(max_examples=10**9, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(data)
    def loop(case: bytes) -> None:
        if time.monotonic() > deadline:
            raise Budget
        recorder(case)

    for seed in seeds:
        recorder(seed)
    try:
        loop()
    except Budget:
        pass
    recorder.write()
    return recorder.summary()


def replay(paths: list[Path], slow: float, hang: float) -> int:
    """Re-run saved inputs with the same limits; exit 1 while any still crashes, hangs or is slow."""
    files = [f for p in paths for f in (sorted(p.iterdir()) if p.is_dir() else [p]) if f.is_file()]
    signal.signal(signal.SIGALRM, _alarm)
    failed = 0
    for file in files:
        started = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, hang)
        try:
            run_one(file.read_bytes())
            status = "ok"
        except Exception as exc:
            status = f"{signature(exc)}: {str(exc)[:160]}"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed = time.monotonic() - started
        if status == "ok" and elapsed > slow:
            status = f"slow: > {slow:g} s"
        failed += status != "ok"
        print(f"{file}: {status} ({elapsed:.2f} s)")
    print(f"{len(files)} input(s), {failed} still failing")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="time budget (default 60)")
    parser.add_argument("--engine", choices=("auto", "atheris", "hypothesis"), default="auto")
    parser.add_argument("--hang", type=float, default=10, help="a case still running after this is stopped and "
                        "recorded as a hang, with where it was stuck (seconds, default 10)")
    parser.add_argument("--slow", type=float, default=2, help="a case slower than this is recorded (seconds)")
    parser.add_argument("--max-len", type=int, default=8192, help="largest input, bytes")
    parser.add_argument("--replay", nargs="+", type=Path, help="re-run these inputs (files or folders) and exit")
    parser.add_argument("--no-minimize", action="store_true", help="keep every generated corpus file (atheris)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--merge-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--merge-into", type=Path, help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()
    if args.replay:
        return replay(args.replay, args.slow, args.hang)
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    if args.worker:
        run_atheris(args)
        return 0
    if args.merge_worker:
        run_merge(args)
        return 0
    if engine == "hypothesis":
        summary = run_hypothesis(args)
    else:
        STATS.unlink(missing_ok=True)
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", "--seconds", str(args.seconds),
                   "--hang", str(args.hang), "--slow", str(args.slow), "--max-len", str(args.max_len)]
        try:
            worker = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                    timeout=args.seconds + 10 * args.hang + 60)
        except subprocess.TimeoutExpired as exc:  # stuck where the alarm cannot reach (C code holding the GIL)
            worker = subprocess.CompletedProcess(command, -9, "", (exc.stderr or b"").decode(errors="replace")
                                                 + "\nworker killed: stuck past the hang limit")
        summary = json.loads(STATS.read_text(encoding="utf-8")) if STATS.exists() else {"engine": "atheris"}
        final = {line.split(":")[-2].strip(): line.split(":")[-1].strip()
                 for line in worker.stderr.splitlines() if line.startswith("stat::")}
        summary["libfuzzer"] = {"exit_code": worker.returncode, **final,
                                "corpus_files": sum(1 for _ in GENERATED.iterdir()) if GENERATED.exists() else 0}
        if "number_of_executed_units" in final:
            summary["cases"] = int(final["number_of_executed_units"])
        if worker.returncode != 0:  # a libFuzzer-level crash (outside the harness): its artifact is in fuzz/crashes
            summary["libfuzzer"]["tail"] = worker.stderr.splitlines()[-15:]
        if not args.no_minimize and GENERATED.exists():
            summary["corpus"] = minimize(args)
        STATS.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in summary.items() if k != "by_signature"}, ensure_ascii=False, indent=2))
    for key, entry in sorted(summary.get("by_signature", {}).items(), key=lambda kv: -kv[1]["count"]):
        print(f"{entry['count']:6d}  {key}  e.g. {entry['example'][:140]}")
    return 1 if summary.get("crashes") else 0


if __name__ == "__main__":
    sys.exit(main())
