"""`quanhe check` (issue 9, data integrity): on a store built from the real samples every span reads its stored
text and nothing is orphaned; each kind of damage done with SQL afterwards is reported, one line per problem,
naming the table and the row."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
import typer
from typer.testing import CliRunner

from quanhe.aggregate.stories import update_stories
from quanhe.ingest.records import RawRecord
from quanhe.pipeline import process
from quanhe.runner import run_batch
from quanhe.store.check import check, check_command
from quanhe.store.database import Store


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory, samples_dir):
    """A store holding the five samples (as `quanhe run` leaves it), built once; each test works on a copy."""
    path = tmp_path_factory.mktemp("check") / "samples.duckdb"
    with Store(path) as store:
        summary = run_batch(store, [samples_dir], None, batch_size=2)
        assert summary.added == 5 and not summary.failures
        assert update_stories(store) > 0  # as `quanhe run` does after its batches
    return path


@pytest.fixture
def store(sample_store, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(sample_store, path)
    with Store(path) as opened:
        yield opened


def _one(store: Store, sql: str) -> tuple:
    row = store.con.execute(sql).fetchone()
    assert row is not None, sql
    return row


def _invoke(*args):
    app = typer.Typer()
    app.command()(check_command)
    return CliRunner().invoke(app, [str(a) for a in args])


def test_the_sample_store_is_consistent(store):
    assert store.count("articles") == 5
    assert store.count("events") > 0 and store.count("mentions") > 0 and store.count("assessments") > 0
    assert check(store) == []


def test_check_command_says_ok(sample_store):
    result = _invoke("--db", sample_store)
    assert result.exit_code == 0, result.output
    with Store(sample_store, read_only=True) as store:
        articles, events = store.count("articles"), store.count("events")
    assert result.stdout.strip() == f"ok: {articles} articles, {events} events checked"


def test_a_shifted_mention_span_is_reported(store):
    article_id, idx, start, end, text = _one(store, "SELECT article_id, idx, start_char, end_char, text FROM mentions "
                                                    "ORDER BY article_id, idx LIMIT 1")
    store.con.execute("UPDATE mentions SET start_char = start_char + 1 WHERE article_id = ? AND idx = ?",
                      [article_id, idx])
    problems = check(store)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"mentions {article_id}#{idx}: span [{start + 1}:{end}] reads ")
    assert repr(text) in problems[0]


def test_edited_event_evidence_is_reported(store):
    event_id, article_id = _one(store, "SELECT id, article_id FROM events ORDER BY id LIMIT 1")
    store.con.execute("UPDATE events SET evidence = evidence || ' (edited)' WHERE id = ?", [event_id])
    problems = check(store)
    assert problems == [p for p in problems if p.startswith(f"events {article_id} {event_id}: span [")], problems
    assert len(problems) == 1 and "(edited)" in problems[0]


def test_span_past_the_end_of_the_text_is_reported(store):
    article_id, idx = _one(store, "SELECT article_id, idx FROM quotes ORDER BY article_id, idx LIMIT 1")
    store.con.execute("UPDATE quotes SET end_char = 10000000 WHERE article_id = ? AND idx = ?", [article_id, idx])
    problems = check(store)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"quotes {article_id}#{idx}: span [") and "outside the article text" in problems[0]


def test_assessment_and_time_spans_are_checked(store):
    a_article, a_idx = _one(store, "SELECT article_id, idx FROM assessments ORDER BY article_id, idx LIMIT 1")
    t_article, t_idx = _one(store, "SELECT article_id, idx FROM times ORDER BY article_id, idx LIMIT 1")
    store.con.execute("UPDATE assessments SET evidence = 'x' WHERE article_id = ? AND idx = ?", [a_article, a_idx])
    store.con.execute("UPDATE times SET start_char = end_char + 1 WHERE article_id = ? AND idx = ?",
                      [t_article, t_idx])
    problems = check(store)
    assert any(p.startswith(f"assessments {a_article}#{a_idx}: span [") for p in problems), problems
    assert any(p.startswith(f"times {t_article}#{t_idx}: span [") and "outside" in p for p in problems), problems
    assert len(problems) == 2, problems


def test_an_edited_article_text_breaks_its_spans(store):
    article_id = _one(store, "SELECT article_id FROM events GROUP BY article_id ORDER BY count(*) DESC LIMIT 1")[0]
    store.con.execute("UPDATE articles SET text = 'Tin mới: ' || text WHERE id = ?", [article_id])
    problems = check(store)
    assert problems, "a text shifted by 9 characters must break its spans"
    assert all(article_id in p for p in problems), [p for p in problems if article_id not in p]
    for table in ("mentions", "quotes", "events"):
        assert any(p.startswith(f"{table} {article_id}") for p in problems), table


def test_event_with_a_sentence_out_of_range_is_reported(store):
    event_id, article_id = _one(store, "SELECT id, article_id FROM events ORDER BY id LIMIT 1")
    store.con.execute("UPDATE events SET sentence = 9999 WHERE id = ?", [event_id])
    assert check(store) == [f"events {article_id} {event_id}: sentence 9999 is not a sentence of its article"]


def test_evidence_outside_its_sentence_is_reported(store):
    event_id, article_id, sentence = _one(store, "SELECT id, article_id, sentence FROM events "
                                                 "WHERE sentence > 0 ORDER BY id LIMIT 1")
    store.con.execute("UPDATE events SET sentence = sentence - 1 WHERE id = ?", [event_id])
    problems = check(store)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"events {article_id} {event_id}: evidence [")
    assert f"outside its sentence {sentence - 1}" in problems[0]


def test_orphans_of_a_deleted_article_are_reported(store):
    article_id = _one(store, "SELECT article_id FROM events GROUP BY article_id ORDER BY article_id LIMIT 1")[0]
    counts = {table: _one(store, f"SELECT count(*) FROM {table} WHERE article_id = '{article_id}'")[0]
              for table in ("sentences", "mentions", "events", "article_sources")}
    store.con.execute("DELETE FROM articles WHERE id = ?", [article_id])
    problems = check(store)
    for table, count in counts.items():
        assert f"{table}: {count} row(s) for article {article_id!r}, which is not stored (orphans)" in problems
    assert all("orphans" in p for p in problems), problems


def test_article_without_sentences_is_reported(store):
    article_id = _one(store, "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM events) "
                             "UNION ALL SELECT min(id) FROM articles LIMIT 1")[0]
    store.con.execute("DELETE FROM sentences WHERE article_id = ?", [article_id])
    problems = check(store)
    assert any(p.startswith(f"articles {article_id}: ") and "no sentences" in p for p in problems), problems


def test_event_of_a_missing_story_is_reported(store):
    event_id = _one(store, "SELECT id FROM events WHERE story_id IS NOT NULL ORDER BY id LIMIT 1")[0]
    store.con.execute("UPDATE events SET story_id = 's-0000000000000000' WHERE id = ?", [event_id])
    assert check(store) == ["events: 1 event(s) point at story 's-0000000000000000', which is not stored (orphans)"]


def test_a_numbered_row_stored_twice_is_reported(store):
    article_id, idx = _one(store, "SELECT article_id, idx FROM mentions ORDER BY article_id, idx LIMIT 1")
    store.con.execute("INSERT INTO mentions SELECT * FROM mentions WHERE article_id = ? AND idx = ?", [article_id, idx])
    assert check(store) == [f"mentions {article_id}#{idx}: stored 2 times"]


def test_many_problems_are_listed_up_to_the_limit(store):
    total = store.count("mentions")
    store.con.execute("UPDATE mentions SET text = text || '!'")
    problems = check(store, limit=3)
    assert len(problems) == 4 and problems[-1] == f"… and {total - 3} more like the line above", problems


def test_check_command_reports_problems_and_fails(sample_store, tmp_path):
    path = tmp_path / "broken.duckdb"
    shutil.copy(sample_store, path)
    with Store(path) as store:
        store.con.execute("UPDATE mentions SET end_char = end_char + 2 WHERE idx = 0")
        expected = check(store)
    assert expected
    result = _invoke("--db", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == expected
    assert "problem(s) found" in result.stderr and "Traceback" not in result.output


def test_check_command_on_a_missing_database_is_a_one_line_error(tmp_path):
    result = _invoke("--db", tmp_path / "none.duckdb")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")
    assert "Traceback" not in result.output


def test_offsets_count_code_points_like_python(tmp_path):
    """Combining marks, an emoji outside the BMP and NFD-looking text before the spans: no false alarms."""
    text = ("Tin 😀🇻🇳 nóng: Bộ Ngoại giao Nga ngày 20/2 cho biết Nga phản đối Nhật Bản. "
            "Người phát ngôn Điện Kremlin Dmitry Peskov nói: “Quan hệ Nga - Nhật đã giảm xuống mức không”.")
    doc = process(RawRecord("unicode.txt", text, published=date(2026, 2, 21)))
    assert doc.events and doc.mentions and any(not ch.isascii() for ch in doc.text[: doc.mentions[0].start])
    with Store(tmp_path / "unicode.duckdb") as store:
        store.add([doc])
        assert check(store) == []
