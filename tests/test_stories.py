"""Stories and dyad series: hand-built events for each clustering and scoring rule, then the real samples."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest

from quanhe.aggregate.series import GOLDSTEIN, dyad_series, dyads, latest_assessments, undated_stories
from quanhe.aggregate.stories import update_stories
from quanhe.model import PLOVER_TYPES
from quanhe.runner import run_batch
from quanhe.store.database import Store

DAY = date(2026, 2, 20)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "stories.duckdb") as opened:
        yield opened


def add_event(store, event_id, article, type_="CONSULT", src="RUS", tgt="USA", day=DAY, trigger="hội đàm",
              evidence="Nga và Mỹ hội đàm tại Riyadh về Ukraine", negated=False, mode=None):
    store.con.execute(
        "INSERT INTO events (id, article_id, type, mode, negated, source_code, target_code, event_day, date, "
        "trigger, evidence, start_char, end_char, sentence, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "0, ?, 0, 0.9)",
        [event_id, article, type_, mode, negated, src, tgt, day, day.isoformat() if day else None, trigger,
         evidence, len(evidence)])


def add_source(store, article, source, url=None):
    store.con.execute("INSERT INTO article_sources (article_id, source, url, relation, similarity) "
                      "VALUES (?, ?, ?, 'original', 1.0)", [article, source, url])


def story_of(store, event_id):
    return store.con.execute("SELECT story_id FROM events WHERE id = ?", [event_id]).fetchone()[0]


def story(store, story_id):
    return store.query("SELECT * FROM stories WHERE id = ?", [story_id])[0]


# ---- clustering rules -----------------------------------------------------------------------------------------


def test_one_event_reported_by_two_outlets_is_one_story(store):
    add_event(store, "e-1", "a-1", evidence="Nga và Mỹ hội đàm tại Riyadh về Ukraine")
    add_event(store, "e-2", "a-2", day=DAY + timedelta(days=1), evidence="Mỹ và Nga đã hội đàm ở Riyadh hôm qua")
    add_source(store, "a-1", "feed.jsonl:1", "https://vnexpress.net/a")
    add_source(store, "a-2", "feed.jsonl:2", "https://tuoitre.vn/b")
    add_source(store, "a-2", "feed.jsonl:3", "https://tuoitre.vn/c")  # a copy on the same outlet

    assert update_stories(store) == 1
    row = story(store, story_of(store, "e-1"))
    assert story_of(store, "e-2") == row["id"]
    assert row["id"] == "s-" + hashlib.md5(b"e-1").hexdigest()[:16]  # from the earliest mention
    assert (row["num_mentions"], row["num_articles"], row["num_sources"]) == (2, 2, 2)
    assert (row["first_day"], row["last_day"]) == (DAY, DAY + timedelta(days=1))
    assert (row["type"], row["source_code"], row["target_code"], row["negated"]) == ("CONSULT", "RUS", "USA", False)
    assert row["evidence"] == "Nga và Mỹ hội đàm tại Riyadh về Ukraine"
    assert row["first_seen"] is not None and row["last_seen"] >= row["first_seen"]


@pytest.mark.parametrize("change", [
    {"type_": "ACCUSE"}, {"src": "USA", "tgt": "RUS"}, {"negated": True}, {"day": DAY + timedelta(days=8)},
    {"trigger": "điện đàm", "evidence": "Tổng thống Trump điện đàm với ông Putin"},
])
def test_what_keeps_two_events_apart(store, change):
    add_event(store, "e-1", "a-1")
    add_event(store, "e-2", "a-2", **change)
    assert update_stories(store) == 2
    assert story_of(store, "e-1") != story_of(store, "e-2")


def test_similar_evidence_links_different_triggers(store):
    add_event(store, "e-1", "a-1", trigger="hội đàm", evidence="Nga và Mỹ hội đàm tại Riyadh về Ukraine")
    add_event(store, "e-2", "a-2", trigger="đàm phán", evidence="Nga và Mỹ đàm phán tại Riyadh về Ukraine")
    assert update_stories(store) == 1


def test_links_are_transitive_within_the_window(store):
    add_event(store, "e-1", "a-1", trigger="hội đàm", evidence="Nga và Mỹ hội đàm tại Riyadh về Ukraine")
    add_event(store, "e-2", "a-2", trigger="gặp", evidence="Lavrov gặp Rubio")
    add_event(store, "e-3", "a-3", trigger="gặp", evidence="Nga và Mỹ: Lavrov gặp Rubio tại Riyadh về Ukraine")
    assert update_stories(store) == 1


def test_empty_triggers_and_evidence_do_not_link(store):
    add_event(store, "e-1", "a-1", trigger="", evidence="")
    add_event(store, "e-2", "a-2", trigger="", evidence="")
    assert update_stories(store) == 2


def test_a_story_never_spans_more_than_the_window(store):
    for offset in range(21):  # the same act reported every day for three weeks
        add_event(store, f"e-{offset:02}", f"a-{offset}", type_="ASSAULT", src="RUS", tgt="UKR",
                  day=DAY + timedelta(days=offset), trigger="tấn công", evidence="Nga tấn công Kharkiv")
    assert update_stories(store, window_days=7) == 3
    spans = store.con.execute("SELECT max(last_day - first_day) FROM stories").fetchone()[0]
    assert spans <= 7
    assert store.con.execute("SELECT sum(num_mentions) FROM stories").fetchone()[0] == 21


def test_undated_events_only_join_their_own_article(store):
    add_event(store, "e-1", "a-1", day=None)
    add_event(store, "e-2", "a-1", day=None)
    add_event(store, "e-3", "a-2", day=None)
    assert update_stories(store) == 2
    assert story_of(store, "e-1") == story_of(store, "e-2") != story_of(store, "e-3")


def test_reclustering_is_idempotent_and_follows_new_events(store):
    add_event(store, "e-1", "a-1")
    add_event(store, "e-2", "a-2")
    assert update_stories(store) == 1
    first = store.query("SELECT * FROM stories")
    assert update_stories(store) == 1
    assert store.query("SELECT * FROM stories") == first
    add_event(store, "e-0", "a-0", day=DAY - timedelta(days=1))  # an earlier report arrives later
    assert update_stories(store) == 1
    assert story_of(store, "e-1") == "s-" + hashlib.md5(b"e-0").hexdigest()[:16]
    assert store.count("stories") == 1


def test_window_must_not_be_negative(store):
    with pytest.raises(ValueError):
        update_stories(store, window_days=-1)


# ---- dyad series ----------------------------------------------------------------------------------------------


def test_series_counts_stories_not_mentions(store):
    for n in range(5):  # one meeting, five reports
        add_event(store, f"e-m{n}", f"a-{n}", day=DAY)
    add_event(store, "e-x", "a-9", type_="ACCUSE", src="USA", tgt="RUS", day=DAY, trigger="cáo buộc",
              evidence="Mỹ cáo buộc Nga")
    update_stories(store)
    rows = dyad_series(store.con, "RUS", "USA", freq="week")
    assert len(rows) == 1
    row = rows[0]
    assert row["period"] == DAY - timedelta(days=DAY.weekday())  # the week's Monday
    assert (row["CONSULT"], row["ACCUSE"], row["stories"], row["mentions"]) == (1, 1, 2, 6)
    assert row["score"] == GOLDSTEIN["CONSULT"] + GOLDSTEIN["ACCUSE"]
    assert set(PLOVER_TYPES) <= set(row)


def test_series_scores_negated_zero_and_demands_minus_five(store):
    add_event(store, "e-1", "a-1", type_="REQUEST", mode="demand", trigger="yêu cầu", evidence="Nga yêu cầu Mỹ rút")
    add_event(store, "e-2", "a-2", type_="REQUEST", mode="call", trigger="kêu gọi", evidence="Nga kêu gọi Mỹ đối thoại")
    add_event(store, "e-3", "a-3", type_="ASSAULT", negated=True, trigger="tấn công", evidence="Nga không tấn công")
    update_stories(store)
    row = dyad_series(store.con, "RUS", "USA", freq="day")[0]
    assert (row["REQUEST"], row["ASSAULT"], row["negated"], row["stories"]) == (2, 0, 1, 3)
    assert row["score"] == -5.0 + GOLDSTEIN["REQUEST"]


def test_series_direction_frequency_and_range(store):
    add_event(store, "e-1", "a-1", day=date(2026, 1, 5))
    add_event(store, "e-2", "a-2", src="USA", tgt="RUS", type_="AID", trigger="viện trợ", evidence="Mỹ viện trợ",
              day=date(2026, 3, 9))
    add_event(store, "e-3", "a-3", day=None)
    update_stories(store)
    assert [r["period"] for r in dyad_series(store.con, "RUS", "USA", freq="month")] == [date(2026, 1, 1),
                                                                                         date(2026, 3, 1)]
    assert len(dyad_series(store.con, "RUS", "USA", ordered=True)) == 1
    assert len(dyad_series(store.con, "USA", "RUS", ordered=True)) == 1
    assert len(dyad_series(store.con, "RUS", "USA", since=date(2026, 2, 1))) == 1
    assert dyad_series(store.con, "RUS", "USA", until=date(2025, 12, 31)) == []
    assert undated_stories(store.con, "RUS", "USA") == 1
    with pytest.raises(ValueError):
        dyad_series(store.con, "RUS", "USA", freq="year")


def test_events_added_since_the_last_clustering_count_as_their_own_stories(store):
    add_event(store, "e-1", "a-1")
    update_stories(store)
    add_event(store, "e-2", "a-2")
    add_event(store, "e-3", "a-3")
    row = dyad_series(store.con, "RUS", "USA")[0]
    assert (row["stories"], row["mentions"]) == (3, 3)
    assert {(d["a"], d["b"], d["stories"]) for d in dyads(store.con)} == {("RUS", "USA", 3)}


def test_latest_assessments_either_order_newest_first(store):
    for idx, (a, b, day) in enumerate([("RUS", "USA", "2025-01-02"), ("USA", "RUS", "2026-02-01"),
                                       ("RUS", "JPN", "2026-03-01")]):
        store.con.execute("INSERT INTO assessments (article_id, idx, actor_a, actor_b, polarity, date, sentence, "
                          "start_char, end_char, evidence) VALUES ('a-1', ?, ?, ?, 'negative', ?, 0, 0, 5, 'bằng 0')",
                          [idx, a, b, day])
    rows = latest_assessments(store.con, "RUS", "USA", limit=5)
    assert [r["date"] for r in rows] == ["2026-02-01", "2025-01-02"]
    assert rows[0]["evidence"] == {"article": "a-1", "sentence": 0, "start": 0, "end": 5, "text": "bằng 0"}


def test_dyads_have_vietnamese_and_english_names(store):
    add_event(store, "e-1", "a-1", src="RUS", tgt="JPN")
    add_event(store, "e-2", "a-2", src="NATO", tgt="RUS", type_="ACCUSE", trigger="cáo buộc", evidence="NATO")
    update_stories(store)
    by_pair = {(d["a"], d["b"]): d for d in dyads(store.con)}
    assert (by_pair[("JPN", "RUS")]["a_vi"], by_pair[("JPN", "RUS")]["b_vi"]) == ("Nhật Bản", "Nga")
    assert by_pair[("JPN", "RUS")]["b_en"] == "Russia"
    assert (by_pair[("JPN", "RUS")]["a_to_b"], by_pair[("JPN", "RUS")]["b_to_a"]) == (0, 1)
    assert by_pair[("NATO", "RUS")]["a_vi"] == "NATO"  # no CLDR name: the code


# ---- the real samples -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples_store(tmp_path_factory, samples_dir):
    with Store(tmp_path_factory.mktemp("stories") / "samples.duckdb") as opened:
        run_batch(opened, [samples_dir], None)
        update_stories(opened)
        yield opened


def test_every_sample_event_belongs_to_one_story(samples_store):
    events = samples_store.count("events")
    assert events > 0
    assert samples_store.con.execute("SELECT count(*) FROM events WHERE story_id IS NULL").fetchone()[0] == 0
    assert samples_store.con.execute("SELECT sum(num_mentions) FROM stories").fetchone()[0] == events
    assert 0 < samples_store.count("stories") <= events
    orphans = samples_store.con.execute(
        "SELECT count(*) FROM events e LEFT JOIN stories s ON s.id = e.story_id WHERE s.id IS NULL").fetchone()[0]
    assert orphans == 0


def test_sample_stories_keep_type_and_dyad_of_their_mentions(samples_store):
    mixed = samples_store.con.execute(
        "SELECT count(*) FROM (SELECT story_id FROM events GROUP BY story_id HAVING count(DISTINCT "
        "(type, coalesce(source_code, ''), coalesce(target_code, ''), coalesce(negated, false))) > 1)").fetchone()[0]
    assert mixed == 0


def test_sample_series_shows_russia_japan(samples_store):
    rows = dyad_series(samples_store.con, "RUS", "JPN", freq="month")
    assert rows, "sample 000 (Kremlin on Moscow-Tokyo relations, 2026-02-21) gives dated RUS-JPN events"
    assert any(r["period"] == date(2026, 2, 1) for r in rows)
    for row in rows:
        assert sum(row[t] for t in PLOVER_TYPES) + row["negated"] == row["stories"] <= row["mentions"]
    pairs = {(d["a"], d["b"]) for d in dyads(samples_store.con)}
    assert {("JPN", "RUS"), ("RUS", "USA")} <= pairs
