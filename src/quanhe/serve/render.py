"""Plain-text rendering of an analysed document for the terminal: text, actors, quotes, events, assessments."""

from __future__ import annotations

from quanhe.model import Document, Mention

EVIDENCE_OPEN, EVIDENCE_CLOSE = "«", "»"


def _actor(mention: Mention | None) -> str:
    if mention is None:
        return "-"
    return f"{mention.code or '?'}{'/' + mention.sector if mention.sector else ''} ({mention.text})"


def highlight(text: str, start: int, end: int, inner_start: int, inner_end: int) -> str:
    """text[start:end] with text[inner_start:inner_end] between « » marks."""
    return (text[start:inner_start] + EVIDENCE_OPEN + text[inner_start:inner_end] + EVIDENCE_CLOSE
            + text[inner_end:end])


def render_document(doc: Document) -> str:
    article = doc.article
    lines = [f"{article.id}  {article.published or 'no date'}  {article.source}", f"title: {article.title or '-'}"]
    lines += [f"warning: {w}" for w in article.warnings]
    lines.append("")
    for sentence in doc.sentences:
        role = "" if sentence.role == "body" else f" [{sentence.role}]"
        lines.append(f"[{sentence.index:>3}]{role} {doc.text[sentence.start:sentence.end]}")
    lines.append("\nactors:")
    seen = set()
    for mention in doc.mentions:
        key = (mention.text, mention.code, mention.kind)
        if mention.kind in ("PLACE", "PRONOUN") or key in seen:
            continue
        seen.add(key)
        lines.append(f"  {mention.text:<40} {mention.code or '-':<6} {mention.sector or '-':<4} {mention.kind:<16} "
                     f"{mention.resolved_by}")
    lines.append("\nquotes:")
    for quote in doc.quotes:
        speaker = quote.speaker.canonical if quote.speaker else "?"
        lines.append(f"  [{quote.kind}] {speaker}: {quote.text}")
    lines.append("\nevents:")
    for event in doc.events:
        sentence = doc.sentences[event.evidence.sentence]
        flags = (" NOT" if event.negated else "") + (f" ({event.modality})" if event.modality else "")
        lines.append(f"  {event.date or '-':<10} {event.type}{flags} {_actor(event.source)} -> {_actor(event.target)}"
                     f"  [{event.confidence:.2f}]")
        lines.append("      " + highlight(doc.text, sentence.start, sentence.end, event.evidence.start,
                                          event.evidence.end))
    lines.append("\nassessments:")
    for assessment in doc.assessments:
        speaker = assessment.speaker.canonical if assessment.speaker else "narrator"
        lines.append(f"  {'-'.join(assessment.dyad)} {assessment.polarity} ({speaker}): {assessment.evidence.text}")
    return "\n".join(lines)
