"""The embedded store: one DuckDB file holding articles and every analysis layer.

Each batch is written in one transaction, keyed by content-derived ids, so re-running the same ingest adds
nothing and an interrupted run leaves only whole batches behind. A near-copy of a stored article (MinHash
Jaccard >= 0.8) is linked to it in `article_sources` instead of being stored again. `delete` removes an
article with every row derived from it (the caller re-clusters the stories in the same transaction).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from quanhe.model import Document
from quanhe.store import DEFAULT_PATH
from quanhe.store.rows import arrow_table, document_rows
from quanhe.text.dedup import NearDuplicateIndex, from_bytes, rows_from_bytes, signature, to_bytes

SCHEMA_VERSION = "2"
# Every table whose rows belong to one article (by `article_id`), deleted with it.
DERIVED_TABLES = ("sentences", "mentions", "times", "quotes", "events", "assessments", "article_sources")
# Rows numbered (article_id, idx) with no key of their own (schema.sql says why); version 1 gave them one.
NUMBERED_TABLES = ("sentences", "mentions", "times", "quotes", "assessments")
SIGNATURE_CHUNK = 1000  # signatures read per query
# DuckDB moves the write-ahead log into the file once the log reaches this size (its default is 16MB). Each
# checkpoint rewrites the tables' last, partly filled row groups, so with batches of 200 articles a larger log
# means fewer rewrites: 23 % less CPU for storing, and small stores 45 % smaller (not a 3 GB one;
# bench/RESULTS.md). A crash replays at most this much log at the next open.
CHECKPOINT_WAL = "64MB"


class StoreError(RuntimeError):
    """A database that cannot be opened or written; the message is one line for the user."""


@dataclass
class BatchResult:
    added: int = 0
    already_stored: int = 0
    near_duplicates: int = 0
    statuses: list[str] = field(default_factory=list)  # per document, in order: added | already_stored | near_duplicate


class Store:
    def __init__(self, path: str | Path = DEFAULT_PATH, read_only: bool = False) -> None:
        self.path = Path(path)
        self._uncapped: str | None = None  # DuckDB's memory limit before `limit_memory`, while capped
        if read_only and not self.path.exists():
            raise StoreError(f"{self.path}: no database here yet (run `quanhe run` first)")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only,
                                      config={} if read_only else {"checkpoint_threshold": CHECKPOINT_WAL})
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreError(f"{self.path}: the database is in use by another quanhe process; "
                                 "wait for it to finish") from exc
            raise StoreError(f"{self.path}: cannot open the database ({str(exc).splitlines()[0]})") from exc
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: not a quanhe database ({str(exc).splitlines()[0]})") from exc
        if not read_only:
            self._migrate()

    @classmethod
    def over(cls, con: duckdb.DuckDBPyConnection, path: str | Path = DEFAULT_PATH) -> Store:
        """A Store over an open connection or cursor of an already migrated database (the server gives each
        thread its own cursor: a DuckDB connection must not be shared between threads)."""
        store = cls.__new__(cls)
        store.path, store.con, store._uncapped = Path(path), con, None
        return store

    def limit_memory(self, size: str | None) -> None:
        """Cap DuckDB's memory, its cache of the file and its working memory, at `size` ("128MB", "2GB"), or
        lift the cap (None: back to what it was). A long write needs the cap: without it DuckDB keeps much of
        what it wrote (see `quanhe.store.WRITE_MEMORY`)."""
        if size is None:
            if self._uncapped is not None:  # set again: DuckDB 1.5's RESET reports the default, keeps the cap
                self.con.execute(f"SET memory_limit = '{self._uncapped}'")
                self._uncapped = None
            return
        before = self.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        try:
            self.con.execute(f"SET memory_limit = '{size.replace(chr(39), '')}'")
        except duckdb.Error as exc:
            raise StoreError(f"memory limit {size!r}: {str(exc).splitlines()[0].removeprefix('Parser Error: ')}") \
                from exc
        if self._uncapped is None:
            self._uncapped = before

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _migrate(self) -> None:
        self.con.execute(resources.files("quanhe.store").joinpath("schema.sql").read_text(encoding="utf-8"))
        found = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if found is None:
            self.con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        elif found[0] == "1":
            self._drop_row_keys()
        elif found[0] != SCHEMA_VERSION:
            raise StoreError(f"{self.path}: schema version {found[0]}, this quanhe expects {SCHEMA_VERSION}")

    def _drop_row_keys(self) -> None:
        """Version 1 to 2: the numbered tables lose their primary key. DuckDB cannot drop a key, so each table
        is copied (a copy made with AS SELECT has no constraints), in one transaction."""
        with self.transaction():
            for table in NUMBERED_TABLES:
                self.con.execute(f"CREATE TABLE _{table}_v2 AS SELECT * FROM {table}")
                self.con.execute(f"DROP TABLE {table}")
                self.con.execute(f"ALTER TABLE _{table}_v2 RENAME TO {table}")
            self.con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [SCHEMA_VERSION])

    def duplicate_index(self) -> NearDuplicateIndex:
        """The near-duplicate index of every stored article, in the order they were stored (DuckDB keeps insertion
        order without ORDER BY). It keeps their band keys only (`add` fetches the signatures of a batch's
        candidates), read a chunk at a time."""
        index = NearDuplicateIndex()
        cursor = self.con.execute("SELECT id, minhash FROM articles WHERE minhash IS NOT NULL")
        while chunk := cursor.fetchmany(SIGNATURE_CHUNK):
            ids, blobs = zip(*chunk)
            index.add_stored(list(ids), rows_from_bytes(list(blobs)))
        return index

    def signatures_of(self, article_ids: Iterable[str], table: str = "articles") -> dict[str, np.ndarray]:
        """The signatures of these articles, those found in `table`. In `articles` they are looked up by primary
        key: a list of placeholders lets DuckDB use the key's index, where a join with a list reads every
        signature."""
        return {article_id: from_bytes(blob)
                for article_id, blob in self._by_id("id, minhash", table, article_ids, "AND minhash IS NOT NULL")}

    def _by_id(self, columns: str, table: str, article_ids: Iterable[str], condition: str = "") -> list[tuple]:
        """`columns` of the rows of `table` whose id is one of `article_ids`, SIGNATURE_CHUNK ids a query."""
        wanted, found = list(article_ids), []
        for start in range(0, len(wanted), SIGNATURE_CHUNK):
            chunk = wanted[start:start + SIGNATURE_CHUNK]
            found += self.con.execute(f"SELECT {columns} FROM {table} WHERE id IN ({', '.join('?' * len(chunk))}) "
                                      f"{condition}", chunk).fetchall()
        return found

    def add(self, docs: Iterable[Document], index: NearDuplicateIndex | None = None,
            signatures: Mapping[str, np.ndarray] | None = None) -> BatchResult:
        """Store a batch in one transaction; known or near-copy articles are linked, not stored twice.
        `signatures` holds the articles' MinHash signatures by id where already computed (by analysis workers).

        Rows are gathered for the whole batch and each table is written once: a statement per article and
        table cost DuckDB milliseconds each."""
        if index is None:
            index = self.duplicate_index()
        try:
            result, rows, links = self._match(list(docs), index, signatures)
            self._write(rows, links)
        finally:
            index.release()  # the batch's signatures are stored now, or (rolled back) never: the store has them
        return result

    def _match(self, docs: list[Document], index: NearDuplicateIndex, signatures: Mapping[str, np.ndarray] | None
               ) -> tuple[BatchResult, dict[str, list[dict[str, Any]]], list[tuple[str, str, str | None, str, float]]]:
        """Each document's status, the rows of those to store and every document's `article_sources` link."""
        stored = {row[0] for row in self._by_id("id", "articles", [doc.article.id for doc in docs])}
        minhashes = {}
        for doc in docs:
            article_id = doc.article.id
            if article_id not in stored and article_id not in minhashes:
                minhash = signatures.get(article_id) if signatures else None
                minhashes[article_id] = signature(doc.article.text) if minhash is None else minhash
        candidates = self.signatures_of(index.missing(minhashes.values()))
        result = BatchResult()
        rows: dict[str, list[dict[str, Any]]] = {}
        links: list[tuple[str, str, str | None, str, float]] = []
        for doc in docs:
            article = doc.article
            if article.id in stored:
                result.already_stored += 1
                result.statuses.append("already_stored")
                links.append((article.id, article.source, article.url, "same", 1.0))
                continue
            minhash = minhashes[article.id]
            near = index.find(minhash, candidates)
            if near:
                result.near_duplicates += 1
                result.statuses.append("near_duplicate")
                article.duplicate_of = near[0]
                links.append((near[0], article.source, article.url, "near_duplicate", near[1]))
                continue
            for table, table_rows in document_rows(doc, to_bytes(minhash)).items():
                rows.setdefault(table, []).extend(table_rows)
            index.add(article.id, minhash)
            stored.add(article.id)
            links.append((article.id, article.source, article.url, "original", 1.0))
            result.added += 1
            result.statuses.append("added")
        return result, rows, links

    def _write(self, rows: dict[str, list[dict[str, Any]]], links: list[tuple[str, str, str | None, str, float]]
               ) -> None:
        with self.transaction():
            for table, table_rows in rows.items():
                self._many(table, table_rows)
            if links:
                names = ("article_id", "source", "url", "relation", "similarity")
                self.con.register("_links", pa.table(dict(zip(names, map(list, zip(*links))))))
                try:
                    self.con.execute(f"INSERT INTO article_sources ({', '.join(names)}) SELECT * FROM _links "
                                     "ON CONFLICT DO NOTHING")
                finally:
                    self.con.unregister("_links")

    def delete(self, article_id: str) -> dict[str, int]:
        """Remove one article (its exact id) and every row derived from it: sentences, mentions, times, quotes,
        events, assessments and the places it was seen (`article_sources`, including the near-copies linked to it,
        which were never stored on their own). Rows removed per table; `articles` is 0 when no such article.

        Runs in the caller's transaction when there is one; stories that counted its events are then stale
        until `quanhe.aggregate.stories.cluster_stories` runs (the API does both in one transaction)."""
        removed = {}
        for table in (*DERIVED_TABLES, "articles"):
            column = "id" if table == "articles" else "article_id"
            removed[table] = self.con.execute(f"DELETE FROM {table} WHERE {column} = ?", [article_id]).fetchone()[0]
        return removed

    def _many(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk insert through Arrow (DuckDB's executemany costs milliseconds per row)."""
        if not rows:
            return
        batch = arrow_table(table, rows)
        self.con.register("_batch", batch)
        try:
            columns = ", ".join(batch.schema.names)
            insert = "INSERT" if table in NUMBERED_TABLES else "INSERT OR IGNORE"
            self.con.execute(f"{insert} INTO {table} ({columns}) SELECT {columns} FROM _batch")
        finally:
            self.con.unregister("_batch")

    # ---- reading -------------------------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def count(self, table: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def articles(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        return self.query(
            "SELECT a.id, a.title, a.published, a.language, a.source, length(a.text) AS chars, "
            "(SELECT count(*) FROM events e WHERE e.article_id = a.id) AS events, "
            "(SELECT count(*) FROM article_sources s WHERE s.article_id = a.id) AS sources "
            "FROM articles a ORDER BY a.published NULLS LAST, a.id LIMIT ? OFFSET ?", [limit, offset])

    def article(self, article_id: str) -> dict[str, Any] | None:
        rows = self.query("SELECT * EXCLUDE (minhash) FROM articles WHERE id = ? OR id LIKE ? ORDER BY id LIMIT 2",
                          [article_id, article_id + "%"])
        if len(rows) != 1:
            return None
        row = rows[0]
        for table in ("sentences", "mentions", "times", "quotes", "assessments"):
            row[table] = self.query(f"SELECT * EXCLUDE (article_id) FROM {table} WHERE article_id = ? ORDER BY idx",
                                    [row["id"]])
        row["events"] = self.query("SELECT * EXCLUDE (article_id) FROM events WHERE article_id = ? "
                                   "ORDER BY sentence, start_char", [row["id"]])
        row["sources"] = self.query("SELECT source, url, relation, similarity FROM article_sources "
                                    "WHERE article_id = ? ORDER BY seen_at", [row["id"]])
        return row
