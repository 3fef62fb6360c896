"""Crash safety (issue 9): a real `quanhe run` killed with SIGKILL in the middle of a large batch loses nothing it
committed, leaves a readable and consistent database, and a re-run resumes without duplicates, ending exactly
where a clean single run ends. Two `quanhe run` processes on one database: the second fails at once with a
one-line message and the first finishes undisturbed.

The batch is 600 synthetic articles (one JSONL file) made from the paragraphs of the real samples in
`../shared/samples/vi` ($QUANHE_SHARED overrides `../shared`), each a different selection, so no two are
near-duplicates and every batch of 50 stores exactly 50 articles.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quanhe.store.check import check
from quanhe.store.database import Store

ARTICLES = 600
BATCH = 50
TABLES = ("articles", "sentences", "mentions", "times", "quotes", "events", "assessments", "article_sources",
          "stories")
RUN_TIMEOUT = 300


def _samples_dir() -> Path:
    shared = Path(os.environ.get("QUANHE_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
    return shared / "samples" / "vi"


@pytest.fixture(scope="module")
def batch_file(tmp_path_factory) -> Path:
    samples = _samples_dir()
    paragraphs = []
    for path in sorted(samples.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("date "):
            text = text.split("\n", 1)[1]
        paragraphs += [line.strip() for line in text.splitlines() if len(line.strip()) > 40]
    if len(paragraphs) < 20:
        pytest.skip(f"no sample articles at {samples}")
    rng = random.Random(9)
    path = tmp_path_factory.mktemp("crash") / "batch.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(ARTICLES):
            title = f"Bản tin số {i + 1}: " + rng.choice(paragraphs)[:80].rsplit(" ", 1)[0]
            body = rng.sample(paragraphs, 2)
            footer = f"Cập nhật lúc {i % 24} giờ {i % 60} phút, mã tin {i * 7919 % 100003}."
            record = {"text": "\n\n".join([title, *body, footer]), "url": f"https://tin.example/{i + 1}",
                      "date": f"2026-0{1 + i % 2}-{1 + i % 28:02d}"}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _command() -> list[str]:
    script = Path(sys.executable).with_name("quanhe")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from quanhe.cli import main; main()"]


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in {"COLUMNS", "LINES", "FORCE_COLOR", "TERM_PROGRAM"}}
    env.update({"NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"})
    return env


def _run_args(batch_file: Path, db: Path) -> list[str]:
    return [*_command(), "run", str(batch_file), "--db", str(db), "--batch-size", str(BATCH)]


def _start(batch_file: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(_run_args(batch_file, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", env=_env())


def _run(batch_file: Path, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(_run_args(batch_file, db), capture_output=True, text=True, encoding="utf-8", env=_env(),
                          timeout=RUN_TIMEOUT)


def _wal(db: Path) -> Path:
    return db.with_name(db.name + ".wal")


def _wait_for_first_commit(process: subprocess.Popen, db: Path, timeout: float = 120) -> None:
    """DuckDB appends each committed transaction to `<db>.wal`; the store was created (and checkpointed) before
    the run started, so a WAL with content means the run has committed its first batch."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"quanhe run ended (rc {process.returncode}) before it was interrupted:\n{out}\n{err}")
        wal = _wal(db)
        if wal.exists() and wal.stat().st_size > 0:
            return
        time.sleep(0.01)
    process.kill()
    pytest.fail("quanhe run committed nothing within the time limit")


def _fresh_store(db: Path) -> None:
    Store(db).close()
    assert not _wal(db).exists() or _wal(db).stat().st_size == 0


def _snapshot(db: Path) -> dict:
    """What a run leaves behind: row counts, the stored articles and every place each was seen, the stories."""
    with Store(db, read_only=True) as store:
        return {
            "counts": {table: store.count(table) for table in TABLES},
            "articles": sorted(store.con.execute("SELECT id, source FROM articles").fetchall()),
            "sources": sorted(store.con.execute("SELECT article_id, source, relation FROM article_sources").fetchall()),
            "events": sorted(store.con.execute("SELECT id, article_id, story_id FROM events").fetchall(),
                             key=lambda row: row[0]),
            "stories": sorted(store.con.execute("SELECT id, num_mentions FROM stories").fetchall()),
        }


@pytest.fixture(scope="module")
def reference(batch_file, tmp_path_factory) -> dict:
    """A clean single `quanhe run` over the whole batch."""
    db = tmp_path_factory.mktemp("reference") / "reference.duckdb"
    result = _run(batch_file, db)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"{ARTICLES} article(s) read" in result.stdout and f"{ARTICLES} new" in result.stdout, result.stdout
    snapshot = _snapshot(db)
    assert snapshot["counts"]["articles"] == ARTICLES
    assert snapshot["counts"]["events"] > ARTICLES and snapshot["counts"]["stories"] > 0
    snapshot["db"] = db
    return snapshot


