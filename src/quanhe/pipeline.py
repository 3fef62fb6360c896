"""The pipeline: a raw record becomes a `Document` that each component enriches in turn.

Like spaCy's pipeline, every component is a callable `process(doc) -> None` over the same document object,
run in data-flow order: text (clean, sentences) -> analyze (actors, times, quotes) -> events (events,
assessments). `analyze()` is the one-call Python API.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date

import regex

from quanhe.analyze.actors import find_actors
from quanhe.analyze.quotes import find_quotes
from quanhe.analyze.times import find_times
from quanhe.events.assessments import find_assessments
from quanhe.events.coder import code_events
from quanhe.ingest.records import RawRecord
from quanhe.model import Article, Document
from quanhe.text.clean import clean
from quanhe.text.sentences import split_sentences

_LETTERS = regex.compile(r"\p{L}")
_SURROGATE = regex.compile(r"[\ud800-\udfff]")
_VIETNAMESE_LETTERS = regex.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", regex.I)


def _case_variants(pattern: regex.Pattern) -> re.Pattern:
    """A case-sensitive class of the letters of a one-letter case-insensitive pattern and their case forms that it
    matches: never more than it (so counts are lower bounds), as ranges for the `re` engine (several times faster
    than a case-insensitive `regex` class)."""
    variants = {v for c in pattern.pattern[1:-1] for v in (c, c.lower(), c.upper(), c.title(), c.casefold())
                if len(v) == 1 and pattern.fullmatch(v)}
    ranges: list[list[int]] = []
    for code in sorted(map(ord, variants)):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return re.compile("[" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
                                    for a, b in ranges) + "]")


_VIETNAMESE_QUICK = _case_variants(_VIETNAMESE_LETTERS)
_QUICK_CHARS = 600  # a prefix of the sample that decides nearly every Vietnamese text by itself


def detect_language(text: str) -> str:
    """'vi' when Vietnamese-only letters are frequent, else 'en' (the two languages the lexicons cover)."""
    sample = text[:1500]
    # Fast path: Vietnamese letters counted in a prefix already exceed 2% of the whole sample, so they exceed 2% of
    # its letters whatever the rest holds (a lower bound over an upper bound; 2.5% leaves room for rounding).
    if len(_VIETNAMESE_QUICK.findall(sample, 0, _QUICK_CHARS)) > 0.025 * len(sample):
        return "vi"
    letters = len(_LETTERS.findall(sample)) or 1
    return "vi" if len(_VIETNAMESE_LETTERS.findall(sample)) / letters > 0.02 else "en"


def article_id(clean_text: str) -> str:
    """Stable id from the normalised content, so re-ingesting the same article finds the same id."""
    # The clean text is already normalised: fold() without redoing it. Clean text is usually lines of single-spaced
    # words: then collapsing whitespace is replacing the line breaks (every whitespace character but the space is
    # unprintable, and case folding neither makes nor changes whitespace).
    flat = clean_text.replace("\n", " ")
    if flat.isprintable() and "  " not in flat and flat[:1] != " " and flat[-1:] != " ":
        key = flat.casefold()
    else:
        key = " ".join(clean_text.casefold().split())
    return "a-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _valid_unicode(text: str) -> str:
    """Unpaired surrogates (from a JSON escape, or a file name in another encoding) become U+FFFD: they are not
    characters, and neither hashing nor the store can take them."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if _SURROGATE.search(text) else text


def make_document(record: RawRecord, default_date: date | None = None) -> Document:
    """Ingest -> text stage: clean the raw text, split sentences, fill the Article."""
    if any(_SURROGATE.search(part) for part in (record.text, record.title or "", record.url or "", record.source)):
        record = replace(record, text=_valid_unicode(record.text), source=_valid_unicode(record.source),
                         title=_valid_unicode(record.title) if record.title else None,
                         url=_valid_unicode(record.url) if record.url else None,
                         warnings=record.warnings + ["unpaired surrogate characters replaced by U+FFFD"])
    lang = detect_language(record.text)
    cleaned = clean(record.text, lang, title=record.title)
    article = Article(
        id=article_id(cleaned.text),
        source=record.source,
        raw_text=record.text,
        text=cleaned.text,
        title=cleaned.title,
        published=record.published or default_date,
        language=lang,
        url=record.url,
        content_hash=hashlib.sha256(cleaned.text.encode("utf-8")).hexdigest(),
        warnings=record.warnings + cleaned.warnings,
        authors=cleaned.authors,
    )
    return Document(article, sentences=split_sentences(cleaned.lines, cleaned.text, lang))


def _actors(doc: Document) -> None:
    doc.mentions = find_actors(doc)


def _times(doc: Document) -> None:
    doc.times = find_times(doc.text, doc.article.published, doc.sentences, doc.article.language or "vi")


def _quotes(doc: Document) -> None:
    doc.quotes = find_quotes(doc)


def _events(doc: Document) -> None:
    doc.events = code_events(doc)


def _assessments(doc: Document) -> None:
    doc.assessments = find_assessments(doc)


COMPONENTS: tuple[tuple[str, Callable[[Document], None]], ...] = (
    ("actors", _actors), ("times", _times), ("quotes", _quotes), ("events", _events), ("assessments", _assessments),
)


@dataclass
class StageTimer:
    """Seconds spent per stage, for the benchmark's time shares."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, elapsed: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + elapsed


def process(record: RawRecord, default_date: date | None = None, timer: StageTimer | None = None) -> Document:
    started = time.perf_counter()
    doc = make_document(record, default_date)
    if timer:
        timer.add("text", time.perf_counter() - started)
    for name, component in COMPONENTS:
        started = time.perf_counter()
        component(doc)
        if timer:
            timer.add(name, time.perf_counter() - started)
    return doc


def process_all(records: Iterable[RawRecord], default_date: date | None = None) -> Iterable[Document]:
    for record in records:
        yield process(record, default_date)


def analyze(text: str, published: date | str | None = None, source: str = "<text>", title: str | None = None,
            url: str | None = None) -> Document:
    """Analyse one article's text (a leading `date YYYY-MM-DD` header is honoured) without any database."""
    from quanhe.ingest.readers import parse_date, split_date_header
    from quanhe.ingest.records import BadInput

    warnings = []
    try:
        body, header_date = split_date_header(text)
    except BadInput as exc:  # the API never raises on content: the line stays text, and says why
        body, header_date = text, None
        warnings.append(f"date header ignored: {exc}")
    published = parse_date(published) if isinstance(published, str) else published
    return process(RawRecord(source, body, title=title, published=header_date or published, url=url,
                             warnings=warnings))
