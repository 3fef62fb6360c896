"""Human-readable evaluation report: the four layers' scores, and with details what each document missed.

The details are what developers read to improve the coders, so every missed gold item and every spurious
prediction gets one short line carrying its evidence text.
"""

from __future__ import annotations

from typing import Any

from quanhe.evaluate.gold import LAYERS, Counts, EvalResult, LayerResult, gold_actor_code, mention_code
from quanhe.model import Event, Mention, Quote

_EVIDENCE_WIDTH = 90


def format_report(result: EvalResult, details: bool = False) -> str:
    lines = [f"documents: {len(result.documents)}", _header()]
    lines += [_row(layer, layer_result) for layer, layer_result in result.totals.items()]
    if details:
        for document in result.documents:
            lines += ["", document.doc, _header()]
            for layer in LAYERS:
                layer_result = document.layers[layer]
                lines.append(_row(layer, layer_result))
                lines += _item_lines(layer, layer_result)
    return "\n".join(lines)


def _header() -> str:
    return f"{'layer':<12} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}  other"


def _row(layer: str, result: LayerResult) -> str:
    c = result.counts
    return (f"{layer:<12} {c.p:6.3f} {c.r:6.3f} {c.f1:6.3f} {c.tp:4d} {c.fp:4d} {c.fn:4d}  "
            + _extras(result)).rstrip()


def _extras(result: LayerResult) -> str:
    """The layer's secondary scores: F1 for counted sub-scores, the value for means (with its pair count)."""
    parts = []
    for name, value in result.extra.items():
        if isinstance(value, Counts):
            parts.append(f"{name} F1={value.f1:.3f}")
        else:
            parts.append(f"{name}={value.value:.3f} (n={value.n})")
    return "  ".join(parts)


def _item_lines(layer: str, result: LayerResult) -> list[str]:
    lines = [f"    - missed    {_describe_gold(layer, item)}" for item in result.missed]
    lines += [f"    + spurious  {_describe_predicted(item)}" for item in result.spurious]
    lines += [f"    ~ {what:<9} gold {_describe_gold(layer, gold)}\n"
              f"                pred {_describe_predicted(predicted)}"
              for what, gold, predicted in result.mismatched]
    return lines


def _describe_gold(layer: str, item: dict[str, Any]) -> str:
    if layer == "actors":
        return f"{item['text']!r} {gold_actor_code(item)}/{item.get('sector')} {item.get('kind')}"
    if layer == "events":
        negated = " NOT" if item.get("negated") else ""
        return (f"{item['type']}{negated} {item.get('source')}->{item.get('target')} {item.get('date')} "
                f"{_short(item.get('evidence', ''))}")
    if layer == "quotes":
        return f"{item.get('kind')} {item.get('speaker')} ({item.get('speaker_country')}) {_short(item['text'])}"
    return (f"{'-'.join(item['dyad'])} {item['polarity']} ({item.get('speaker')}) "
            f"{_short(item.get('evidence', ''))}")


def _describe_predicted(item: Any) -> str:
    """One line for a prediction; anything not a Mention, Event or Quote is an Assessment."""
    if isinstance(item, Mention):
        return f"{item.text!r} {item.code}/{item.sector} {item.kind} by {item.resolved_by}"
    if isinstance(item, Event):
        negated = " NOT" if item.negated else ""
        return (f"{item.type}{negated} {mention_code(item.source)}->{mention_code(item.target)} {item.date} "
                f"[{item.trigger}] {_short(item.evidence.text)}")
    if isinstance(item, Quote):
        speaker = f"{item.speaker.canonical} ({item.speaker.country})" if item.speaker else "no speaker"
        return f"{item.kind} {speaker} {_short(item.text)}"
    speaker = item.speaker.canonical if item.speaker else "narrator"
    return f"{'-'.join(item.dyad)} {item.polarity} ({speaker}) {_short(item.evidence.text)}"


def _short(text: str) -> str:
    """One line of evidence, cut to a readable width."""
    text = " ".join(text.split())
    return f"«{text if len(text) <= _EVIDENCE_WIDTH else text[:_EVIDENCE_WIDTH - 1] + '…'}»"
