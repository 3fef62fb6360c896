"""Where the analysis spends its CPU: Python bytecode, the CPython runtime, or the compiled matchers (issue 8).

Run from the repository root (py-spy is not a quanhe dependency: `pip install py-spy==0.4.3` anywhere, then
pass its path):

    .venv/bin/python bench/native_share.py --py-spy /path/to/py-spy
    .venv/bin/python bench/native_share.py --py-spy /path/to/py-spy --synthetic

The analysis (`quanhe.pipeline.process`, no database) runs over the corpus in a child process sampled by
`py-spy record --native`; each sample taken inside `process` is counted by the library of its innermost frame.
The matchers' share (the `regex` module and pyahocorasick) bounds what any rewrite of the Python layer alone
could gain: were that layer free, the analysis would run at most 1 / share times as fast.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from throughput import shared_dir

# the library of a native frame, by the file py-spy names for it
GROUPS = (("regex", ("_regex.c", "_regex_unicode.c")),
          ("pyahocorasick", ("trie.c", "trienode.c", "AutomatonSearchIter.c", "Automaton.c", "utils.c")),
          ("CPython runtime", ("libpython", "object.h", "unicodeobject", "dictobject", "listobject")),
          ("libc", ("libc.so",)))
MATCHERS = ("regex", "pyahocorasick")

CHILD = """
import sys
from pathlib import Path
sys.path.insert(0, {bench!r})
from throughput import jsonl_corpus, synthetic_corpus
from quanhe.pipeline import process
records = list(synthetic_corpus(5.0, None, 3)() if {synthetic!r} else jsonl_corpus(Path({corpus!r}), {limit!r}, [])())
process(records[0])  # lexicons load lazily: out of the measured loop as far as possible
for _ in range({repeat!r}):
    for record in records:
        process(record)
"""


def group_of(frame: str) -> str:
    """'Python bytecode' for a frame of a .py file, else the group of the native library named in it."""
    where = frame[frame.rfind("(") + 1:-1] if frame.endswith(")") else frame
    if where.split(":")[0].endswith(".py") or where.startswith("<frozen"):
        return "Python bytecode"
    return next((name for name, files in GROUPS if any(f in where for f in files)), "other native")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--py-spy", required=True, help="path of the py-spy executable")
    parser.add_argument("--corpus", type=Path, default=shared_dir() / "corpora" / "vntc_chinh_tri_xa_hoi.jsonl")
    parser.add_argument("--limit", type=int, default=2000, help="articles of the corpus (default 2000)")
    parser.add_argument("--synthetic", action="store_true", help="the synthetic dense news of throughput.py instead")
    parser.add_argument("--repeat", type=int, default=2, help="passes over the articles (default 2)")
    args = parser.parse_args()
    child = CHILD.format(bench=str(Path(__file__).parent), synthetic=args.synthetic, corpus=str(args.corpus),
                         limit=args.limit, repeat=args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "samples.txt"
        subprocess.run([args.py_spy, "record", "--native", "--rate", "300", "--format", "raw", "--output", str(raw),
                        "--", sys.executable, "-c", child], check=True, capture_output=True,
                       env=dict(os.environ, HF_HUB_OFFLINE="1"))
        counts: Counter[str] = Counter()
        for line in raw.read_text().splitlines():
            stack, _, number = line.rpartition(" ")
            frames = stack.split(";")
            if any("quanhe/pipeline.py" in frame for frame in frames):
                counts[group_of(frames[-1])] += int(number)
    total = sum(counts.values())
    corpus = "synthetic dense news" if args.synthetic else f"{args.corpus} (first {args.limit} articles)"
    print(f"{corpus}, {args.repeat} passes: {total} samples inside quanhe.pipeline.process")
    for name, count in counts.most_common():
        print(f"  {name:<16} {100 * count / total:5.1f} %")
    matchers = sum(counts[name] for name in MATCHERS) / total
    print(f"compiled matchers {100 * matchers:.1f} %: with the Python layer free, at most {1 / matchers:.1f}x as fast")


if __name__ == "__main__":
    main()
