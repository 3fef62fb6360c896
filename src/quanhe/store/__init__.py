"""The embedded store (DuckDB). `DEFAULT_PATH` lives here so the CLI can name it without loading the store."""

from pathlib import Path

DEFAULT_PATH = Path("quanhe.duckdb")
# DuckDB's memory while `quanhe run` stores articles (`--db-memory` changes it). Left to its default (80 % of the
# machine), DuckDB kept much of what a long run wrote: 1.1 GB after 56,000 articles, and growing. 128MB stored
# as fast as 256MB or no limit (bench/RESULTS.md).
WRITE_MEMORY = "128MB"
