"""Score the pipeline against hand-annotated gold (`shared/gold/README.md` states the matching rules).

Four layers are scored, each micro-averaged over all documents: actors, events, quotes and assessments.
Every comparison of surface text goes through `fold()`, so case, tone placement and censorship dots never
decide a match. A layer the pipeline does not produce yet scores 0 (it is never skipped), and any ratio whose
denominator is 0 is defined as 0, so an empty output can never look good.

Decisions the README leaves open, fixed here:
- Actors are compared as sets of distinct (folded surface, code) pairs per article, on both sides: the gold
  lists case variants separately ("Liên Hợp Quốc" / "Liên hợp quốc"), which fold to one pair, and one
  prediction must not earn two true positives.
- Text overlap counts tokens (`\\w+` runs of the folded text) as multisets, so a repeated word counts as
  often as it occurs on both sides.
- An IGO agrees on its "canonical code" when the gold canonical equals the mention's IGO code ("NATO") or its
  canonical name ("United Nations"): the gold uses both forms.
- Quotes are paired greedily by best overlap over all candidate pairs; events and assessments are paired in
  gold order, each taking the free prediction with the same key whose evidence covers the gold's most.
- A quote without a speaker never counts as having the right speaker country, even against a null gold country.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from quanhe.model import Assessment, Document, Event, Mention, Quote
from quanhe.text.normalize import fold

LAYERS = ("actors", "events", "quotes", "assessments")

# Mention kinds that name an actor; the gold lists no pronouns (PRONOUN), titles alone (ROLE) or places (PLACE).
ACTOR_KINDS = frozenset({"COUNTRY", "CAPITAL_METONYM", "INSTITUTION", "ORG", "PERSON"})
QUOTE_OVERLAP = 0.5
_HEADER_DATE = re.compile(r"\s*date\s+(\d{4}-\d{2}-\d{2})")
_TOKEN = re.compile(r"\w+")


@dataclass
class Counts:
    """True/false positives and false negatives; P, R and F1 are 0 when their denominator is 0."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def p(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def r(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


@dataclass
class Mean:
    """A running mean kept as sum and count so documents can be pooled (micro-averaged); 0 when empty."""

    total: float = 0.0
    n: int = 0

    def __add__(self, other: Mean) -> Mean:
        return Mean(self.total + other.total, self.n + other.n)

    @property
    def value(self) -> float:
        return _ratio(self.total, self.n)


@dataclass
class LayerResult:
    """One layer's score for one document (or pooled), with the items a developer needs to see why.

    `missed` holds unmatched gold records (dicts as in the gold file), `spurious` unmatched predictions (model
    objects; a `Mention` standing for its actor pair), and `mismatched` (what, gold, prediction) triples that
    matched but fail a secondary score ("date" for events, "speaker" for quotes).
    """

    counts: Counts = field(default_factory=Counts)
    extra: dict[str, Counts | Mean] = field(default_factory=dict)
    missed: list[dict[str, Any]] = field(default_factory=list)
    spurious: list[Any] = field(default_factory=list)
    mismatched: list[tuple[str, dict[str, Any], Any]] = field(default_factory=list)

    def __add__(self, other: LayerResult) -> LayerResult:
        extra = dict(self.extra)
        for name, value in other.extra.items():
            extra[name] = extra[name] + value if name in extra else value
        return LayerResult(self.counts + other.counts, extra, self.missed + other.missed,
                           self.spurious + other.spurious, self.mismatched + other.mismatched)


@dataclass
class DocResult:
    doc: str
    layers: dict[str, LayerResult]


@dataclass
class EvalResult:
    documents: list[DocResult]

    @property
    def totals(self) -> dict[str, LayerResult]:
        """Each layer pooled over all documents: the micro-averaged scores."""
        totals = {layer: LayerResult() for layer in LAYERS}
        for document in self.documents:
            for layer in LAYERS:
                totals[layer] = totals[layer] + document.layers[layer]
        return totals


def evaluate(gold_path: Path, docs_dir: Path, analyze: Callable[..., Document] | None = None) -> EvalResult:
    """Run `analyze` on every document the gold file names and score its output against the annotations."""
    if analyze is None:
        from quanhe.pipeline import analyze
    documents = []
    for record in _read_gold(Path(gold_path)):
        path = Path(docs_dir) / record["doc"]
        if not path.is_file():
            raise FileNotFoundError(f"gold document {record['doc']} not found in {docs_dir}")
        text = path.read_text(encoding="utf-8")
        published = _header_date(text) or _parse_date(record.get("published"))
        documents.append(score_document(record, analyze(text, published=published, source=record["doc"])))
    return EvalResult(documents)


