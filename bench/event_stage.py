"""Throughput of the event stage alone: the PLOVER coder, and the coder with relation assessments (issue 6).

Run from the repository root:

    .venv/bin/python bench/event_stage.py                 # synthetic dense news (5 MB) and VNTC (2,000 lines)
    .venv/bin/python bench/event_stage.py --runs 9

Every article is first taken through the stages before events (text, actors, times, quotes), untimed; then
`code_events` and `find_assessments` run over all of them `--runs` times and the best CPU time is kept (the
machine is shared: the best run is the one least disturbed). MB are 10^6 bytes of article text, as in
`throughput.py`, whose corpora this reuses.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from throughput import jsonl_corpus, shared_dir, synthetic_corpus, text_bytes

from quanhe.events.assessments import find_assessments
from quanhe.events.coder import code_events
from quanhe.model import Document
from quanhe.pipeline import COMPONENTS, make_document

NEWS_DAY = date(2026, 2, 21)


def prepared(records) -> tuple[list[Document], int]:
    """Documents taken up to (not through) the event stage, and their bytes of text."""
    docs, size = [], 0
    for record in records:
        size += text_bytes(record)
        doc = make_document(record, NEWS_DAY)
        for name, component in COMPONENTS:
            if name == "events":
                break
            component(doc)
        docs.append(doc)
    return docs, size


def best_cpu(step, docs: list[Document], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        for doc in docs:
            step(doc)
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=float, default=5.0, help="size of the synthetic corpus")
    parser.add_argument("--limit", type=int, default=2000, help="VNTC lines")
    args = parser.parse_args()
    corpora = [(f"synthetic {args.mb:g} MB", synthetic_corpus(args.mb, None, 3)),
               (f"VNTC first {args.limit} lines",
                jsonl_corpus(shared_dir() / "corpora" / "vntc_chinh_tri_xa_hoi.jsonl", args.limit, []))]
    for label, corpus in corpora:
        docs, size = prepared(corpus())
        events = best_cpu(code_events, docs, args.runs)
        assessments = best_cpu(find_assessments, docs, args.runs)
        mb = size / 1e6
        print(f"{label}: {len(docs)} articles, {mb:.2f} MB; best of {args.runs}: events {events:.2f} CPU s "
              f"({mb / events:.2f} MB/CPU-s), events + assessments {events + assessments:.2f} CPU s "
              f"({mb / (events + assessments):.2f} MB/CPU-s)")


if __name__ == "__main__":
    main()
