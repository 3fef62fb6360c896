"""Near-duplicate detection and idempotent storage (issue 2): the same article twice is stored once, a lightly
edited copy is linked to its original in `article_sources`, and a second `run_batch` over the samples adds nothing."""

from datetime import date

import duckdb
import numpy as np
import pytest

from quanhe.ingest.records import RawRecord
from quanhe.pipeline import process
from quanhe.runner import run_batch
from quanhe.store.database import NUMBERED_TABLES, SCHEMA_VERSION, Store, StoreError
from quanhe.text import dedup
from quanhe.text.dedup import (BAND_ROWS, BANDS, NUM_PERM, THRESHOLD, NearDuplicateIndex, from_bytes,
                               signature, similarity, to_bytes)

# A few words of sample 001 changed, the way a syndicating site edits a story.
EDITS_001 = [
    ("Sergei Ryabkov cho biết, mối quan hệ", "Sergei Ryabkov nói, mối quan hệ"),
    ("Video đang HOT\n", ""),
    ("Cùng ngày, người phát ngôn", "Cũng trong ngày, người phát ngôn"),
    ("không dễ dàng ở giai đoạn này", "không hề dễ dàng trong giai đoạn này"),
]
# Sample 000 edited the same way (a short article keeps the store tests fast).
EDITS_000 = [
    ("đã “giảm xuống mức không”", "đã “xuống mức không”"),
    ("Theo đài RT, ông Peskov khẳng định", "Theo kênh RT, ông Peskov khẳng định"),
    ("Đáp lại, ông Peskov cho rằng", "Đáp lại, người phát ngôn Peskov cho rằng"),
]


def edited(text: str, edits: list[tuple[str, str]]) -> str:
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def sources(store: Store) -> list[tuple]:
    return store.con.execute("SELECT article_id, source, url, relation, similarity FROM article_sources "
                             "ORDER BY article_id, source").fetchall()


# ---- the MinHash index ---------------------------------------------------------------------------------------------


def test_index_finds_a_lightly_edited_copy_and_not_another_article(sample_text, sample_docs):
    original = sample_docs["001"].article
    copy = edited(sample_text("001"), EDITS_001)
    assert copy != sample_text("001")
    index = NearDuplicateIndex()
    index.add(original.id, signature(original.text))

    found = index.find(signature(process(RawRecord("copy.txt", copy)).article.text))
    assert found is not None
    assert found[0] == original.id
    assert THRESHOLD <= found[1] < 1.0

    for number in ("000", "002", "003", "004"):
        assert index.find(signature(sample_docs[number].article.text)) is None, number


def test_samples_are_not_near_duplicates_of_each_other(sample_docs):
    index = NearDuplicateIndex()
    for number, doc in sorted(sample_docs.items()):
        minhash = signature(doc.article.text)
        assert index.find(minhash) is None, number
        index.add(doc.article.id, minhash)


def test_the_same_text_is_found_with_similarity_one(sample_docs):
    text = sample_docs["002"].article.text
    index = NearDuplicateIndex()
    index.add("a", signature(text))
    assert index.find(signature(text)) == ("a", 1.0)
    # the signature is taken over the folded text: case, spacing and tone placement do not matter
    assert similarity(signature(text), signature("  " + text.upper().replace("hòa", "hoà"))) == 1.0


def test_signature_survives_the_database_round_trip(sample_docs):
    minhash = signature(sample_docs["003"].article.text)
    restored = from_bytes(to_bytes(minhash))
    assert similarity(restored, minhash) == 1.0
    index = NearDuplicateIndex()
    index.add("a", restored)
    assert index.find(minhash) == ("a", 1.0)


def _brute_force_matches(minhashes):
    """What the index must answer, by comparing each signature with every earlier kept one: the kept articles that
    share a whole band with it, the most similar at or above THRESHOLD, the earliest among equals."""
    kept_ids, kept, answers = [], np.empty((0, NUM_PERM), dtype=np.uint32), []
    for number, minhash in enumerate(minhashes):
        answer = _best_match(kept_ids, kept, minhash)
        answers.append(answer)
        if answer is None:
            kept_ids.append(f"a{number}")
            kept = np.vstack([kept, minhash])
    return answers