def score_document(record: dict[str, Any], doc: Document) -> DocResult:
    return DocResult(record["doc"], {
        "actors": match_actors(record.get("actors", []), doc.mentions),
        "events": match_events(record.get("events", []), doc.events),
        "quotes": match_quotes(record.get("quotes", []), doc.quotes),
        "assessments": match_assessments(record.get("assessments", []), doc.assessments),
    })


# --- actors ---------------------------------------------------------------------------------------------

def gold_actor_code(actor: dict[str, Any]) -> str | None:
    """The gold counterpart of `Mention.code`: the country, or for an IGO its canonical name."""
    if actor.get("country"):
        return actor["country"]
    if actor.get("sector") == "IGO":
        return actor.get("canonical")
    return None


def is_predicted_actor(mention: Mention) -> bool:
    """Only named mentions count: pronouns, roles, places and coreference short forms ("ông Peskov") are not
    listed in the gold."""
    return mention.kind in ACTOR_KINDS and mention.resolved_by != "coreference"


def predicted_actor_code(mention: Mention, gold_codes: set[str | None]) -> str | None:
    """`Mention.code`, except that an IGO mention may also match by its canonical name.

    The README asks IGOs to agree on "the same canonical code", and the gold writes some as codes ("NATO") and
    some as names ("United Nations"), while `Mention.code` gives the IGO code ("UN"): either form is accepted.
    """
    is_igo = not mention.country and bool(mention.org or mention.sector == "IGO")
    if is_igo and mention.code not in gold_codes and mention.canonical in gold_codes:
        return mention.canonical
    return mention.code


def match_actors(gold: list[dict[str, Any]], mentions: list[Mention]) -> LayerResult:
    """Set comparison of (folded surface, code) pairs; `sector` adds the sector to both sides' keys."""
    gold_pairs = _first_by_key(gold, lambda a: (fold(a["text"]), gold_actor_code(a)))
    gold_triples = {(fold(a["text"]), gold_actor_code(a), a.get("sector")) for a in gold}
    gold_codes = {code for _, code in gold_pairs}
    predicted = [(m, predicted_actor_code(m, gold_codes)) for m in mentions if is_predicted_actor(m)]
    pred_pairs = _first_by_key(predicted, lambda mc: (fold(mc[0].text), mc[1]))
    pred_triples = {(fold(m.text), code, m.sector) for m, code in predicted}
    return LayerResult(
        counts=_set_counts(gold_pairs, pred_pairs),
        extra={"sector": _set_counts(gold_triples, pred_triples)},
        missed=[a for key, a in gold_pairs.items() if key not in pred_pairs],
        spurious=[m for key, (m, _) in pred_pairs.items() if key not in gold_pairs],
    )


def _first_by_key(items: Iterable[Any], key: Callable[[Any], Any]) -> dict[Any, Any]:
    """Distinct keys in first-seen order, each with its first item (what the details report shows)."""
    firsts: dict[Any, Any] = {}
    for item in items:
        firsts.setdefault(key(item), item)
    return firsts


def _set_counts(gold: Iterable[Any], predicted: Iterable[Any]) -> Counts:
    gold, predicted = set(gold), set(predicted)
    return Counts(tp=len(gold & predicted), fp=len(predicted - gold), fn=len(gold - predicted))


# --- events ---------------------------------------------------------------------------------------------

def mention_code(mention: Mention | None) -> str | None:
    """`Mention.code`, or None when the event has no such participant."""
    return mention.code if mention else None


def date_matches(gold: str | None, predicted: str | None) -> bool:
    """Compare at the gold's precision: gold '2022-03' accepts '2022-03-15'; a null gold wants a null date."""
    if gold is None or predicted is None:
        return gold is None and predicted is None
    return predicted == gold or predicted.startswith(gold + "-")


