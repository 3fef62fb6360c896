"""The embedded store (DuckDB). `DEFAULT_PATH` lives here so the CLI can name it without loading the store."""

from pathlib import Path

DEFAULT_PATH = Path("quanhe.duckdb")