def _best_match(ids, signatures, minhash):
    bands = slice(0, BANDS * BAND_ROWS)
    shares_band = (signatures[:, bands].reshape(len(ids), BANDS, BAND_ROWS)
                   == minhash[bands].reshape(BANDS, BAND_ROWS)).all(axis=2).any(axis=1)
    scores = np.where(shares_band, (signatures == minhash).sum(axis=1) / NUM_PERM, 0.0)
    if not len(ids) or scores.max() < THRESHOLD:
        return None
    best = int(np.argmax(scores))  # the first of the highest: the earliest among equals
    return ids[best], float(scores[best])


def _planted_signatures(count, seed):
    """Random signatures, most of them copies of a few hundred originals with some values changed (so that some
    are near-copies, some share a band without being near, and some share nothing)."""
    rng = np.random.default_rng(seed)
    originals = rng.integers(0, 1 << 32, (300, NUM_PERM), dtype=np.uint64).astype(np.uint32)
    signatures = []
    for _ in range(count):
        minhash = originals[rng.integers(len(originals))].copy()
        changed = rng.integers(0, 50)
        minhash[rng.integers(0, NUM_PERM, changed)] = rng.integers(0, 1 << 32, changed, dtype=np.uint64)
        signatures.append(minhash)
    return signatures


@pytest.mark.parametrize("release_every", [None, 1, 37])
def test_index_answers_as_comparing_with_every_earlier_article(monkeypatch, release_every):
    """Over several sorted runs and their merges (a small RECENT_KEYS), holding every signature or releasing
    them and passing the candidates' signatures from a store, as `Store.add` does."""
    monkeypatch.setattr(dedup, "RECENT_KEYS", 64)
    minhashes = _planted_signatures(1500, seed=5)
    expected = _brute_force_matches(minhashes)
    assert sum(answer is not None for answer in expected) > 200  # the check is not vacuous
    assert sum(answer is None for answer in expected) > 100
    index, store, answers = NearDuplicateIndex(), {}, []
    for number, minhash in enumerate(minhashes):
        stored = {article_id: store[article_id] for article_id in index.missing([minhash])}
        answers.append(index.find(minhash, stored))
        if answers[-1] is None:
            index.add(f"a{number}", minhash)
            store[f"a{number}"] = minhash
        if release_every and number % release_every == 0:
            index.release()
    assert answers == expected
    assert len(index._runs) > 2


def test_index_prefers_the_earliest_among_equally_similar():
    rng = np.random.default_rng(2)
    base = rng.integers(0, 1 << 32, NUM_PERM, dtype=np.uint64).astype(np.uint32)
    first, second = base.copy(), base.copy()
    first[:15], second[15:30] = 0, 1  # 0.77 similar to each other, each 0.88 similar to base
    index = NearDuplicateIndex()
    index.add("first", first)
    assert index.find(second) is None
    index.add("second", second)
    assert index.find(base) == ("first", 113 / NUM_PERM)
    reversed_order = NearDuplicateIndex()
    reversed_order.add_stored(["second", "first"], np.stack([second, first]))
    assert reversed_order.find(base, {"first": first, "second": second}) == ("second", 113 / NUM_PERM)


def test_index_loaded_from_stored_signatures_answers_the_same(monkeypatch):
    monkeypatch.setattr(dedup, "RECENT_KEYS", 64)
    minhashes = _planted_signatures(800, seed=9)
    kept = {f"a{n}": m for n, (m, answer) in enumerate(zip(minhashes, _brute_force_matches(minhashes)))
            if answer is None}
    index = NearDuplicateIndex()
    ids = list(kept)
    index.add_stored(ids[:100], np.stack([kept[i] for i in ids[:100]]))
    index.add_stored(ids[100:], np.stack([kept[i] for i in ids[100:]]))
    probe = _planted_signatures(300, seed=10)
    for minhash in probe:
        assert index.find(minhash) is None  # nothing held: the store must pass the signatures
        found = index.find(minhash, {article_id: kept[article_id] for article_id in index.missing([minhash])})
        expected = _best_match(ids, np.stack([kept[i] for i in ids]), minhash)
        assert found == expected


# ---- Store.add -----------------------------------------------------------------------------------------------------


def test_the_index_given_to_add_is_the_one_kept_up_to_date(tmp_path, sample_docs):
    """A run hands one index to every batch: an empty one must be used, not replaced by a reload of the store
    (which made each batch re-read every stored signature)."""
    index = NearDuplicateIndex()
    with Store(tmp_path / "q.duckdb") as store:
        store.add([sample_docs["000"]], index)
        minhash = signature(sample_docs["000"].article.text)
        # once stored, the index keeps the band keys and leaves the signature to the store
        assert index.missing([minhash]) == {sample_docs["000"].article.id}
        assert index.find(minhash) is None
        found = index.find(minhash, store.signatures_of(index.missing([minhash])))
        assert found == (sample_docs["000"].article.id, 1.0)


