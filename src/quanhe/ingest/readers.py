"""Readers for every input kind: plain text, HTML, JSONL dumps, WARC archives, and folders of them.

Each reader yields `RawRecord`s or `IngestError`s and never raises for bad input, so one broken file
never stops a batch. JSONL and WARC are streamed: memory does not grow with the size of a dump.

Sizes are bounded by a `quanhe.limits.Limits` passed down from the caller (`quanhe run` reads it from the
environment and its options). Without one, the module constants below apply: they are the library defaults.
An article over `max_article_chars` is truncated with a warning, never dropped; a JSONL line over
`max_jsonl_line_bytes` and a file over `max_file_bytes` are one ingest error each.
"""

from __future__ import annotations

import gzip
import json
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import regex

from quanhe.ingest.records import BadInput, IngestError, RawRecord
from quanhe.limits import DEFAULT_LIMITS, Limits
from quanhe.ingest.encoding import UnreadableText, decode_bytes

# The library defaults (quanhe.limits), read when a caller passes no Limits.
MAX_FILE_BYTES = DEFAULT_LIMITS.max_file_bytes  # one article file; dumps (JSONL, WARC) are streamed instead
MAX_ARTICLE_CHARS = DEFAULT_LIMITS.max_article_chars  # characters (code points), not bytes
MAX_JSONL_LINE_BYTES = DEFAULT_LIMITS.max_jsonl_line_bytes
TRUNCATED = "article truncated"  # how a truncation warning starts
MAX_COMBINING_BACKOFF = 16  # a cut moves back at most this far to keep a letter with its combining marks
DATE_HEADER = regex.compile(r"^\ufeff?\s*date\s+(\d{4}-\d{2}-\d{2})[ \t]*\n?")
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
TEXT_SUFFIXES = {".txt", ".text", ".md", ""}


def parse_date(value: object) -> date | None:
    """An ISO date or datetime string (or None); anything else is not a date."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise BadInput(f"invalid date {value!r} (expected YYYY-MM-DD)") from exc


def split_date_header(text: str) -> tuple[str, date | None]:
    """Remove a leading `date YYYY-MM-DD` header and return it as the publication date; BadInput when the header
    is not a real date ("date 2026-22-21")."""
    match = DATE_HEADER.match(text)
    if not match:
        return text, None
    return text[match.end():], parse_date(match.group(1))


def _limits(limits: Limits | None) -> Limits:
    """The caller's limits, else the module constants (read now, so they can be patched in tests)."""
    if limits is not None:
        return limits
    return Limits(max_article_chars=MAX_ARTICLE_CHARS, max_jsonl_line_bytes=MAX_JSONL_LINE_BYTES,
                  max_file_bytes=MAX_FILE_BYTES)


def truncation_point(text: str, limit: int) -> int:
    """Where to cut `text` to at most `limit` characters: Python strings are code points, so a cut never splits a
    UTF-8 sequence; it also moves back over combining marks (up to MAX_COMBINING_BACKOFF) so that a letter keeps
    its tone and vowel marks."""
    if len(text) <= limit:
        return len(text)
    cut = limit
    while cut > 0 and limit - cut < MAX_COMBINING_BACKOFF and unicodedata.combining(text[cut]):
        cut -= 1
    return cut if cut > 0 and not unicodedata.combining(text[cut]) else limit


def bound_record(record: RawRecord, limits: Limits | None = None) -> RawRecord:
    """The record with its text cut to `max_article_chars`, and a warning saying so (never a silent drop)."""
    limit = _limits(limits).max_article_chars
    if len(record.text) > limit:
        cut = truncation_point(record.text, limit)
        record.warnings.append(f"{TRUNCATED} from {len(record.text)} to {cut} characters (limit {limit}: "
                               "QUANHE_MAX_ARTICLE_CHARS or --max-article-chars)")
        record.text = record.text[:cut]
    return record


def _read_bytes(path: Path, limits: Limits | None = None) -> bytes:
    size = path.stat().st_size
    if size == 0:
        raise BadInput("empty file")
    limit = _limits(limits).max_file_bytes
    if size > limit:
        raise BadInput(f"file too large for one article ({_size(size)} > {_size(limit)}); "
                       "split it or use a JSONL dump")
    return path.read_bytes()


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n} bytes"


def _decode(data: bytes) -> tuple[str, list[str]]:
    try:
        decoded = decode_bytes(data)
    except UnreadableText as exc:
        raise BadInput(str(exc)) from exc
    return decoded.text, [decoded.warning] if decoded.warning else []


def read_text_file(path: Path, limits: Limits | None = None) -> RawRecord:
    text, warnings = _decode(_read_bytes(path, limits))
    body, published = split_date_header(text)
    if not body.strip():
        raise BadInput("no text after the header")
    return bound_record(RawRecord(str(path), body, published=published, warnings=warnings), limits)


def html_to_record(html: str, source: str, url: str | None = None, limits: Limits | None = None) -> RawRecord:
    """Main text, title and date of a web page (trafilatura, with htmldate for the date)."""
    import trafilatura
    from htmldate import find_date

    extracted = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                            favor_precision=True)
    text = getattr(extracted, "text", None) if extracted is not None else None
    if not text or not text.strip():
        raise BadInput("no article text found in the HTML page")
    title = getattr(extracted, "title", None)
    published = parse_date(getattr(extracted, "date", None) or find_date(html, url=url, original_date=True))
    if title and not text.startswith(title):
        text = f"{title}\n{text}"
    return bound_record(RawRecord(source, text, title=title, published=published, url=url), limits)


