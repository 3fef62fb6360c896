"""Language knowledge as data: TSV and YAML files under `lexicons/<lang>/`.

TSV files have a header row; lines starting with `#` are comments (sources, review notes) and blank lines are
ignored. Adding a trigger verb or a country spelling means editing these files, not code.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


def _path(lang: str, name: str):
    return resources.files(__package__).joinpath(lang, name)


@cache
def load_tsv(lang: str, name: str) -> tuple[dict[str, str], ...]:
    """Rows of `lexicons/<lang>/<name>` as dicts keyed by the header; empty cells become ''."""
    path = _path(lang, name)
    if not path.is_file():
        return ()
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if header is None:
            header = cells
            continue
        if len(cells) > len(header):
            raise ValueError(f"{lang}/{name}:{line_number}: {len(cells)} cells for {len(header)} columns")
        cells += [""] * (len(header) - len(cells))
        rows.append(dict(zip(header, cells)))
    return tuple(rows)


@cache
def load_yaml(lang: str, name: str) -> Any:
    path = _path(lang, name)
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