def test_adding_the_same_batch_twice_adds_nothing(tmp_path, sample_docs):
    doc = sample_docs["000"]
    with Store(tmp_path / "q.duckdb") as store:
        first = store.add([doc])
        assert (first.added, first.already_stored, first.near_duplicates) == (1, 0, 0)
        second = store.add([doc])
        assert (second.added, second.already_stored, second.near_duplicates) == (0, 1, 0)
        assert store.count("articles") == 1
        assert store.count("sentences") == len(doc.sentences)
        assert store.count("events") == len(doc.events)
    # and again after reopening the database, as a second `quanhe run` does
    with Store(tmp_path / "q.duckdb") as store:
        third = store.add([process(RawRecord(doc.article.source, doc.article.raw_text,
                                             published=doc.article.published))])
        assert (third.added, third.already_stored) == (0, 1)
        assert store.count("articles") == 1
        assert sources(store) == [(doc.article.id, doc.article.source, None, "original", 1.0)]


def test_near_copy_in_the_same_batch_is_linked_not_stored(tmp_path, sample_text, sample_docs):
    original = sample_docs["000"]
    copy = process(RawRecord("mirror/peskov.txt", edited(sample_text("000"), EDITS_000),
                             url="https://mirror.example.vn/peskov.html"))
    assert copy.article.id != original.article.id
    with Store(tmp_path / "q.duckdb") as store:
        result = store.add([original, copy])
        assert (result.added, result.already_stored, result.near_duplicates) == (1, 0, 1)
        assert store.count("articles") == 1
        assert store.query("SELECT id FROM articles") == [{"id": original.article.id}]
        assert copy.article.duplicate_of == original.article.id
        rows = sources(store)
        assert rows[0] == (original.article.id, original.article.source, None, "original", 1.0)
        assert rows[1][:4] == (original.article.id, "mirror/peskov.txt", "https://mirror.example.vn/peskov.html",
                               "near_duplicate")
        assert THRESHOLD <= rows[1][4] < 1.0
        assert len(rows) == 2
        # the copy's analysis is not stored either
        assert store.count("sentences") == len(original.sentences)


def test_near_copy_in_a_later_batch_is_linked_not_stored(tmp_path, sample_text, sample_docs):
    original = sample_docs["000"]
    with Store(tmp_path / "q.duckdb") as store:
        store.add([original])
    copy = process(RawRecord("mirror/peskov.txt", edited(sample_text("000"), EDITS_000)))
    with Store(tmp_path / "q.duckdb") as store:
        result = store.add([copy])
        assert (result.added, result.near_duplicates) == (0, 1)
        assert store.count("articles") == 1
        assert [row[3] for row in sources(store)] == ["original", "near_duplicate"]
        assert copy.article.duplicate_of == original.article.id


def test_a_failed_write_leaves_no_trace_in_the_index(tmp_path, sample_text, sample_docs, monkeypatch):
    """A batch rolled back is not stored, so a near copy of it in the next batch is stored as an article."""
    original = sample_docs["000"]
    copy = process(RawRecord("mirror/peskov.txt", edited(sample_text("000"), EDITS_000)))
    index = NearDuplicateIndex()
    with Store(tmp_path / "q.duckdb") as store:
        def fail(*_):
            raise OSError("disk full")

        with monkeypatch.context() as patched:
            patched.setattr(store, "_write", fail)
            with pytest.raises(OSError):
                store.add([original], index)
        assert store.count("articles") == 0
        result = store.add([copy], index)
        assert (result.added, result.near_duplicates) == (1, 0)


