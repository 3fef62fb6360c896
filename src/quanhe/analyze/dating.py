"""The news day: the day the statements an article reports were made.

Vietnamese reports are often published the day after the statements they carry ("Phát biểu với báo giới ngày
20/2" in an article of 21 February). The first day-precision date in the text that falls within
NEWS_DAY_WINDOW days before publication is that day; without one, the publication date is.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta

from quanhe.model import Document

NEWS_DAY_WINDOW = 3
LEAD_PARAGRAPHS = 3  # headings within the first lines restate or introduce the article itself


def news_day(doc: Document) -> str | None:
    published = doc.article.published
    if published is None:
        return None
    for expr in doc.times:
        if expr.precision != "day" or not expr.value or len(expr.value) != 10:
            continue
        try:
            day = date.fromisoformat(expr.value)
        except ValueError:
            continue
        if timedelta(0) <= published - day <= timedelta(days=NEWS_DAY_WINDOW):
            return expr.value
    return published.isoformat()


def section_start(doc: Document) -> int | None:
    """Offset of the first subheading that opens a new section (an embedded or follow-up story) after the lead.

    What follows it is not necessarily news of the day: without a date of its own it stays undated rather than
    taking the news day. A heading in the first lines or one repeating the title is not a section break.
    """
    for sentence in doc.sentences:
        if sentence.role == "heading" and sentence.paragraph > LEAD_PARAGRAPHS \
                and doc.text[sentence.start:sentence.end] != doc.article.title:
            return sentence.start
    return None


def day_of(doc: Document, offset: int, today: str | None, section: int | None) -> str | None:
    """The default date for text at `offset`: the news day, or inside a later section the last date that section
    gave before it ("Trong khi đó, vào ngày 18/12, …" then the rest of that story), else none."""
    if section is None or offset < section:
        return today
    key = ("section days", section, id(doc.times), len(doc.times))
    if key not in doc._index:  # the section's day-precision times, by start: one bisect per call, not a scan
        given = sorted((t for t in doc.times if section <= t.start and t.value and t.precision == "day"),
                       key=lambda t: t.start)
        doc._index[key] = ([t.start for t in given], [t.value for t in given])
    starts, values = doc._index[key]
    before = bisect_left(starts, offset)
    return values[before - 1] if before else None
