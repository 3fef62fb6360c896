"""The core model every stage reads and enriches.

A `Document` flows through the pipeline the way spaCy's `Doc` does: ingest fills its `Article`, the text
stage cleans it and splits `Sentence`s, the analyze stage adds `Mention`s, `TimeExpr`s and `Quote`s, the
events stage adds `Event`s and `Assessment`s. Every span is a pair of character offsets into
`Article.text` (the clean text), so any output can show its exact evidence.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

SECTORS = ("GOV", "MIL", "DIP", "LEG", "JUD", "MED", "BUS", "REB", "CVL", "IGO")
PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)


@dataclass
class Article:
    """One news article: where it came from, its metadata, and its raw and clean text."""

    id: str
    source: str
    raw_text: str
    text: str = ""
    title: str | None = None
    published: date | None = None
    language: str | None = None
    url: str | None = None
    content_hash: str = ""
    authors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duplicate_of: str | None = None


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    paragraph: int
    role: str = "body"  # body | title | heading | caption


@dataclass
class Mention:
    """An actor mention resolved to a code; `resolved_by` says why (gazetteer, title, coreference, context).

    kind: COUNTRY | CAPITAL_METONYM | INSTITUTION | ORG | PERSON (named people), ROLE (a person known only by a
    title: "một quan chức Bộ Ngoại giao Nga"), PRONOUN ("ông", "bà"), PLACE (a country or city named only as a
    location: "tại Geneva, Thụy Sĩ"). `part_of` points at the mention this one only qualifies ("Nga" in
    "Bộ Ngoại giao Nga" or "Thứ trưởng Ngoại giao Nga Sergei Ryabkov"), so coders use the principal actor.
    """

    start: int
    end: int
    text: str
    canonical: str | None
    country: str | None
    sector: str | None
    kind: str
    resolved_by: str
    sentence: int = -1
    entity: int = -1  # coreference chain id within the document
    org: str | None = None  # IGO code (UN, NATO, EU...) for international organisations and their officials
    part_of: int = -1

    @property
    def code(self) -> str | None:
        """The code events are coded with: the country, else the IGO code."""
        return self.country or self.org

    @property
    def principal(self) -> bool:
        return self.part_of < 0 and self.kind != "PLACE"

    def brief(self) -> dict[str, Any]:
        return {"text": self.text, "name": self.canonical, "country": self.country, "sector": self.sector,
                "code": self.code, "kind": self.kind, "start": self.start, "end": self.end}


@dataclass
class TimeExpr:
    start: int
    end: int
    text: str
    value: str | None  # YYYY-MM-DD, YYYY-MM or YYYY; None when it cannot be resolved
    precision: str  # day | month | year | period
    sentence: int = -1
    anchor: str = "text"  # text (absolute) | published (relative to publication) | context (cùng ngày, hôm đó)


@dataclass
class Quote:
    start: int
    end: int
    text: str
    kind: str  # direct | indirect
    cue: str
    speaker: Mention | None
    outlet: Mention | None = None
    date: str | None = None
    sentence: int = -1


@dataclass
class Evidence:
    article: str
    sentence: int
    start: int
    end: int
    text: str


@dataclass
class Event:
    id: str
    type: str
    mode: str | None
    negated: bool
    modality: str | None  # possible | planned | conditional | None
    source: Mention | None
    target: Mention | None
    date: str | None
    date_precision: str | None
    date_from: str  # text | attribution | published | none
    trigger: str
    evidence: Evidence
    confidence: float
    place: dict[str, Any] | None = None
    speaker: Mention | None = None
    story: str | None = None

    @property
    def dyad(self) -> str | None:
        if self.source and self.target and self.source.code and self.target.code:
            return f"{self.source.code}-{self.target.code}"
        return None


@dataclass
class Assessment:
    """An official (or the article itself, speaker None) characterising how a relationship stands."""

    dyad: tuple[str, str]
    polarity: str  # negative | neutral | positive
    level: str | None
    speaker: Mention | None
    date: str | None
    evidence: Evidence
    cue: str = ""


@dataclass
class Document:
    article: Article
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    times: list[TimeExpr] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)

    _index: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def text(self) -> str:
        return self.article.text

    def _starts(self, name: str, items: list) -> list[int]:
        """Start offsets of a layer, rebuilt when the layer changed, for binary search (stages call the look-ups
        below once per trigger or mention: a linear scan there made long articles quadratic)."""
        key = (name, id(items), len(items))
        if key not in self._index:
            self._index.clear() if len(self._index) > 8 else None
            self._index[key] = [item.start for item in items]
        return self._index[key]

    def sentence_at(self, offset: int) -> Sentence | None:
        starts = self._starts("sentences", self.sentences)
        position = bisect_right(starts, offset) - 1
        if position >= 0 and offset < self.sentences[position].end:
            return self.sentences[position]
        return None

    def mentions_between(self, start: int, end: int) -> list[Mention]:
        """Mentions that start in [start, end) (mentions are kept sorted by start)."""
        starts = self._starts("mentions", self.mentions)
        return self.mentions[bisect_left(starts, start):bisect_left(starts, end)]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("_index")
        data["article"]["published"] = self.article.published.isoformat() if self.article.published else None
        return data