def test_a_version_1_store_is_migrated_with_its_rows(tmp_path, sample_docs):
    """Version 1 gave the numbered tables a primary key; opening such a store for writing drops them and keeps
    every row, and the store then takes new articles."""
    path = tmp_path / "v1.duckdb"
    with Store(path) as store:
        store.add([sample_docs["000"]])
        counts = {table: store.count(table) for table in NUMBERED_TABLES}
        for table in NUMBERED_TABLES:  # back to version 1: the same table with its key
            store.con.execute(f"CREATE TABLE _keyed AS SELECT * FROM {table} LIMIT 0")
            store.con.execute("ALTER TABLE _keyed ADD PRIMARY KEY (article_id, idx)")
            store.con.execute(f"INSERT INTO _keyed SELECT * FROM {table}")
            store.con.execute(f"DROP TABLE {table}")
            store.con.execute(f"ALTER TABLE _keyed RENAME TO {table}")
        store.con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")

    def keyed(store):
        return sorted(row[0] for row in store.con.execute(
            "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'").fetchall())

    with Store(path, read_only=True) as store:  # reading does not migrate
        assert set(NUMBERED_TABLES) <= set(keyed(store))
    with Store(path) as store:
        assert store.query("SELECT value FROM meta WHERE key = 'schema_version'") == [{"value": SCHEMA_VERSION}]
        assert not set(NUMBERED_TABLES) & set(keyed(store))
        assert {table: store.count(table) for table in NUMBERED_TABLES} == counts
        assert store.add([sample_docs["002"]]).added == 1
        assert store.count("sentences") == counts["sentences"] + len(sample_docs["002"].sentences)


def test_a_memory_limit_caps_duckdb_and_can_be_lifted(tmp_path):
    def limit(store):
        return store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]

    def needs_memory(store):  # about 100 MB that DuckDB cannot spill to disk
        return store.con.execute("SELECT len(list(range)) FROM range(5000000)").fetchone()[0]

    with Store(tmp_path / "q.duckdb") as store:
        default = limit(store)
        store.limit_memory("64MB")
        assert limit(store) == "61.0 MiB"
        with pytest.raises(duckdb.OutOfMemoryException):
            needs_memory(store)
        store.limit_memory("32MB")
        store.limit_memory(None)  # back to the limit before the first cap, in force (not only reported)
        (value, unit), (default_value, default_unit) = limit(store).split(), default.split()
        assert unit == default_unit and abs(float(value) - float(default_value)) < 0.2  # as DuckDB rounds it
        assert needs_memory(store) == 5_000_000
        with pytest.raises(StoreError, match="memory limit 'lots'"):
            store.limit_memory("lots")


# ---- run_batch -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def batch_runs(tmp_path_factory, samples_dir):
    """run_batch over the samples twice into one store; yields (store, first summary, second summary)."""
    store = Store(tmp_path_factory.mktemp("store") / "q.duckdb")
    summaries = []
    try:
        for _ in range(2):
            summaries.append(run_batch(store, [samples_dir], None))
    except Exception as exc:  # keep the store for the count check; the summary test reports the error
        summaries.append(exc)
    yield store, summaries
    store.close()


def test_run_batch_twice_leaves_five_articles(batch_runs):
    store, _ = batch_runs
    assert store.count("articles") == 5


def test_run_batch_second_run_adds_nothing(batch_runs):
    _, summaries = batch_runs
    assert len(summaries) == 2 and not isinstance(summaries[-1], Exception), summaries[-1]
    first, second = summaries
    assert (first.ingested, first.added, first.already_stored, first.failures) == (5, 5, 0, [])
    assert (second.ingested, second.added, second.already_stored, second.failures) == (5, 0, 5, [])
    assert "0 new, 5 already stored" in second.render()


def test_stored_articles_have_titles_and_dates(batch_runs, sample_docs):
    store, _ = batch_runs
    rows = {row["source"].rsplit("/", 1)[-1][:3]: row for row in store.articles()}
    assert sorted(rows) == ["000", "001", "002", "003", "004"]
    assert rows["000"]["published"] == date(2026, 2, 21) and rows["000"]["title"] is None
    assert rows["001"]["title"] == "Quan chức Moscow: Quan hệ Nga – Mỹ gần bằng 0"
    assert rows["004"]["title"] == "Ông Putin nói cuộc gặp Nga-Mỹ đầu tiên thắp lên hy vọng"
    for number, row in rows.items():
        assert row["id"] == sample_docs[number].article.id
        assert row["sources"] == 1  # the second run found the same source: no extra link


def test_stored_article_by_prefix_has_its_sentences(batch_runs, sample_docs):
    store, _ = batch_runs
    doc = sample_docs["001"]
    row = store.article(doc.article.id[:8])
    assert row is not None and row["id"] == doc.article.id
    assert row["text"] == doc.article.text
    assert "đán.h" in row["raw_text"]
    assert [(s["start_char"], s["end_char"], s["role"]) for s in row["sentences"]] == \
        [(s.start, s.end, s.role) for s in doc.sentences]
    assert store.article("a-") is None  # ambiguous prefix
