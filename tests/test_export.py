"""Exports of a store built from the real samples: the PLOVER record shape, CSV, Parquet, GDELT-like CSV, CLI."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from quanhe.aggregate.stories import update_stories
from quanhe.runner import run_batch
from quanhe.serve import commands
from quanhe.serve.export import QUAD_CLASS, export
from quanhe.store.database import Store

CONVENTION_KEYS = ["id", "type", "mode", "negated", "modality", "source", "target", "date", "date_precision",
                   "date_from", "place", "confidence", "story", "evidence"]
GDELT_COLUMNS = ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate", "Actor1Code", "Actor1Name",
                 "Actor1CountryCode", "Actor1Type1Code", "Actor2Code", "Actor2Name", "Actor2CountryCode",
                 "Actor2Type1Code", "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
                 "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone", "ActionGeo_FullName",
                 "ActionGeo_CountryCode", "DATEADDED", "SOURCEURL"]


@pytest.fixture(scope="module")
def db(tmp_path_factory, samples_dir):
    path = tmp_path_factory.mktemp("export") / "samples.duckdb"
    with Store(path) as store:
        run_batch(store, [samples_dir], None)
        update_stories(store)
    return path


@pytest.fixture
def store(db):
    with Store(db, read_only=True) as opened:
        yield opened


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_events_jsonl_has_the_conventions_shape(store, tmp_path):
    out = tmp_path / "events.jsonl"
    assert export(store, "events", "jsonl", out) == store.count("events") > 0
    records = lines(out)
    texts = {row["id"]: row["text"] for row in store.query("SELECT id, text FROM articles")}
    for record in records:
        assert list(record) == CONVENTION_KEYS
        for side in ("source", "target"):
            assert record[side] is None or list(record[side]) == ["text", "name", "country", "sector"]
        assert record["place"] is None or list(record["place"]) == ["text", "country"]
        evidence = record["evidence"]
        assert list(evidence) == ["article", "sentence", "start", "end", "text"]
        assert texts[evidence["article"]][evidence["start"]:evidence["end"]] == evidence["text"]
        assert record["story"].startswith("s-")
    assert any(r["source"] and r["target"] and (r["source"]["country"], r["target"]["country"]) == ("RUS", "JPN")
               for r in records)
    assert "Nhật Bản" in out.read_text(encoding="utf-8")  # UTF-8, not \u escapes


def test_other_layers_as_jsonl(store, tmp_path):
    for what, keys in [("stories", {"id", "num_mentions", "num_articles", "num_sources", "first_seen"}),
                       ("quotes", {"text", "speaker", "evidence"})]:
        out = tmp_path / f"{what}.jsonl"
        assert export(store, what, "jsonl", out) == store.count(what) > 0
        assert all(keys <= set(record) for record in lines(out))
    out = tmp_path / "assessments.jsonl"
    assert export(store, "assessments", "jsonl", out) == store.count("assessments")


def test_csv_is_flat(store, tmp_path):
    out = tmp_path / "events.csv"
    assert export(store, "events", "csv", out) == store.count("events")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == store.count("events")
    assert {"id", "type", "source_code", "target_code", "story", "article", "start", "end", "evidence"} <= set(rows[0])
    for what in ("stories", "quotes", "assessments"):
        assert export(store, what, "csv", tmp_path / f"{what}.csv") == store.count(what)


def test_parquet_keeps_the_nested_record(store, tmp_path):
    out = tmp_path / "events.parquet"
    assert export(store, "events", "parquet", out) == store.count("events")
    table = pq.read_table(out)
    assert table.column_names == CONVENTION_KEYS
    assert table.schema.field("evidence").type.names == ["article", "sentence", "start", "end", "text"]
    assert table.num_rows == store.count("events")


def test_gdelt_csv(store, tmp_path):
    out = tmp_path / "gdelt.csv"
    rows_written = export(store, "events", "gdelt", out)
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == GDELT_COLUMNS
        rows = list(reader)
    affirmed = store.con.execute("SELECT count(*) FROM events WHERE NOT coalesce(negated, false)").fetchone()[0]
    assert rows_written == len(rows) == affirmed > 0
    roots = store.con.execute("SELECT count(*) FROM stories WHERE NOT negated").fetchone()[0]
    assert sum(int(r["IsRootEvent"]) for r in rows) == roots  # one row per story with IsRootEvent = 1
    for row in rows:
        assert row["EventRootCode"] in QUAD_CLASS
        assert int(row["QuadClass"]) in (1, 2, 3, 4)
        assert int(row["NumMentions"]) >= int(row["NumArticles"]) >= 1
        if row["SQLDATE"]:
            assert len(row["SQLDATE"]) == 8 and row["Year"] == row["SQLDATE"][:4]
    japan = [r for r in rows if (r["Actor1CountryCode"], r["Actor2CountryCode"]) == ("RUS", "JPN")]
    assert japan and all(r["SOURCEURL"] for r in japan)


def test_stdout_export(store, capsys):
    assert export(store, "stories", "jsonl") == store.count("stories")
    assert len(capsys.readouterr().out.splitlines()) == store.count("stories")


@pytest.mark.parametrize("what, fmt, message", [
    ("people", "jsonl", "unknown layer"), ("events", "xml", "unknown format"),
    ("stories", "gdelt", "events only"), ("events", "parquet", "--out"),
])
def test_bad_requests(store, what, fmt, message):
    with pytest.raises(ValueError, match=message):
        export(store, what, fmt)


# ---- the commands -----------------------------------------------------------------------------------------------


@pytest.fixture
def cli():
    app = typer.Typer()
    app.command()(commands.export)
    app.command()(commands.serve)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def test_export_command(cli, db, tmp_path):
    out = tmp_path / "e.parquet"
    result = cli("export", "--db", db, "--format", "parquet", "--out", out)
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).num_rows > 0
    result = cli("export", "--db", db, "--what", "quotes", "--format", "csv")
    assert result.exit_code == 0 and result.stdout.startswith("article,idx,")


@pytest.mark.parametrize("args, message", [
    (["--format", "xml"], "unknown format"), (["--what", "people"], "unknown layer"),
    (["--format", "parquet"], "--out"), (["--out", "/nonexistent/dir/e.jsonl"], "nonexistent"),
])
def test_export_command_errors_are_one_line(cli, db, args, message):
    result = cli("export", "--db", db, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_commands_need_a_store(cli, tmp_path):
    for command in ("export", "serve"):
        result = cli(command, "--db", tmp_path / "missing.duckdb")
        assert result.exit_code == 1 and "no database" in result.stderr
