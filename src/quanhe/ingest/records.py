"""What ingest hands to the rest of the pipeline: raw records, or a one-line reason why a source failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class RawRecord:
    source: str  # file path, "path:line" for a JSONL line, or "path#url" for a WARC record
    text: str
    title: str | None = None
    published: date | None = None
    url: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestError:
    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


class BadInput(ValueError):
    """A source that cannot be read; the message is one short sentence for the user."""
