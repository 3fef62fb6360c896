"""The embedded store: one DuckDB file holding articles and every analysis layer.

Each batch is written in one transaction, keyed by content-derived ids, so re-running the same ingest adds
nothing and an interrupted run leaves only whole batches behind. A near-copy of a stored article (MinHash
Jaccard >= 0.8) is linked to it in `article_sources` instead of being stored again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from quanhe.model import Document, Mention
from quanhe.store import DEFAULT_PATH
from quanhe.text.dedup import NearDuplicateIndex, from_bytes, signature, to_bytes

SCHEMA_VERSION = "1"


class StoreError(RuntimeError):
    """A database that cannot be opened or written; the message is one line for the user."""


@dataclass
class BatchResult:
    added: int = 0
    already_stored: int = 0
    near_duplicates: int = 0


def _actor(prefix: str, mention: Mention | None) -> dict[str, Any]:
    fields = ("text", "name", "country", "sector", "code")
    if mention is None:
        return {f"{prefix}_{f}": None for f in fields}
    return {f"{prefix}_text": mention.text, f"{prefix}_name": mention.canonical, f"{prefix}_country": mention.country,
            f"{prefix}_sector": mention.sector, f"{prefix}_code": mention.code}


def _event_day(value: str | None) -> date | None:
    """The first day an event's date covers ("2022-03" -> 2022-03-01), for ordering and series."""
    if not value:
        return None
    parts = value.split("-") + ["01", "01"]
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


class Store:
    def __init__(self, path: str | Path = DEFAULT_PATH, read_only: bool = False) -> None:
        self.path = Path(path)
        if read_only and not self.path.exists():
            raise StoreError(f"{self.path}: no database here yet (run `quanhe run` first)")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreError(f"{self.path}: the database is in use by another quanhe process; "
                                 "wait for it to finish") from exc
            raise StoreError(f"{self.path}: cannot open the database ({str(exc).splitlines()[0]})") from exc
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: not a quanhe database ({str(exc).splitlines()[0]})") from exc
        if not read_only:
            self._migrate()

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _migrate(self) -> None:
        self.con.execute(resources.files("quanhe.store").joinpath("schema.sql").read_text(encoding="utf-8"))
        found = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if found is None:
            self.con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        elif found[0] != SCHEMA_VERSION:
            raise StoreError(f"{self.path}: schema version {found[0]}, this quanhe expects {SCHEMA_VERSION}")

    def duplicate_index(self) -> NearDuplicateIndex:
        """Signatures of every stored article, to link near-copies in later batches."""
        index = NearDuplicateIndex()
        for article_id, blob in self.con.execute("SELECT id, minhash FROM articles WHERE minhash IS NOT NULL").fetchall():
            index.add(article_id, from_bytes(blob))
        return index

    def add(self, docs: Iterable[Document], index: NearDuplicateIndex | None = None) -> BatchResult:
        """Store a batch in one transaction; known or near-copy articles are linked, not stored twice."""
        index = index or self.duplicate_index()
        result = BatchResult()
        self.con.execute("BEGIN TRANSACTION")
        try:
            for doc in docs:
                article = doc.article
                source_row = [article.id, article.source, article.url]
                if self.con.execute("SELECT 1 FROM articles WHERE id = ?", [article.id]).fetchone():
                    result.already_stored += 1
                    self._link(source_row, "same", 1.0)
                    continue
                minhash = signature(article.text)
                near = index.find(minhash)
                if near:
                    result.near_duplicates += 1
                    article.duplicate_of = near[0]
                    self._link([near[0], article.source, article.url], "near_duplicate", near[1])
                    continue
                self._insert(doc, to_bytes(minhash))
                index.add(article.id, minhash)
                self._link(source_row, "original", 1.0)
                result.added += 1
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return result

    def _link(self, row: list[Any], relation: str, similarity: float) -> None:
        self.con.execute("INSERT INTO article_sources (article_id, source, url, relation, similarity) "
                         "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", row + [relation, similarity])

    def _insert(self, doc: Document, minhash: bytes) -> None:
        a = doc.article
        aid = a.id
        self.con.execute(
            "INSERT INTO articles (id, source, url, title, published, language, raw_text, text, content_hash, "
            "authors, warnings, minhash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [aid, a.source, a.url, a.title, a.published, a.language, a.raw_text, a.text, a.content_hash,
             a.authors, a.warnings, minhash])
        self._many("sentences", [(aid, s.index, s.start, s.end, s.paragraph, s.role) for s in doc.sentences])
        self._many("mentions", [(aid, i, m.start, m.end, m.text, m.canonical, m.country, m.sector, m.org, m.code,
                                 m.kind, m.resolved_by, m.sentence, m.entity, m.part_of)
                                for i, m in enumerate(doc.mentions)])
        self._many("times", [(aid, i, t.start, t.end, t.text, t.value, t.precision, t.sentence, t.anchor)
                             for i, t in enumerate(doc.times)])
        self._many("quotes", [(aid, i, q.start, q.end, q.text, q.kind, q.cue,
                               *(_actor("s", q.speaker).values()), q.outlet.canonical if q.outlet else None,
                               q.date, q.sentence) for i, q in enumerate(doc.quotes)])
        self._many("events", [(e.id, aid, e.type, e.mode, e.negated, e.modality, *_actor("s", e.source).values(),
                               *_actor("t", e.target).values(), e.date, e.date_precision, e.date_from,
                               _event_day(e.date), e.trigger, e.evidence.sentence, e.evidence.start,
                               e.evidence.end, e.evidence.text, e.confidence,
                               (e.place or {}).get("text"), (e.place or {}).get("country"),
                               e.speaker.canonical if e.speaker else None, e.story) for e in doc.events])
        self._many("assessments", [(aid, i, x.dyad[0], x.dyad[1], x.polarity, x.level,
                                    x.speaker.canonical if x.speaker else None,
                                    x.speaker.country if x.speaker else None, x.date, x.evidence.sentence,
                                    x.evidence.start, x.evidence.end, x.evidence.text, x.cue)
                                   for i, x in enumerate(doc.assessments)])

    def _many(self, table: str, rows: Sequence[tuple]) -> None:
        """Bulk insert through Arrow: DuckDB's executemany costs milliseconds per row."""
        if not rows:
            return
        names = [d[0] for d in self.con.execute(f"SELECT * FROM {table} LIMIT 0").description]
        names = names[:len(rows[0])]
        batch = pa.table({name: pa.array(list(values)) for name, values in zip(names, zip(*rows))})
        self.con.register("_batch", batch)
        try:
            self.con.execute(f"INSERT OR IGNORE INTO {table} ({', '.join(names)}) SELECT * FROM _batch")
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
