"""English through the same pipeline: only lexicons/en/ data differs from Vietnamese (no network, fast)."""

from __future__ import annotations

import pytest

from quanhe.pipeline import analyze

NEWS = (
    "Russia accused the United States on Tuesday of undermining talks.\n\n"
    "“We are ready to resume negotiations,” Kremlin spokesman Dmitry Peskov told reporters.\n\n"
    "Japan imposed new sanctions on Russia last week.\n\n"
    "Relations between Moscow and Tokyo have fallen to their lowest level, Peskov said.\n"
)

MORE = (
    "Advertisement\n\n"
    "Tokyo did not sign the declaration, Japanese Foreign Minister Takeshi Iwaya said on Monday.\n\n"
    "The European Union called on Iran to release the detained diplomats.\n\n"
    "According to Mr. Lavrov, Washington has no plans to hold talks with Moscow.\n\n"
    "Related:\n\n"
    "China warns US over Taiwan\n"
)


@pytest.fixture(scope="module")
def news():
    return analyze(NEWS, published="2026-02-21")


@pytest.fixture(scope="module")
def more():
    return analyze(MORE, published="2026-02-21")


def _events(doc):
    return [(e.type, e.source.code if e.source else None, e.target.code if e.target else None, e.negated)
            for e in doc.events]


def test_language_and_sentences(news):
    assert news.article.language == "en"
    assert len(news.sentences) == 4


def test_actors(news):
    coded = [(m.text, m.code) for m in news.mentions if m.part_of < 0 and m.kind != "ROLE"]
    assert ("Russia", "RUS") in coded and ("United States", "USA") in coded
    assert ("Japan", "JPN") in coded and ("Moscow", "RUS") in coded and ("Tokyo", "JPN") in coded
    peskov = [m for m in news.mentions if m.kind == "PERSON"]
    assert {m.canonical for m in peskov} == {"Dmitry Peskov"}
    assert all((m.country, m.sector) == ("RUS", "GOV") for m in peskov)
    assert not [m for m in news.mentions if not m.text.strip()]  # person_pronouns in actors.yaml: no empty matches


def test_dates(news):
    assert [(t.text, t.value) for t in news.times] == [("Tuesday", "2026-02-17"), ("last week", "2026-02-09")]


def test_events(news):
    events = _events(news)
    assert ("ACCUSE", "RUS", "USA", False) in events
    assert ("SANCTION", "JPN", "RUS", False) in events
    assert not [e for e in events if e[0] == "CONSULT"]  # "of undermining talks" is a topic (topic_markers)
    accuse = next(e for e in news.events if e.type == "ACCUSE")
    assert accuse.date == "2026-02-17"
    sanction = next(e for e in news.events if e.type == "SANCTION")
    assert sanction.date == "2026-02-09"
    intent = next(e for e in news.events if e.type == "AGREE")
    assert (intent.mode, intent.source.code) == ("intent", "RUS")  # "ready to resume negotiations": one AGREE


def test_quotes(news):
    direct = [q for q in news.quotes if q.kind == "direct"]
    assert len(direct) == 1 and direct[0].speaker.canonical == "Dmitry Peskov"
    assert direct[0].text.startswith("We are ready to resume negotiations")
    indirect = [q for q in news.quotes if q.kind == "indirect"]
    assert [(q.speaker.canonical, q.cue) for q in indirect] == [("Dmitry Peskov", "said")]
    assert indirect[0].text == "Relations between Moscow and Tokyo have fallen to their lowest level"


def test_assessment(news):
    assert len(news.assessments) == 1
    assessment = news.assessments[0]
    assert (assessment.dyad, assessment.polarity, assessment.level) == (("JPN", "RUS"), "negative", "lowest")
    assert assessment.speaker.canonical == "Dmitry Peskov"


def test_boilerplate_negation_refusal_and_according(more):
    assert more.article.language == "en"
    assert "Advertisement" not in more.text and "China warns" not in more.text  # drop / cut_from
    events = _events(more)
    assert any(t == "AGREE" and s == "JPN" and n for t, s, _, n in events)  # "did not sign": negated
    assert ("REQUEST", "EU", "IRN", False) in events
    assert not [e for e in events if e[0] == "CONCEDE"]  # "to release" is what was called for
    assert ("REJECT", "USA", "RUS", False) in events  # "has no plans to hold talks": refuse
    according = [q for q in more.quotes if q.cue.casefold() == "according to"]
    assert [(q.speaker.code, q.speaker.sector) for q in according] == [("RUS", "DIP")]
    assert according[0].text == "Washington has no plans to hold talks with Moscow"


def test_sentence_split_keeps_abbreviations():
    doc = analyze("Mr. Peskov met Gen. Smith in the U.S. capital on Jan. 5. Then he left.", published="2026-02-21")
    assert len(doc.sentences) == 2