def match_events(gold: list[dict[str, Any]], events: list[Event]) -> LayerResult:
    """One-to-one on (type, source, target, negated); dates and evidence are scored over the matched pairs."""
    pairs, missed, spurious = _pair_by_key(
        gold, events,
        gold_key=lambda g: (g["type"], g.get("source"), g.get("target"), bool(g.get("negated"))),
        pred_key=lambda e: (e.type, mention_code(e.source), mention_code(e.target), bool(e.negated)),
        gold_text=lambda g: g.get("evidence", ""),
        pred_text=lambda e: e.evidence.text,
    )
    dates, evidence, wrong_dates = Mean(), Mean(), []
    for g, e in pairs:
        right = date_matches(g.get("date"), e.date)
        dates += Mean(float(right), 1)
        evidence += Mean(coverage(g.get("evidence", ""), e.evidence.text), 1)
        if not right:
            wrong_dates.append(("date", g, e))
    extra: dict[str, Counts | Mean] = {"date_accuracy": dates, "evidence_overlap": evidence}
    return LayerResult(Counts(len(pairs), len(spurious), len(missed)), extra, missed, spurious, wrong_dates)


# --- quotes ---------------------------------------------------------------------------------------------

def same_speaker(gold: dict[str, Any], quote: Quote) -> bool:
    """Speaker canonical names compared case-insensitively (through `fold`)."""
    canonical = quote.speaker.canonical if quote.speaker else None
    return canonical is not None and fold(canonical) == fold(gold.get("speaker") or "")


def same_speaker_country(gold: dict[str, Any], quote: Quote) -> bool:
    """The looser speaker score; a quote with no speaker at all never earns it, even against a null country."""
    return quote.speaker is not None and quote.speaker.country == gold.get("speaker_country")


def match_quotes(gold: list[dict[str, Any]], quotes: list[Quote]) -> LayerResult:
    """F1 over quotes paired on speaker and text overlap; speaker accuracy over quotes paired on text alone."""
    counts, missed, spurious = _quote_counts(gold, quotes)
    by_text, _, _ = _pair_by_overlap(gold, quotes, lambda g, q: True)
    speaker, country, wrong_speakers = Mean(), Mean(), []
    for g, q in by_text:
        right = same_speaker(g, q)
        speaker += Mean(float(right), 1)
        country += Mean(float(same_speaker_country(g, q)), 1)
        if not right:
            wrong_speakers.append(("speaker", g, q))
    extra: dict[str, Counts | Mean] = {"speaker_accuracy": speaker, "speaker_country_accuracy": country}
    for kind in ("direct", "indirect"):
        extra[kind] = _quote_counts([g for g in gold if g.get("kind") == kind],
                                    [q for q in quotes if q.kind == kind])[0]
    return LayerResult(counts, extra, missed, spurious, wrong_speakers)


def _quote_counts(gold: list[dict[str, Any]], quotes: list[Quote]) -> tuple[Counts, list, list]:
    pairs, missed, spurious = _pair_by_overlap(gold, quotes, same_speaker)
    return Counts(len(pairs), len(spurious), len(missed)), missed, spurious


def _pair_by_overlap(gold: list[dict[str, Any]], quotes: list[Quote],
                     allowed: Callable[[dict[str, Any], Quote], bool]) -> tuple[list, list, list]:
    """Greedy one-to-one pairing, best overlap first, over pairs that are `allowed` and reach QUOTE_OVERLAP.

    Ties keep gold order, then prediction order, so the result does not depend on set iteration.
    """
    candidates = sorted(
        (-overlap, gi, qi)
        for gi, g in enumerate(gold) for qi, q in enumerate(quotes)
        if allowed(g, q) and (overlap := text_overlap(g.get("text", ""), q.text)) >= QUOTE_OVERLAP
    )
    paired_gold: dict[int, int] = {}
    paired_quotes: set[int] = set()
    for _, gi, qi in candidates:
        if gi not in paired_gold and qi not in paired_quotes:
            paired_gold[gi] = qi
            paired_quotes.add(qi)
    pairs = [(gold[gi], quotes[qi]) for gi, qi in sorted(paired_gold.items())]
    missed = [g for gi, g in enumerate(gold) if gi not in paired_gold]
    spurious = [q for qi, q in enumerate(quotes) if qi not in paired_quotes]
    return pairs, missed, spurious


# --- assessments ----------------------------------------------------------------------------------------

def match_assessments(gold: list[dict[str, Any]], assessments: list[Assessment]) -> LayerResult:
    """One-to-one on the unordered dyad and the polarity."""
    pairs, missed, spurious = _pair_by_key(
        gold, assessments,
        gold_key=lambda g: (tuple(sorted(g["dyad"])), g["polarity"]),
        pred_key=lambda a: (tuple(sorted(a.dyad)), a.polarity),
        gold_text=lambda g: g.get("evidence", ""),
        pred_text=lambda a: a.evidence.text,
    )
    return LayerResult(Counts(len(pairs), len(spurious), len(missed)), {}, missed, spurious)


