"""The embedded store (DuckDB). `DEFAULT_PATH` lives here so the CLI can name it without loading the store."""

from pathlib import Path

DEFAULT_PATH = Path("quanhe.duckdb")
# DuckDB's memory in the commands that write (`quanhe run`, `quanhe load`; `--db-memory` changes it). Left to its
# default (80 % of the machine), DuckDB keeps much of what a long run wrote in memory: 1.1 GB after 56,000
# articles, growing. With this limit the run's memory stays flat (bench/RESULTS.md).
WRITE_MEMORY = "256MB"
