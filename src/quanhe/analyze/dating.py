"""The news day: the day the statements an article reports were made.

Vietnamese reports are often published the day after the statements they carry ("Phát biểu với báo giới ngày
20/2" in an article of 21 February). The first day-precision date in the text that falls within
NEWS_DAY_WINDOW days before publication is that day; without one, the publication date is.
"""

from __future__ import annotations

from datetime import date, timedelta

from quanhe.model import Document

NEWS_DAY_WINDOW = 3


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
