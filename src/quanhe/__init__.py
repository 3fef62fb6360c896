"""quanhe: evidence-linked political event data from Vietnamese (and English) news.

`quanhe.analyze(text, published=...)` runs the whole pipeline on one article and returns a `Document`.
"""

from quanhe.model import Article, Assessment, Document, Event, Mention, Quote, Sentence, TimeExpr
from quanhe.pipeline import analyze

__all__ = ["Article", "Assessment", "Document", "Event", "Mention", "Quote", "Sentence", "TimeExpr", "analyze"]
