"""The `quanhe` command line (issue 2), run as a user runs it: the installed script in a subprocess, output to pipes.

Each store is built once per module; every command's stderr is checked for tracebacks.
"""

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from quanhe.cli import app
from quanhe.store.database import Store

REPO_ROOT = Path(__file__).resolve().parents[1]
ARTICLE_ID = re.compile(r"\ba-[0-9a-f]{16}\b")
SENTENCE_LINE = re.compile(r"^\[\s*(\d+)\](?: \[(\w+)\])? (.+)$")

UNDATED = ("Nga và Nhật Bản đình chỉ đàm phán hiệp ước hòa bình\n"
           "Người phát ngôn Điện Kremlin Dmitry Peskov cho biết quan hệ giữa Moskva và Tokyo đã giảm xuống mức "
           "không.\n")
DATED = ("date 2025-01-14\nThứ trưởng Ngoại giao Nga Sergei Ryabkov cho biết mối quan hệ giữa Nga và Mỹ gần như "
         "bằng 0.\n")


def invoke(*args):
    """The CLI in-process (fast; for checks that do not depend on how a real process prints). An unexpected
    exception fails the test with its traceback."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def no_traceback(result) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


# ---- every subprocess, started once per module --------------------------------------------------------------------


def write_batch_inputs(folder: Path, make_bad_inputs) -> dict:
    """Two good files (one dated by its header), a JSONL dump with a malformed line, and every kind of bad file."""
    paths = {kind: path for kind, (path, _) in make_bad_inputs(folder / "bad").items()}
    paths["undated"] = folder / "undated.txt"
    paths["undated"].write_text(UNDATED, encoding="utf-8")
    paths["dated"] = folder / "dated.txt"
    paths["dated"].write_text(DATED, encoding="utf-8")
    paths["dump"] = folder / "dump.jsonl"
    paths["dump"].write_text("\n".join([
        json.dumps({"text": "Ông Putin nói cuộc gặp Nga-Mỹ đầu tiên thắp lên hy vọng.", "url": "https://a.vn/1"},
                   ensure_ascii=False),
        '{"text": "Nga cảnh báo Mỹ về nguy cơ',
        json.dumps({"text": "Nga cảnh báo Mỹ về nguy cơ thảm họa hạt nhân.", "date": "2024-12-19"}, ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def cli(tmp_path_factory, samples_dir, sample_path, sample_docs, make_bad_inputs, run_cli):
    """Every `quanhe` subprocess of this module, independent ones side by side:

    1. `run` over the samples into a fresh store | `run --date 2024-05-01` over the bad batch | `extract --json`
    2. `run` over the samples again, same store
    3. `articles` | `show <prefix of 001>` on that store
    """
    folder = tmp_path_factory.mktemp("cli")
    db = folder / "samples.duckdb"
    batch = write_batch_inputs(folder / "batch", make_bad_inputs)
    batch_db = folder / "batch.duckdb"
    relative_001 = os.path.relpath(sample_path("001"), REPO_ROOT)  # ../shared/samples/vi/001_….txt
    batch_args = [batch[k] for k in ("undated", "missing", "empty", "dated", "binary", "encoding", "huge", "dump")]
    results = {"db": db, "batch_db": batch_db, "batch": batch}
    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(run_cli, "run", samples_dir, "--db", db)
        bad = pool.submit(run_cli, "run", *batch_args, "--date", "2024-05-01", "--db", batch_db)
        extract = pool.submit(run_cli, "extract", relative_001, "--json", cwd=REPO_ROOT)
        results["first"] = first.result()
        results["second"] = run_cli("run", samples_dir, "--db", db)
        articles = pool.submit(run_cli, "articles", "--db", db, columns=300)
        show = pool.submit(run_cli, "show", sample_docs["001"].article.id[:8], "--db", db)
        results.update(bad=bad.result(), extract=extract.result(), articles=articles.result(), show=show.result())
    return results


# ---- the samples, run twice --------------------------------------------------------------------------------------


def test_first_run_stores_the_five_samples(cli):
    first = cli["first"]
    no_traceback(first)
    assert first.returncode == 0, first.stderr
    assert "5 article(s) read" in first.stdout
    assert "5 new, 0 already stored" in first.stdout
    assert "0 failed" in first.stdout
    assert len(set(ARTICLE_ID.findall(first.stdout))) == 5


def test_second_run_adds_nothing(cli):
    db, second = cli["db"], cli["second"]
    no_traceback(second)
    assert second.returncode == 0, second.stderr
    assert "0 new, 5 already stored" in second.stdout
    with Store(db, read_only=True) as store:
        assert store.count("articles") == 5


def article_rows(listing) -> dict[str, str]:
    """Article id -> its table row."""
    rows = {}
    for line in listing.stdout.splitlines():
        found = ARTICLE_ID.search(line)
        if found:
            assert found.group() not in rows, f"{found.group()} listed twice"
            rows[found.group()] = line
    return rows


def test_articles_lists_five_rows(cli, sample_docs):
    articles_listing = cli["articles"]
    no_traceback(articles_listing)
    assert articles_listing.returncode == 0, articles_listing.stderr
    rows = article_rows(articles_listing)
    assert len(rows) == 5
    assert set(rows) == {doc.article.id for doc in sample_docs.values()}


@pytest.mark.parametrize(
    ("number", "title", "published"),
    [
        ("000", None, "2026-02-21"),
        ("001", "Quan chức Moscow: Quan hệ Nga – Mỹ gần bằng 0", None),
        ("002", "Nga tiết lộ khả năng đàm phán giữa hai Tổng thống Nga-Mỹ", None),
        ("003", "Đàm phán không đột phá, Nga đổ lỗi cho Mỹ", None),
        ("004", "Ông Putin nói cuộc gặp Nga-Mỹ đầu tiên thắp lên hy vọng", None),
    ],
)
def test_articles_rows_have_titles_and_dates(cli, sample_docs, number, title, published):
    row = article_rows(cli["articles"])[sample_docs[number].article.id]
    if title:
        assert title in row
    if published:
        assert published in row
    else:
        assert not re.search(r"\d{4}-\d{2}-\d{2}", row)


def test_show_prints_numbered_sentences(cli, sample_docs):
    doc = sample_docs["001"]
    result = cli["show"]
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert doc.article.id in result.stdout
    assert "title: Quan chức Moscow: Quan hệ Nga – Mỹ gần bằng 0" in result.stdout
    numbered = [SENTENCE_LINE.match(line) for line in result.stdout.splitlines()]
    numbered = [m for m in numbered if m]
    assert [int(m.group(1)) for m in numbered] == list(range(len(doc.sentences)))
    assert [m.group(3) for m in numbered] == [doc.text[s.start:s.end] for s in doc.sentences]
    assert numbered[0].group(2) == "title"
    assert "caption" in {m.group(2) for m in numbered}
    assert "đán.h" not in result.stdout and "đánh giá" in result.stdout


def test_show_unknown_article_is_an_error(cli):
    result = invoke("show", "a-ffffffffffff", "--db", cli["db"])
    assert result.exit_code != 0
    assert result.stderr.startswith("error: ") and "a-ffffffffffff" in result.stderr


# ---- extract ---------------------------------------------------------------------------------------------------------


def test_extract_json(cli):
    result = cli["extract"]  # `quanhe extract ../shared/samples/vi/001_….txt --json` from the repository root
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    article = payload["article"]
    assert article["title"] == "Quan chức Moscow: Quan hệ Nga – Mỹ gần bằng 0"
    for gone in ("Video đang HOT", "đán.h", "ch.ỉ", "đ.e dọ.a"):
        assert gone not in article["text"]
    assert "đánh giá" in article["text"] and "đán.h" in article["raw_text"]
    assert payload["sentences"] and all(article["text"][s["start"]:s["end"]] for s in payload["sentences"])


def test_extract_bad_file_is_an_error(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = invoke("extract", empty, "--json")
    assert result.exit_code != 0
    assert result.stdout == ""
    assert " ".join(result.stderr.split()) == f"error: {empty}: empty file"


# ---- --help ----------------------------------------------------------------------------------------------------------

COMMANDS = sorted(typer.main.get_command(app).commands)


def test_every_command_is_known():
    assert {"run", "articles", "show", "extract"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_for_every_command(command):
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output and command in result.output


def test_top_level_help():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.stdout


# ---- bad input and --date --------------------------------------------------------------------------------------------


def test_bad_inputs_do_not_stop_the_batch(cli):
    db, result = cli["batch_db"], cli["bad"]
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "4 article(s) read" in result.stdout
    assert "4 new" in result.stdout
    assert "6 failed" in result.stdout
    with Store(db, read_only=True) as store:
        assert store.count("articles") == 4


def test_each_failure_is_one_stderr_line_naming_the_file_and_reason(cli):
    result, bad, dump = cli["bad"], cli["batch"], cli["batch"]["dump"]
    lines = error_lines(result)
    expected = {
        str(bad["missing"]): "no such file or folder",
        str(bad["empty"]): "empty file",
        str(bad["binary"]): "binary",
        str(bad["encoding"]): "UTF-8",
        str(bad["huge"]): "too large",
        f"{dump}:2": "malformed JSON",
    }
    assert len(lines) == len(expected), lines
    for source, reason in expected.items():
        matching = [line for line in lines if line.startswith(f"error: {source}: ")]
        assert len(matching) == 1, (source, lines)
        assert reason in matching[0]


def test_summary_says_why_they_failed(cli):
    result = cli["bad"]
    for reason in ("no such file or folder", "empty file", "binary data", "too large", "malformed JSON",
                   "no legacy encoding"):
        assert re.search(rf"failed \(1\): .*{re.escape(reason)}", result.stdout), reason


def test_date_option_fills_missing_dates_only(cli):
    dump, undated, dated = cli["batch"]["dump"], cli["batch"]["undated"], cli["batch"]["dated"]
    with Store(cli["batch_db"], read_only=True) as store:
        published = {row["source"]: row["published"] for row in store.articles()}
    assert published == {
        str(undated): date(2024, 5, 1),
        str(dated): date(2025, 1, 14),
        f"{dump}:1": date(2024, 5, 1),
        f"{dump}:3": date(2024, 12, 19),
    }


def test_nothing_ingested_is_a_failure(tmp_path, make_bad_inputs):
    bad = make_bad_inputs(tmp_path / "bad")
    result = invoke("run", bad["missing"][0], bad["empty"][0], bad["binary"][0], "--db", tmp_path / "x.duckdb")
    assert result.exit_code != 0
    assert "3 failed" in result.stdout
    assert result.stderr.count("error: ") == 3


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["run", "README.md", "--date", "21/02/2026", "--db", "{tmp}/x.duckdb"], ["--date", "21/02/2026"]),
        (["articles", "--db", "{tmp}/none.duckdb"], ["none.duckdb"]),
        (["run", "README.md", "--db", "{tmp}/sub/that/does/not/exist/x.duckdb"], ["x.duckdb"]),
        (["run", "README.md", "--db", "{tmp}/x.duckdb", "--db-memory", "lots"], ["memory limit", "'lots'", "1GB"]),
        (["run", "../shared/samples/vi", "--db", "{tmp}/x.duckdb", "--db-memory", "1MB"],
         ["x.duckdb", "Out of Memory", "--db-memory"]),
    ],
    ids=["bad-date", "no-database", "db-in-missing-folder", "bad-db-memory", "db-memory-too-small"],
)
def test_user_errors_are_short_messages_not_tracebacks(tmp_path, args, words):
    result = invoke(*[arg.replace("{tmp}", str(tmp_path)) for arg in args])
    assert result.exit_code != 0
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("error: ") == 1
    for word in words:
        assert word in " ".join(result.stderr.split())