def _per_article_rows(db: Path, article_ids: list[str]) -> dict:
    with Store(db, read_only=True) as store:
        return {table: sorted(store.con.execute(
                    f"SELECT article_id, count(*) FROM {table} WHERE article_id IN (SELECT unnest(?::VARCHAR[])) "
                    "GROUP BY article_id", [article_ids]).fetchall())
                for table in ("sentences", "mentions", "times", "quotes", "events", "assessments")}


def test_sigkill_mid_run_keeps_whole_batches_and_the_rerun_resumes(batch_file, reference, tmp_path):
    db = tmp_path / "killed.duckdb"
    _fresh_store(db)
    process = _start(batch_file, db)
    _wait_for_first_commit(process, db)
    time.sleep(0.3)  # the first commit is written in milliseconds; the kill lands in a later batch, or its commit
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the run finished before it was killed: make the batch larger"

    # The database opens, read-only and read-write, and is consistent: every committed article is whole.
    with Store(db, read_only=True) as store:
        assert check(store) == []
        stored = store.count("articles")
        sources = {row[0] for row in store.con.execute("SELECT source FROM articles").fetchall()}
        article_ids = [row[0] for row in store.con.execute("SELECT id FROM articles").fetchall()]
    assert 0 < stored < ARTICLES, stored
    assert stored % BATCH == 0, f"{stored} articles stored: a batch was committed in part"
    assert sources == {f"{batch_file}:{line}" for line in range(1, stored + 1)}, "committed batches are the first ones"
    assert _per_article_rows(db, article_ids) == _per_article_rows(reference["db"], article_ids)

    # Re-running resumes: the committed articles are recognised, the rest is added, nothing twice.
    result = _run(batch_file, db)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"{ARTICLES - stored} new, {stored} already stored" in result.stdout, result.stdout
    _assert_same_as_clean_run(db, reference)


def _assert_same_as_clean_run(db: Path, reference: dict) -> None:
    """The store holds what an uninterrupted run stored (counts, articles, sources, events, stories) and passes
    `quanhe check`."""
    after = _snapshot(db)
    assert after["counts"] == reference["counts"]
    for key in ("articles", "sources", "events", "stories"):
        assert after[key] == reference[key], key
    with Store(db, read_only=True) as store:
        assert check(store) == []

def test_a_second_run_on_the_same_database_fails_cleanly(batch_file, reference, tmp_path):
    db = tmp_path / "shared.duckdb"
    _fresh_store(db)
    # The first run reads the file twice (the second pass finds every article stored), so it holds the database
    # long after the others have started, even on a slow machine.
    first = subprocess.Popen([*_run_args(batch_file, db), str(batch_file)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, encoding="utf-8", env=_env())
    try:
        _wait_for_first_commit(first, db)
        others = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                   env=_env())
                  for args in (_run_args(batch_file, db), [*_command(), "articles", "--db", str(db)])]
        outputs = [other.communicate(timeout=RUN_TIMEOUT) for other in others]
        results = [(other.returncode, other_out, other_err) for other, (other_out, other_err) in zip(others, outputs)]
        assert first.poll() is None, "the first run finished before the others tried the database"
    finally:
        out, err = first.communicate(timeout=RUN_TIMEOUT)
    for returncode, other_out, other_err in results:
        said = f"rc {returncode}\nstdout: {other_out[-1500:]}\nstderr: {other_err[-1500:]}"
        assert returncode != 0, said
        assert other_out == "", said
        lines = other_err.strip().splitlines()
        assert len(lines) == 1, said
        assert lines[0].startswith("error: ") and str(db) in lines[0] and "in use" in lines[0], said
    assert first.returncode == 0, err[-3000:]
    assert f"{2 * ARTICLES} article(s) read" in out and f"{ARTICLES} new, {ARTICLES} already stored" in out, out
    _assert_same_as_clean_run(db, reference)


def test_rerun_after_a_kill_between_the_last_commit_and_the_stories_rebuilds_them(batch_file, reference,
                                                                                   tmp_path):
    """Stories are rebuilt after the batches; a kill in between leaves every article stored but no stories. The
    re-run adds no article, and must still bring the stories up to date."""
    db = tmp_path / "no-stories.duckdb"
    shutil.copy(reference["db"], db)
    with Store(db) as store:
        store.con.execute("DELETE FROM stories")
        store.con.execute("UPDATE events SET story_id = NULL")
    result = _run(batch_file, db)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"0 new, {ARTICLES} already stored" in result.stdout, result.stdout
    after = _snapshot(db)
    assert after["counts"] == reference["counts"]
    assert after["stories"] == reference["stories"]
    assert after["events"] == reference["events"]
