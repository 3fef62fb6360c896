"""The Parquet engines (issue 8): the local and the Ray engine write the same tables, and `quanhe load` turns
them into the same store as `quanhe run`.

The inputs are the samples plus a JSONL dump (dated articles, a malformed line), a Parquet file with two row
groups, a near-copy of sample 000 and a missing path, so every kind of piece and ingest error is exercised.
The Ray tests start a local two-CPU cluster with tasks small enough that the dump is cut into line ranges and
the work spreads over several tasks; they are skipped when Ray is not installed (`pip install -e '.[test,ray]'`).
"""

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from quanhe.aggregate.stories import update_stories
from quanhe.engines.commands import export_run, load
from quanhe.engines.load import load_parquet
from quanhe.engines.local import run_local
from quanhe.engines.shards import plan, read_piece, split
from quanhe.runner import run_batch
from quanhe.store.database import Store
from quanhe.store.rows import TABLES, document_rows, table_schemas

DUMP = [
    {"text": "Nga cảnh báo Mỹ về nguy cơ thảm họa hạt nhân nếu Washington triển khai tên lửa ở châu Âu.",
     "date": "2024-12-19", "url": "https://a.vn/1"},
    {"text": "Ông Putin nói cuộc gặp Nga-Mỹ đầu tiên thắp lên hy vọng cho quan hệ hai nước.", "date": "2025-02-20"},
    '{"text": "Nga cáo buộc Ukraine',
    {"text": "Trung Quốc và Việt Nam ký kết thỏa thuận hợp tác thương mại tại Hà Nội.", "date": "2025-03-02"},
    {"text": "Bộ Ngoại giao Nhật Bản phản đối việc Nga tập trận trên quần đảo Kuril."},
]
PARQUET_ROWS = [
    [{"title": "Hàn Quốc", "text": "Hàn Quốc kêu gọi Triều Tiên quay lại bàn đàm phán.", "date": "2025-01-05"}],
    [{"title": None, "text": "", "date": None},
     {"title": "Pháp", "text": "Pháp viện trợ quân sự cho Ukraine trị giá 2 tỷ euro.", "date": "2025-01-06"}],
]
EDITS_000 = [  # a syndicating site's light edits, and a later date, so the sample stays the original
    ("date 2026-02-21", "date 2026-02-22"),
    ("đã “giảm xuống mức không”", "đã “xuống mức không”"),
    ("Theo đài RT, ông Peskov khẳng định", "Theo kênh RT, ông Peskov khẳng định"),
    ("Đáp lại, ông Peskov cho rằng", "Đáp lại, người phát ngôn Peskov cho rằng"),
]
STORE_TABLES = {"articles": "EXCLUDE (ingested_at)", "article_sources": "EXCLUDE (seen_at)",
                "stories": "EXCLUDE (first_seen, last_seen)", **{table: "" for table in TABLES[1:]}}


@pytest.fixture(scope="module")
def text_inputs(tmp_path_factory, samples_dir, sample_path) -> list[Path]:
    """The samples, and a folder with the dump and the near-copy: inputs `quanhe run` reads too."""
    folder = tmp_path_factory.mktemp("inputs")
    lines = [line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in DUMP]
    (folder / "dump.jsonl").write_text("\n".join(lines[:2] + [""] + lines[2:]) + "\n", encoding="utf-8")
    copy = sample_path("000").read_text(encoding="utf-8")
    for old, new in EDITS_000:
        assert old in copy, old
        copy = copy.replace(old, new, 1)
    (folder / "copy_000.txt").write_text(copy, encoding="utf-8")
    return [samples_dir, folder]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, text_inputs) -> list[Path]:
    """Those, a Parquet file (only the engines read Parquet) and a missing path."""
    folder = tmp_path_factory.mktemp("parquet_inputs")
    with pq.ParquetWriter(folder / "dump.parquet", pa.schema({"title": pa.string(), "text": pa.string(),
                                                             "date": pa.string()})) as writer:
        for rows in PARQUET_ROWS:
            writer.write_table(pa.Table.from_pylist(rows, schema=writer.schema))
    return [*text_inputs, folder, folder / "no-such-file.txt"]


