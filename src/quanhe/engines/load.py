"""`quanhe load DIR`: the Parquet tables of a `quanhe run --out DIR` into the DuckDB store.

The rows go in with DuckDB's `read_parquet` (hive partitions), in one transaction, so the CLI, the API and
the dashboard work on them as on a `quanhe run` store. Loading keeps the store's rules: an article already
stored, or seen twice, is stored once (only articles not stored yet are loaded, each once, so loading twice
adds nothing) and linked to each source in `article_sources`; a near-copy of an earlier article (MinHash, as
`Store.add`, earliest publication first) is linked to it instead of stored. Then stories are rebuilt over all events:
these are the steps that need more than one article, which is why the engines leave them to this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from quanhe.aggregate.stories import update_stories
from quanhe.store.database import NUMBERED_TABLES, Store
from quanhe.store.rows import TABLES, table_schemas
from quanhe.text.dedup import from_bytes

FETCH_ROWS = 10_000

_SOURCES = """
INSERT INTO article_sources (article_id, source, url, relation, similarity)
SELECT coalesce(n.original, a.id), a.source, a.url,
       CASE WHEN n.original IS NOT NULL THEN 'near_duplicate'
            WHEN w.id IS NOT NULL AND row_number() OVER (PARTITION BY a.id ORDER BY a.source) = 1 THEN 'original'
            ELSE 'same' END,
       coalesce(n.similarity, 1.0)
FROM _load_articles a LEFT JOIN _load_near n ON n.id = a.id LEFT JOIN _load_new w ON w.id = a.id
ON CONFLICT DO NOTHING
"""


class LoadError(RuntimeError):
    """A folder that holds no quanhe Parquet output; one line for the user."""


@dataclass
class LoadResult:
    articles: int = 0
    already_stored: int = 0
    near_duplicates: int = 0
    events: int = 0
    stories: int = 0


def _glob(directory: Path, table: str) -> str | None:
    folder = directory / table
    if not any(folder.rglob("*.parquet")):
        return None
    return str(folder / "**" / "*.parquet").replace("'", "''")


def _near_duplicates(store: Store) -> list[tuple[str, str, float]]:
    """(id, original id, similarity) for each new article that is a near-copy of a stored or earlier one, read
    FETCH_ROWS at a time; the index holds each chunk's signatures until the next, then fetches what it needs."""
    index = store.duplicate_index()
    found = []
    count = store.count("_load_new")
    for start in range(0, count, FETCH_ROWS):
        minhashes = [(article_id, from_bytes(blob)) for article_id, blob in store.con.execute(
            "SELECT id, minhash FROM _load_new WHERE position > ? AND position <= ? AND minhash IS NOT NULL "
            "ORDER BY position", [start, start + FETCH_ROWS]).fetchall()]
        missing = index.missing(minhash for _, minhash in minhashes)
        stored = store.signatures_of(missing)
        stored |= store.signatures_of(missing - stored.keys(), "_load_new")  # new ones of earlier chunks
        for article_id, minhash in minhashes:
            near = index.find(minhash, stored)
            if near:
                found.append((article_id, near[0], near[1]))
            else:
                index.add(article_id, minhash)
        index.release()
    return found


def load_parquet(store: Store, directory: Path, near_duplicates: bool = True) -> LoadResult:
    """Load a run's Parquet into `store`; `near_duplicates=False` skips the MinHash matching, whose index holds
    about 190 bytes per stored article in memory (exact copies are still stored once)."""
    globs = {table: _glob(directory, table) for table in TABLES}
    if globs["articles"] is None:
        raise LoadError(f"{directory}: no articles/**/*.parquet here (write one with quanhe run --out)")
    con = store.con
    result = LoadResult()
    con.execute("BEGIN TRANSACTION")
    try:
        for table, glob in globs.items():
            if glob:
                con.execute(f"CREATE OR REPLACE TEMP VIEW _load_{table} AS SELECT * FROM read_parquet('{glob}', "
                            "hive_partitioning = true, union_by_name = true)")
        con.execute("CREATE OR REPLACE TEMP TABLE _load_new AS SELECT *, row_number() OVER "
                    "(ORDER BY published NULLS LAST, id) AS position FROM (SELECT DISTINCT ON (id) id, minhash, "
                    "published FROM _load_articles WHERE id NOT IN (SELECT id FROM articles) ORDER BY id, source) "
                    "ORDER BY position")
        con.execute("CREATE OR REPLACE TEMP TABLE _load_near (id VARCHAR, original VARCHAR, similarity DOUBLE)")
        near = _near_duplicates(store) if near_duplicates else []
        if near:
            con.executemany("INSERT INTO _load_near VALUES (?, ?, ?)", near)
        con.execute(_SOURCES)
        before = store.count("events")
        for table, glob in globs.items():
            if glob:
                key = "id" if table == "articles" else "article_id"
                columns = ", ".join(table_schemas()[table].names)
                # an article read twice (two sources, or two runs) has its rows twice in the Parquet
                insert, rows = ("INSERT", "DISTINCT ON (article_id, idx) ") if table in NUMBERED_TABLES \
                    else ("INSERT OR IGNORE", "")
                con.execute(f"{insert} INTO {table} ({columns}) SELECT {rows}{columns} FROM _load_{table} "
                            f"WHERE {key} IN (SELECT id FROM _load_new) AND {key} NOT IN (SELECT id FROM _load_near)")
        new, read = con.execute("SELECT count(*), (SELECT count(DISTINCT id) FROM _load_articles) "
                                "FROM _load_new").fetchone()
        result.near_duplicates = len(near)
        result.articles = new - len(near)
        result.already_stored = read - new
        result.events = store.count("events") - before
        for table, glob in globs.items():
            if glob:
                con.execute(f"DROP VIEW _load_{table}")
        con.execute("DROP TABLE _load_new")
        con.execute("DROP TABLE _load_near")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    result.stories = update_stories(store)
    return result
