"""Near-duplicate detection and idempotent storage (issue 2): the same article twice is stored once, a lightly
edited copy is linked to its original in `article_sources`, and a second `run_batch` over the samples adds nothing."""

from datetime import date

import pytest

from quanhe.ingest.records import RawRecord
from quanhe.pipeline import process
from quanhe.runner import run_batch
from quanhe.store.database import Store
from quanhe.text.dedup import THRESHOLD, NearDuplicateIndex, from_bytes, signature, similarity, to_bytes

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


# ---- Store.add -----------------------------------------------------------------------------------------------------


def test_the_index_given_to_add_is_the_one_kept_up_to_date(tmp_path, sample_docs):
    """A run hands one index to every batch: an empty one must be used, not replaced by a reload of the store
    (which made each batch re-read every stored signature)."""
    index = NearDuplicateIndex()
    with Store(tmp_path / "q.duckdb") as store:
        store.add([sample_docs["000"]], index)
        text = sample_docs["000"].article.text
        assert index.find(signature(text)) == (sample_docs["000"].article.id, 1.0)


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