@pytest.fixture(scope="module")
def local_out(tmp_path_factory, inputs):
    out = tmp_path_factory.mktemp("local") / "out"
    return out, run_local(inputs, out)


@pytest.fixture(scope="module")
def local_workers_out(tmp_path_factory, inputs):
    out = tmp_path_factory.mktemp("local_workers") / "out"
    return out, run_local(inputs, out, workers=2, shard_bytes=8_000)


@pytest.fixture(scope="module")
def ray_out(tmp_path_factory, inputs):
    pytest.importorskip("ray")
    from quanhe.engines.ray_engine import run_ray

    out = tmp_path_factory.mktemp("ray") / "out"
    return out, run_ray(inputs, out, num_cpus=2, shard_bytes=8_000)


def parquet_table(out: Path, table: str) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(f"SELECT * FROM read_parquet('{out}/{table}/**/*.parquet', hive_partitioning = true) "
                           "ORDER BY ALL").fetchall()


def store_tables(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {table: con.execute(f"SELECT * {exclude} FROM {table} ORDER BY ALL").fetchall()
                for table, exclude in STORE_TABLES.items()}


def failures(summary) -> list[tuple[str, str]]:
    return sorted((f.source, f.reason) for f in summary.failures)


# ---- rows and shards -------------------------------------------------------------------------------------------


def test_document_rows_have_exactly_the_store_columns(sample_docs):
    rows = document_rows(sample_docs["001"], b"\0" * 8)
    assert set(rows) == set(TABLES)
    for table, schema in table_schemas().items():
        assert rows[table], table
        assert list(rows[table][0]) == schema.names, table


def test_split_jsonl_line_ranges_read_the_same_records_as_the_whole_file(inputs):
    whole, _ = plan([inputs[1] / "dump.jsonl"])
    pieces = split(whole, 100)
    assert len(pieces) > 2 and {piece.kind for piece in pieces} == {"lines"}

    def read(pieces):
        return [(item.source, getattr(item, "text", None)) for piece in pieces for item in read_piece(piece)]

    assert read(pieces) == read(whole)
    assert [source.rsplit(":", 1)[1] for source, _ in read(whole)] == ["1", "2", "4", "5", "6"]


def test_local_engine_reports_every_ingest_error(local_out, inputs):
    _, summary = local_out
    sources = [source for source, _ in failures(summary)]
    assert sources == sorted([f"{inputs[1]}/dump.jsonl:4", f"{inputs[2]}/dump.parquet:2", str(inputs[3])])
    assert summary.articles == 5 + 1 + 4 + 2  # samples, the copy, the dump, the Parquet rows


def test_no_ray_import_on_the_local_path():
    code = ("import sys, quanhe.engines.local, quanhe.engines.load, quanhe.engines.commands, quanhe.cli; "
            "assert 'ray' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_article_the_pipeline_fails_on_is_reported_and_the_run_goes_on(tmp_path, samples_dir, monkeypatch):
    import quanhe.engines

    def process(record, default_date=None):
        if "/002_" in record.source:
            raise KeyError(3)
        return real_process(record, default_date)

    real_process = quanhe.engines.process
    monkeypatch.setattr(quanhe.engines, "process", process)
    summary = run_local([samples_dir], tmp_path / "out")
    assert summary.articles == 4
    reported = [(Path(f.source).name[:4], f.reason) for f in summary.failures]
    assert reported == [("002_", "analysis failed (KeyError: 3)")]


# ---- load: the same store as quanhe run ------------------------------------------------------------------------


def test_loaded_parquet_is_the_store_quanhe_run_builds(tmp_path, text_inputs):
    out = tmp_path / "out"
    run_local(text_inputs, out)
    with Store(tmp_path / "run.duckdb") as store:
        run_batch(store, text_inputs, None)
        update_stories(store)
    with Store(tmp_path / "load.duckdb") as store:
        first = load_parquet(store, out)
        load_twice = load_parquet(store, out)
    assert (first.articles, first.near_duplicates, first.already_stored) == (9, 1, 0)
    assert (load_twice.articles, load_twice.events) == (0, 0)
    assert store_tables(tmp_path / "load.duckdb") == store_tables(tmp_path / "run.duckdb")


def test_an_article_read_from_two_files_is_loaded_once(tmp_path, sample_path, sample_docs):
    """Both copies' rows are in the Parquet; the store keeps one of each (its numbered tables have no key to do
    it) and links both sources."""
    from quanhe.store.check import check

    folder = tmp_path / "inputs"
    folder.mkdir()
    for name in ("first.txt", "second.txt"):
        (folder / name).write_text(sample_path("002").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    run_local([folder], out)
    assert len(parquet_table(out, "sentences")) == 2 * len(sample_docs["002"].sentences)
    with Store(tmp_path / "load.duckdb") as store:
        result = load_parquet(store, out)
        assert (result.articles, result.already_stored) == (1, 0)
        assert store.count("sentences") == len(sample_docs["002"].sentences)
        assert store.count("mentions") == len(sample_docs["002"].mentions)
        assert store.count("article_sources") == 2
        assert check(store) == []


# ---- the Ray engine ----------------------------------------------------------------------------------------------


def test_ray_spreads_the_work_over_several_tasks(ray_out):
    out, _ = ray_out
    tasks = {path.name.split("-")[1] for path in (out / "articles").rglob("*.parquet")}
    assert len(tasks) >= 3


@pytest.mark.parametrize("table", TABLES)
def test_ray_tables_equal_the_local_engine_tables(local_out, ray_out, table):
    local_rows = parquet_table(local_out[0], table)
    assert local_rows
    assert parquet_table(ray_out[0], table) == local_rows


def test_ray_reports_the_same_counts_and_errors(local_out, ray_out):
    local, ray = local_out[1], ray_out[1]
    assert failures(ray) == failures(local)
    assert (ray.articles, ray.events, ray.quotes, ray.assessments) == \
        (local.articles, local.events, local.quotes, local.assessments)


def test_local_workers_spread_the_tasks_and_write_the_one_process_tables(local_out, local_workers_out):
    out, summary = local_workers_out
    assert len({path.name.split("-")[1] for path in (out / "articles").rglob("*.parquet")}) >= 3
    for table in TABLES:
        assert parquet_table(out, table) == parquet_table(local_out[0], table), table
    local = local_out[1]
    assert failures(summary) == failures(local)
    assert (summary.articles, summary.events, summary.quotes, summary.assessments) == \
        (local.articles, local.events, local.quotes, local.assessments)


def test_load_ray_output_then_quanhe_events(tmp_path, ray_out, run_cli):
    out, _ = ray_out
    db = tmp_path / "ray.duckdb"
    app = typer.Typer()
    app.command(name="run")(export_run)
    app.command()(load)
    loaded = CliRunner().invoke(app, ["load", str(out), "--db", str(db)])
    assert loaded.exit_code == 0, loaded.output
    assert "loaded 11 article(s)" in loaded.output

    listed = run_cli("events", "--db", db, columns=1000)
    assert listed.returncode == 0, listed.stderr
    rows = [line for line in listed.stdout.splitlines() if " a-" in line]
    # every event of the stored (not near-copy) articles is listed; how many there are is the coders' business
    # (tests/floors.toml), so only require that the samples gave some
    assert len(rows) == len(parquet_table(out, "events")) - len(near_copy_events(out)) > 0


def near_copy_events(out: Path) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(f"SELECT e.id FROM read_parquet('{out}/events/**/*.parquet') e "
                           f"JOIN read_parquet('{out}/articles/**/*.parquet') a ON a.id = e.article_id "
                           "WHERE a.source LIKE '%copy_000.txt'").fetchall()


def test_run_out_refuses_a_used_folder_and_an_unknown_engine(tmp_path, local_out, samples_dir):
    app = typer.Typer()
    app.command(name="run")(export_run)
    app.command()(load)
    used = CliRunner().invoke(app, ["run", str(samples_dir), "--out", str(local_out[0])])
    assert used.exit_code == 1 and "not an empty folder" in used.output
    unknown = CliRunner().invoke(app, ["run", str(samples_dir), "--out", str(tmp_path / "x"), "--engine", "spark"])
    assert unknown.exit_code == 1 and "unknown engine" in unknown.output