def read_html_file(path: Path, limits: Limits | None = None) -> RawRecord:
    text, warnings = _decode(_read_bytes(path, limits))
    record = html_to_record(text, str(path), limits=limits)
    record.warnings[:0] = warnings
    return record


def _line_too_long(limit: int) -> str:
    return f"line longer than {limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else \
        f"line longer than {limit} bytes"


def jsonl_record(line: bytes, source: str, limits: Limits | None = None) -> RawRecord:
    limit = _limits(limits).max_jsonl_line_bytes
    if len(line) > limit:
        raise BadInput(_line_too_long(limit))
    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"malformed JSON ({exc.__class__.__name__}: {str(exc).splitlines()[0][:80]})") from exc
    if not isinstance(obj, dict):
        raise BadInput("a JSONL line must be an object with a 'text' field")
    return object_record(obj, source, limits)


def object_record(obj: dict, source: str, limits: Limits | None = None) -> RawRecord:
    """A record from one article object (a JSONL line, an API request): `text` (or `content`, `body`, or
    `html`), optional `title`, `date` or `published`, `url`; the text may start with a `date` header."""
    text = obj.get("text") or obj.get("content") or obj.get("body")
    if "html" in obj and not text:
        return html_to_record(str(obj["html"]), source, obj.get("url"), limits)
    if not isinstance(text, str) or not text.strip():
        raise BadInput("no text (the 'text' field is missing or blank)")
    body, header_date = split_date_header(text)
    if not body.strip():
        raise BadInput("no text after the date header")
    published = parse_date(obj.get("date") or obj.get("published")) or header_date
    return bound_record(RawRecord(source, body, title=obj.get("title"), published=published, url=obj.get("url")),
                        limits)


def read_jsonl(path: Path, limits: Limits | None = None) -> Iterator[RawRecord | IngestError]:
    limits = _limits(limits)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        for number, line in enumerate(_bounded_lines(handle, limits.max_jsonl_line_bytes), 1):
            if line is None:
                yield IngestError(f"{path}:{number}", _line_too_long(limits.max_jsonl_line_bytes))
                continue
            if not line.strip():
                continue
            source = f"{path}:{number}"
            try:
                yield jsonl_record(line, source, limits)
            except BadInput as exc:
                yield IngestError(source, str(exc))


def _bounded_lines(handle, limit: int | None = None) -> Iterator[bytes | None]:
    """Lines of a binary file, or None for a line longer than `limit` bytes, which is skipped in chunks
    instead of being read into memory."""
    limit = MAX_JSONL_LINE_BYTES if limit is None else limit
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(1024 * 1024)
            yield None
            continue
        yield line


def read_warc(path: Path, limits: Limits | None = None) -> Iterator[RawRecord | IngestError]:
    from warcio.archiveiterator import ArchiveIterator

    limits = _limits(limits)
    with open(path, "rb") as handle:
        try:
            for record in ArchiveIterator(handle):
                if record.rec_type != "response":
                    continue
                content_type = record.http_headers.get_header("Content-Type", "") if record.http_headers else ""
                if "html" not in content_type:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                source = f"{path}#{url}"
                try:
                    data = record.content_stream().read(limits.max_file_bytes + 1)
                    text, _ = _decode(data[:limits.max_file_bytes])
                    item = html_to_record(text, source, url, limits)
                    if len(data) > limits.max_file_bytes:
                        item.warnings.append(f"HTML cut to its first {_size(limits.max_file_bytes)} before "
                                             "extraction (QUANHE_MAX_FILE_BYTES or --max-file-bytes)")
                    yield item
                except BadInput as exc:
                    yield IngestError(source, str(exc))
        except Exception as exc:  # warcio raises many kinds of errors for a damaged archive
            yield IngestError(str(path), f"damaged WARC archive ({exc.__class__.__name__})")


def _read_one(path: Path, limits: Limits) -> Iterator[RawRecord | IngestError]:
    name = path.name.lower()
    if name.endswith(WARC_SUFFIXES):
        yield from read_warc(path, limits)
    elif path.suffix.lower() in JSONL_SUFFIXES or name.endswith((".jsonl.gz", ".ndjson.gz")):
        yield from read_jsonl(path, limits)
    elif path.suffix.lower() in HTML_SUFFIXES:
        yield read_html_file(path, limits)
    else:
        yield read_text_file(path, limits)


def read_paths(paths: Iterable[str | Path], limits: Limits | None = None) -> Iterator[RawRecord | IngestError]:
    """Every record under the given files and folders (recursively, in name order), within `limits` (the
    module defaults without)."""
    limits = _limits(limits)
    for given in paths:
        path = Path(given)
        if not path.exists():
            yield IngestError(str(path), "no such file or folder")
            continue
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")) \
            if path.is_dir() else [path]
        if path.is_dir() and not files:
            yield IngestError(str(path), "folder holds no files")
        for file in files:
            try:
                yield from _read_one(file, limits)
            except BadInput as exc:
                yield IngestError(str(file), str(exc))
            except OSError as exc:
                yield IngestError(str(file), f"cannot read ({exc.strerror or exc.__class__.__name__})")