# --- pairing and text overlap ---------------------------------------------------------------------------

def _pair_by_key(gold: list[dict[str, Any]], predicted: list[Any], gold_key: Callable, pred_key: Callable,
                 gold_text: Callable, pred_text: Callable) -> tuple[list, list, list]:
    """Greedy one-to-one: each gold item in order takes a free prediction with an equal key.

    Among several candidates it takes the one whose evidence covers the gold evidence most (the first on a tie),
    so that when two gold events share a key each is paired with its own sentence.
    """
    free = list(range(len(predicted)))
    pairs, missed = [], []
    for g in gold:
        key = gold_key(g)
        candidates = [i for i in free if pred_key(predicted[i]) == key]
        if not candidates:
            missed.append(g)
            continue
        best = max(candidates, key=lambda i: coverage(gold_text(g), pred_text(predicted[i])))
        free.remove(best)
        pairs.append((g, predicted[best]))
    return pairs, missed, [predicted[i] for i in free]


def tokens(text: str) -> Counter[str]:
    """Multiset of word tokens of the folded text; punctuation and quotation marks are ignored."""
    return Counter(_TOKEN.findall(fold(text)))


def coverage(gold: str, predicted: str) -> float:
    """Share of the gold tokens the prediction contains: |gold ∩ pred| / |gold|."""
    gold_tokens = tokens(gold)
    return _ratio(sum((gold_tokens & tokens(predicted)).values()), sum(gold_tokens.values()))


def text_overlap(gold: str, predicted: str) -> float:
    """Symmetric overlap |gold ∩ pred| / max(|gold|, |pred|): a short fragment does not match a long clause."""
    gold_tokens, pred_tokens = tokens(gold), tokens(predicted)
    common = sum((gold_tokens & pred_tokens).values())
    return _ratio(common, max(sum(gold_tokens.values()), sum(pred_tokens.values())))


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


# --- gold and document input ----------------------------------------------------------------------------

def _read_gold(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _header_date(text: str) -> date | None:
    """The `date YYYY-MM-DD` header a sample file may start with; the pipeline strips it from the text itself."""
    match = _HEADER_DATE.match(text)
    return _parse_date(match.group(1)) if match else None


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# --- output and floors ----------------------------------------------------------------------------------

def _prf(counts: Counts) -> dict[str, float | int]:
    return {"p": round(counts.p, 4), "r": round(counts.r, 4), "f1": round(counts.f1, 4),
            "tp": counts.tp, "fp": counts.fp, "fn": counts.fn}


def to_json(result: EvalResult) -> dict[str, Any]:
    """The micro scores in the shape `tests/floors.toml` and the `eval` command rely on (floats to 4 places)."""
    totals = result.totals
    actors, events, quotes = totals["actors"], totals["events"], totals["quotes"]
    return {
        "documents": len(result.documents),
        "actors": {**_prf(actors.counts), "f1_sector": round(actors.extra["sector"].f1, 4)},
        "events": {**_prf(events.counts), "date_accuracy": round(events.extra["date_accuracy"].value, 4),
                   "evidence_overlap": round(events.extra["evidence_overlap"].value, 4)},
        "quotes": {**_prf(quotes.counts), "speaker_accuracy": round(quotes.extra["speaker_accuracy"].value, 4),
                   "speaker_country_accuracy": round(quotes.extra["speaker_country_accuracy"].value, 4),
                   "direct": _prf(quotes.extra["direct"]), "indirect": _prf(quotes.extra["indirect"])},
        "assessments": _prf(totals["assessments"].counts),
    }


def load_floors(path: Path) -> dict[str, Any]:
    """Read a floors file: one TOML table per layer (sub-tables for nested scores) mapping score names to floors."""
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def check_floors(scores: dict[str, Any], floors: dict[str, Any], prefix: str = "") -> list[str]:
    """One message per score below its floor; a floor naming an unknown score is reported too, not ignored."""
    failures = []
    for name, floor in floors.items():
        path = f"{prefix}{name}"
        if name not in scores:
            failures.append(f"{path}: no such score (floor {floor})")
        elif isinstance(floor, dict):
            failures += check_floors(scores[name], floor, prefix=f"{path}.")
        elif scores[name] < floor:
            failures.append(f"{path} = {scores[name]:.4f} is below its floor {floor:.4f}")
    return failures
