"""Size limits: one frozen settings object, read from the environment and overridden by command-line options.

- `max_article_chars` (`QUANHE_MAX_ARTICLE_CHARS`, `--max-article-chars` of run and serve; 5 Mi = 5,242,880
  characters): one article's text; a longer one is truncated with a warning;
- `max_jsonl_line_bytes` (`QUANHE_MAX_JSONL_LINE_BYTES`, `--max-jsonl-line-bytes` of run; 16 MiB): one JSONL
  line; a longer line is one ingest error;
- `max_file_bytes` (`QUANHE_MAX_FILE_BYTES`, `--max-file-bytes` of run; 20 MiB): one article file (text, HTML);
  a larger one is one ingest error, a larger WARC record's HTML is cut with a warning;
- `max_request_bytes` (`QUANHE_MAX_REQUEST_BYTES`, `--max-request-bytes` of serve; 1 MiB): one API request body;
  a larger one is answered 413.

The article limit counts characters (Unicode code points), not bytes: every offset of the store and the API
counts code points, and the same article arrives as UTF-8, in a legacy Vietnamese encoding or JSON-escaped,
each with a different byte length, so a byte limit would truncate it at a different place each time. The "5 MB"
of the specification is read as 5 Mi characters, which is at least 5 MiB of UTF-8. A truncated article keeps
whole characters (never half a UTF-8 sequence, and not a base letter without its combining marks), and its
warning is stored with it and shown by `quanhe run`.

Only the command-line entry points read the environment (`Limits.from_env`); library functions take a
`Limits` argument and use the defaults above without one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

ENV_PREFIX = "QUANHE_"
LARGEST = 1 << 50  # 1 PiB: beyond any real input, and small enough for every C-level size argument


class LimitError(ValueError):
    """A limit that is not a whole number from 1 to LARGEST; the message is one line naming the variable or option."""


@dataclass(frozen=True)
class Limits:
    max_article_chars: int = 5 * 1024 * 1024
    max_jsonl_line_bytes: int = 16 * 1024 * 1024
    max_file_bytes: int = 20 * 1024 * 1024
    max_request_bytes: int = 1024 * 1024

    def __post_init__(self) -> None:
        for spec in fields(self):
            _check(getattr(self, spec.name), spec.name)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: int | None) -> Limits:
        """Defaults, replaced by `QUANHE_MAX_…` variables of `environ` (os.environ by default), replaced by the
        options that are not None (`max_article_chars=1000`). LimitError names the variable or option at fault."""
        environ = os.environ if environ is None else environ
        known = {spec.name for spec in fields(cls)}
        unknown = set(options) - known
        if unknown:
            raise TypeError(f"unknown limit(s): {', '.join(sorted(unknown))}")
        values: dict[str, int] = {}
        for name in sorted(known):
            variable = env_name(name)
            raw = environ.get(variable)
            if raw is not None and raw.strip():
                values[name] = _parse(raw, variable)
        for name, value in options.items():
            if value is not None:
                values[name] = _check(value, option_name(name))
        return cls(**values)


def env_name(field: str) -> str:
    """max_article_chars -> QUANHE_MAX_ARTICLE_CHARS"""
    return ENV_PREFIX + field.upper()


def option_name(field: str) -> str:
    """max_article_chars -> --max-article-chars"""
    return "--" + field.replace("_", "-")


def _parse(raw: str, name: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise LimitError(f"{name}={raw!r} is not a whole number (expected 1 to {LARGEST})") from None
    return _check(value, name)


def _check(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= LARGEST:
        raise LimitError(f"{name}={value!r} is out of range (expected a whole number from 1 to {LARGEST})")
    return value


DEFAULT_LIMITS = Limits()
