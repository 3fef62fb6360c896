"""Readers for every input kind: plain text, HTML, JSONL dumps, WARC archives, and folders of them.

Each reader yields `RawRecord`s or `IngestError`s and never raises for bad input, so one broken file
never stops a batch. JSONL and WARC are streamed: memory does not grow with the size of a dump.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import regex

from quanhe.ingest.records import BadInput, IngestError, RawRecord
from quanhe.text.legacy import UnreadableText, decode_bytes

MAX_FILE_BYTES = 20 * 1024 * 1024  # one article file; dumps (JSONL, WARC) are streamed instead
MAX_ARTICLE_CHARS = 5 * 1024 * 1024
MAX_JSONL_LINE_BYTES = 16 * 1024 * 1024
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


def _bounded(record: RawRecord) -> RawRecord:
    if len(record.text) > MAX_ARTICLE_CHARS:
        record.warnings.append(f"article truncated from {len(record.text)} to {MAX_ARTICLE_CHARS} characters")
        record.text = record.text[:MAX_ARTICLE_CHARS]
    return record


def _read_bytes(path: Path) -> bytes:
    size = path.stat().st_size
    if size == 0:
        raise BadInput("empty file")
    if size > MAX_FILE_BYTES:
        raise BadInput(f"file too large for one article ({size / 2**20:.1f} MiB > {MAX_FILE_BYTES / 2**20:.0f} MiB); "
                       "split it or use a JSONL dump")
    return path.read_bytes()


def _decode(data: bytes) -> tuple[str, list[str]]:
    try:
        decoded = decode_bytes(data)
    except UnreadableText as exc:
        raise BadInput(str(exc)) from exc
    return decoded.text, [decoded.warning] if decoded.warning else []


def read_text_file(path: Path) -> RawRecord:
    text, warnings = _decode(_read_bytes(path))
    body, published = split_date_header(text)
    if not body.strip():
        raise BadInput("no text after the header")
    return _bounded(RawRecord(str(path), body, published=published, warnings=warnings))


def html_to_record(html: str, source: str, url: str | None = None) -> RawRecord:
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
    return _bounded(RawRecord(source, text, title=title, published=published, url=url))


def read_html_file(path: Path) -> RawRecord:
    text, warnings = _decode(_read_bytes(path))
    record = html_to_record(text, str(path))
    record.warnings[:0] = warnings
    return record


def jsonl_record(line: bytes, source: str) -> RawRecord:
    if len(line) > MAX_JSONL_LINE_BYTES:
        raise BadInput(f"line longer than {MAX_JSONL_LINE_BYTES // (1024 * 1024)} MB")
    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"malformed JSON ({exc.__class__.__name__}: {str(exc).splitlines()[0][:80]})") from exc
    if not isinstance(obj, dict):
        raise BadInput("a JSONL line must be an object with a 'text' field")
    text = obj.get("text") or obj.get("content") or obj.get("body")
    if "html" in obj and not text:
        return html_to_record(str(obj["html"]), source, obj.get("url"))
    if not isinstance(text, str) or not text.strip():
        raise BadInput("no 'text' field")
    body, header_date = split_date_header(text)
    published = parse_date(obj.get("date") or obj.get("published")) or header_date
    return _bounded(RawRecord(source, body, title=obj.get("title"), published=published, url=obj.get("url")))


def read_jsonl(path: Path) -> Iterator[RawRecord | IngestError]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        for number, line in enumerate(_bounded_lines(handle), 1):
            if line is None:
                yield IngestError(f"{path}:{number}", f"line longer than {MAX_JSONL_LINE_BYTES // (1024 * 1024)} MB")
                continue
            if not line.strip():
                continue
            source = f"{path}:{number}"
            try:
                yield jsonl_record(line, source)
            except BadInput as exc:
                yield IngestError(source, str(exc))


def _bounded_lines(handle) -> Iterator[bytes | None]:
    """Lines of a binary file, or None for a line longer than MAX_JSONL_LINE_BYTES, which is skipped in chunks
    instead of being read into memory."""
    while True:
        line = handle.readline(MAX_JSONL_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_JSONL_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(1024 * 1024)
            yield None
            continue
        yield line


def read_warc(path: Path) -> Iterator[RawRecord | IngestError]:
    from warcio.archiveiterator import ArchiveIterator

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
                    text, _ = _decode(record.content_stream().read(MAX_FILE_BYTES))
                    yield html_to_record(text, source, url)
                except BadInput as exc:
                    yield IngestError(source, str(exc))
        except Exception as exc:  # warcio raises many kinds of errors for a damaged archive
            yield IngestError(str(path), f"damaged WARC archive ({exc.__class__.__name__})")


def _read_one(path: Path) -> Iterator[RawRecord | IngestError]:
    name = path.name.lower()
    if name.endswith(WARC_SUFFIXES):
        yield from read_warc(path)
    elif path.suffix.lower() in JSONL_SUFFIXES or name.endswith((".jsonl.gz", ".ndjson.gz")):
        yield from read_jsonl(path)
    elif path.suffix.lower() in HTML_SUFFIXES:
        yield read_html_file(path)
    else:
        yield read_text_file(path)


def read_paths(paths: Iterable[str | Path]) -> Iterator[RawRecord | IngestError]:
    """Every record under the given files and folders (recursively, in name order)."""
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
                yield from _read_one(file)
            except BadInput as exc:
                yield IngestError(str(file), str(exc))
            except OSError as exc:
                yield IngestError(str(file), f"cannot read ({exc.strerror or exc.__class__.__name__})")
