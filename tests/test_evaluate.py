"""Gold evaluation: each matching rule of shared/gold/README.md on small hand-built documents, then the floors.

The unit tests pass a fake `analyze` that returns prepared Documents, so they exercise the file handling of
`evaluate()` too (gold JSONL, docs directory, date header) without the pipeline.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from quanhe.evaluate.gold import check_floors, evaluate, load_floors, to_json
from quanhe.evaluate.report import format_report
from quanhe.model import Article, Assessment, Document, Event, Evidence, Mention, Quote

FLOORS = Path(__file__).with_name("floors.toml")
RUS = {"country": "RUS", "canonical": "Russia"}
JPN = {"country": "JPN", "canonical": "Japan"}


# --- builders -------------------------------------------------------------------------------------------

def mention(text, country=None, sector=None, canonical=None, kind="COUNTRY", resolved_by="gazetteer", org=None):
    return Mention(0, len(text), text, canonical or text, country, sector, kind, resolved_by, org=org)


def evidence(text):
    return Evidence("doc.txt", 0, 0, len(text), text)


def event(type_, source, target, negated=False, date_=None, text="evidence"):
    return Event(id="e", type=type_, mode=None, negated=negated, modality=None, source=source, target=target,
                 date=date_, date_precision=None, date_from="text", trigger="", evidence=evidence(text),
                 confidence=1.0)


def quote(text, speaker, kind="direct"):
    return Quote(0, len(text), text, kind, "cho biết", speaker)


def assessment(dyad, polarity, text="evidence"):
    return Assessment(dyad, polarity, None, None, None, evidence(text))


def document(**layers):
    return Document(Article(id="doc", source="doc.txt", raw_text="", text=""), **layers)


def g_actor(text, country=None, sector=None, canonical=None, kind="COUNTRY"):
    return {"text": text, "kind": kind, "country": country, "sector": sector, "canonical": canonical or text}


def g_event(type_, source, target, negated=False, date_=None, text="evidence"):
    return {"type": type_, "source": source, "target": target, "date": date_, "negated": negated,
            "evidence": text}


def g_quote(text, speaker, country, kind="direct"):
    return {"speaker": speaker, "speaker_country": country, "kind": kind, "text": text, "cue": "cho biết"}


def g_assessment(dyad, polarity, text="evidence"):
    return {"dyad": dyad, "speaker": "narrator", "polarity": polarity, "evidence": text, "date": None}


def record(doc="doc.txt", published="2026-02-21", **layers):
    return {"doc": doc, "published": published, "title": None,
            "actors": [], "events": [], "quotes": [], "assessments": [], **layers}


def run_eval(tmp_path, *cases, file_text="Nội dung bài báo."):
    """Write the gold records and their docs, evaluate with a fake analyze; returns (result, analyze calls)."""
    docs_dir = tmp_path / "docs"
    docs_dir.mkdir(exist_ok=True)
    prepared, calls = {}, []
    for gold, doc in cases:
        (docs_dir / gold["doc"]).write_text(file_text, encoding="utf-8")
        prepared[gold["doc"]] = doc
    gold_path = tmp_path / "gold.jsonl"
    gold_path.write_text("\n".join(json.dumps(gold, ensure_ascii=False) for gold, _ in cases) + "\n",
                         encoding="utf-8")

    def analyze(text, published=None, source="<text>"):
        calls.append((text, published, source))
        return prepared[source]

    return evaluate(gold_path, docs_dir, analyze=analyze), calls


def scores(tmp_path, gold, doc):
    return to_json(run_eval(tmp_path, (gold, doc))[0])


# --- actors ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("gold_canonical", ["UN", "United Nations"])
def test_igo_actor_matches_by_code_or_canonical_name(tmp_path, gold_canonical):
    gold = record(actors=[g_actor("Liên Hợp Quốc", sector="IGO", canonical=gold_canonical, kind="ORG")])
    doc = document(mentions=[mention("Liên Hợp Quốc", sector="IGO", canonical="United Nations", kind="ORG",
                                     org="UN")])
    actors = scores(tmp_path, gold, doc)["actors"]
    assert (actors["p"], actors["r"], actors["f1"], actors["f1_sector"]) == (1.0, 1.0, 1.0, 1.0)


def test_igo_actor_with_another_code_does_not_match(tmp_path):
    gold = record(actors=[g_actor("NATO", sector="IGO", canonical="NATO", kind="ORG")])
    doc = document(mentions=[mention("NATO", sector="IGO", canonical="European Union", kind="ORG", org="EU")])
    actors = scores(tmp_path, gold, doc)["actors"]
    assert (actors["tp"], actors["fp"], actors["fn"]) == (0, 1, 1)


def test_actor_surface_ignores_case_tone_placement_and_censorship_dots(tmp_path):
    gold = record(actors=[g_actor("Liên Hợp Quốc", sector="IGO", canonical="United Nations", kind="ORG"),
                          g_actor("Hoà Kỳ", "USA"),
                          g_actor("phươn.g Tây", kind="ORG")])
    doc = document(mentions=[mention("liên hợp quốc", sector="IGO", canonical="United Nations", kind="ORG", org="UN"),
                             mention("HÒA KỲ", "USA"),
                             mention("phương  Tây", kind="ORG")])
    actors = scores(tmp_path, gold, doc)["actors"]
    assert (actors["tp"], actors["fp"], actors["fn"]) == (3, 0, 0)


def test_actor_needs_the_same_code_and_null_code_needs_none(tmp_path):
    gold = record(actors=[g_actor("Nga", "RUS"), g_actor("phương Tây", kind="ORG")])
    doc = document(mentions=[mention("Nga", "UKR"), mention("phương Tây", "USA", kind="ORG")])
    actors = scores(tmp_path, gold, doc)["actors"]
    assert (actors["tp"], actors["fp"], actors["fn"]) == (0, 2, 2)


def test_actor_precision_counts_distinct_pairs_and_skips_pronouns_and_coreference(tmp_path):
    gold = record(actors=[g_actor("Nga", "RUS"), g_actor("Dmitry Peskov", "RUS", "GOV", kind="PERSON")])
    doc = document(mentions=[
        mention("Nga", "RUS"), mention("nga", "RUS"),  # one distinct pair
        mention("Mỹ", "USA"),  # spurious
        mention("Dmitry Peskov", "RUS", "GOV", kind="PERSON"),
        mention("ông Peskov", "RUS", "GOV", kind="PERSON", resolved_by="coreference"),
        mention("ông", "RUS", "GOV", kind="PRONOUN", resolved_by="coreference"),
        mention("một quan chức Nga", "RUS", "GOV", kind="ROLE"),
        mention("Moskva", "RUS", kind="PLACE"),
    ])
    actors = scores(tmp_path, gold, doc)["actors"]
    assert (actors["tp"], actors["fp"], actors["fn"]) == (2, 1, 0)


def test_gold_case_variants_count_once(tmp_path):
    gold = record(actors=[g_actor("Reuters", "GBR", "MED", kind="ORG"), g_actor("REUTERS", "GBR", "MED", kind="ORG")])
    doc = document(mentions=[mention("REUTERS", "GBR", "MED", kind="ORG")])
    actors = scores(tmp_path, gold, doc)["actors"]
    assert (actors["tp"], actors["fp"], actors["fn"], actors["f1"]) == (1, 0, 0, 1.0)


def test_sector_score_is_stricter(tmp_path):
    gold = record(actors=[g_actor("Điện Kremlin", "RUS", "GOV", kind="INSTITUTION"), g_actor("Nga", "RUS")])
    doc = document(mentions=[mention("Điện Kremlin", "RUS", "DIP", kind="INSTITUTION"), mention("Nga", "RUS")])
    actors = scores(tmp_path, gold, doc)["actors"]
    assert actors["f1"] == 1.0
    assert actors["f1_sector"] == 0.5  # Nga (null sector = None) still matches; Kremlin GOV != DIP


# --- events ---------------------------------------------------------------------------------------------

def test_event_key_is_type_source_target_negated(tmp_path):
    gold = record(events=[g_event("ACCUSE", "RUS", "JPN"), g_event("CONSULT", "RUS", "JPN", negated=True)])
    doc = document(events=[event("ACCUSE", mention("Nga", **RUS), mention("Nhật Bản", **JPN)),
                           event("CONSULT", mention("Nga", **RUS), mention("Nhật Bản", **JPN))])
    events = scores(tmp_path, gold, doc)["events"]
    assert (events["tp"], events["fp"], events["fn"]) == (1, 1, 1)


def test_null_gold_target_matches_only_null_predicted_target(tmp_path):
    gold = record(events=[g_event("MOBILIZE", "USA", None), g_event("REQUEST", "RUS", None)])
    doc = document(events=[event("MOBILIZE", mention("Mỹ", "USA"), None),
                           event("REQUEST", mention("Nga", **RUS), mention("Ukraine", "UKR"))])
    events = scores(tmp_path, gold, doc)["events"]
    assert (events["tp"], events["fp"], events["fn"]) == (1, 1, 1)


def test_igo_event_participant_uses_canonical_code(tmp_path):
    gold = record(events=[g_event("REJECT", "NATO", "RUS")])
    doc = document(events=[event("REJECT", mention("NATO", sector="IGO", kind="ORG", org="NATO"),
                                 mention("Nga", **RUS))])
    assert scores(tmp_path, gold, doc)["events"]["f1"] == 1.0


@pytest.mark.parametrize("gold_date, predicted, right", [
    ("2022-03", "2022-03-15", True),
    ("2022", "2022-07-01", True),
    ("2022-03-15", "2022-03-15", True),
    ("2022-03-15", "2022-03", False),
    ("2022-03", "2022-04-01", False),
    ("2022", "2023", False),
    (None, None, True),
    (None, "2022", False),
    ("2022", None, False),
])
def test_date_accuracy_at_gold_precision(tmp_path, gold_date, predicted, right):
    gold = record(events=[g_event("AGREE", "RUS", "JPN", date_=gold_date)])
    doc = document(events=[event("AGREE", mention("Nga", **RUS), mention("Nhật", **JPN), date_=predicted)])
    events = scores(tmp_path, gold, doc)["events"]
    assert events["f1"] == 1.0
    assert events["date_accuracy"] == (1.0 if right else 0.0)


def test_events_match_one_to_one(tmp_path):
    twice = [g_event("REJECT", "USA", "RUS", text="Mỹ và NATO bác bỏ")] * 2
    doc = document(events=[event("REJECT", mention("Mỹ", "USA"), mention("Nga", **RUS), text="Mỹ và NATO bác bỏ")])
    events = scores(tmp_path, record(events=twice), doc)["events"]
    assert (events["tp"], events["fp"], events["fn"]) == (1, 0, 1)


def test_event_pairing_prefers_the_prediction_with_the_same_evidence(tmp_path):
    gold = record(events=[g_event("ACCUSE", "RUS", "JPN", date_="2026-02-20",
                                  text="phía Nhật Bản phải chịu trách nhiệm")])
    doc = document(events=[
        event("ACCUSE", mention("Nga", **RUS), mention("Nhật", **JPN), text="Moskva cho là không thân thiện"),
        event("ACCUSE", mention("Nga", **RUS), mention("Nhật", **JPN), date_="2026-02-20",
              text="Ông nói phía Nhật Bản phải chịu trách nhiệm."),
    ])
    result, _ = run_eval(tmp_path, (gold, doc))
    events = to_json(result)["events"]
    assert (events["tp"], events["fp"], events["date_accuracy"], events["evidence_overlap"]) == (1, 1, 1.0, 1.0)
    assert result.documents[0].layers["events"].spurious == [doc.events[0]]


def test_evidence_overlap_is_share_of_gold_tokens(tmp_path):
    gold = record(events=[g_event("AGREE", "RUS", "JPN", text="ký kết hiệp ước hòa bình")])
    doc = document(events=[event("AGREE", mention("Nga", **RUS), mention("Nhật", **JPN), text="ký hiệp ước khác")])
    assert scores(tmp_path, gold, doc)["events"]["evidence_overlap"] == 0.5  # ký, hiệp, ước of the 6 gold tokens


# --- quotes ---------------------------------------------------------------------------------------------

PESKOV = mention("Dmitry Peskov", "RUS", "GOV", kind="PERSON")


def test_quote_needs_speaker_and_half_the_tokens(tmp_path):
    gold = record(quotes=[g_quote("một hai ba bốn", "dmitry PESKOV", "RUS"),
                          g_quote("năm sáu bảy tám", "Dmitry Peskov", "RUS")])
    doc = document(quotes=[quote("một hai x y", PESKOV),  # 2 of max(4, 4): exactly 0.5, matches
                           quote("năm x y z", PESKOV)])  # 1 of 4: below the threshold
    quotes = scores(tmp_path, gold, doc)["quotes"]
    assert (quotes["tp"], quotes["fp"], quotes["fn"]) == (1, 1, 1)


def test_quote_overlap_divides_by_the_longer_text(tmp_path):
    gold = record(quotes=[g_quote("giảm xuống mức không", "Dmitry Peskov", "RUS")])
    doc = document(quotes=[quote("quan hệ giữa Moskva và Tokyo đã giảm xuống mức không", PESKOV, "indirect")])
    assert scores(tmp_path, gold, doc)["quotes"]["tp"] == 0


def test_quote_with_wrong_speaker_counts_for_speaker_accuracy_only(tmp_path):
    gold = record(quotes=[g_quote("một hai ba bốn", "Dmitry Peskov", "RUS"),
                          g_quote("năm sáu bảy tám", "Dmitry Peskov", "RUS")])
    doc = document(quotes=[quote("một hai ba bốn", mention("Điện Kremlin", "RUS", "GOV", "Kremlin", "INSTITUTION")),
                           quote("năm sáu bảy tám", None)])
    result, _ = run_eval(tmp_path, (gold, doc))
    quotes = to_json(result)["quotes"]
    assert (quotes["tp"], quotes["fp"], quotes["fn"]) == (0, 2, 2)
    assert (quotes["speaker_accuracy"], quotes["speaker_country_accuracy"]) == (0.0, 0.5)
    assert [what for what, _, _ in result.documents[0].layers["quotes"].mismatched] == ["speaker", "speaker"]


def test_quotes_scored_separately_by_kind(tmp_path):
    gold = record(quotes=[g_quote("một hai ba", "Dmitry Peskov", "RUS", "direct"),
                          g_quote("bốn năm sáu", "Dmitry Peskov", "RUS", "indirect")])
    doc = document(quotes=[quote("một hai ba", PESKOV, "direct"), quote("bốn năm sáu", PESKOV, "direct")])
    quotes = scores(tmp_path, gold, doc)["quotes"]
    assert quotes["f1"] == 1.0  # kind is not part of the overall match
    assert (quotes["direct"]["tp"], quotes["direct"]["fp"], quotes["direct"]["fn"]) == (1, 1, 0)
    assert (quotes["indirect"]["tp"], quotes["indirect"]["fn"], quotes["indirect"]["f1"]) == (0, 1, 0.0)


# --- assessments ----------------------------------------------------------------------------------------

def test_assessment_dyad_is_unordered_and_polarity_must_match(tmp_path):
    gold = record(assessments=[g_assessment(["RUS", "USA"], "negative"), g_assessment(["RUS", "JPN"], "negative")])
    doc = document(assessments=[assessment(("USA", "RUS"), "negative"), assessment(("JPN", "RUS"), "positive")])
    found = scores(tmp_path, gold, doc)["assessments"]
    assert (found["tp"], found["fp"], found["fn"]) == (1, 1, 1)


# --- whole runs -----------------------------------------------------------------------------------------

def test_empty_layers_score_zero(tmp_path):
    gold = record(actors=[g_actor("Nga", "RUS")], events=[g_event("AGREE", "RUS", "JPN")],
                  quotes=[g_quote("một hai", "Dmitry Peskov", "RUS")],
                  assessments=[g_assessment(["RUS", "JPN"], "negative")])
    result = scores(tmp_path, gold, document())
    for layer in ("actors", "events", "quotes", "assessments"):
        assert (result[layer]["p"], result[layer]["r"], result[layer]["f1"]) == (0.0, 0.0, 0.0)
    assert result["events"]["date_accuracy"] == result["quotes"]["speaker_accuracy"] == 0.0


def test_nothing_to_score_is_zero_not_an_error(tmp_path):
    result = scores(tmp_path, record(), document())
    assert result["actors"]["f1"] == result["events"]["evidence_overlap"] == result["quotes"]["direct"]["f1"] == 0.0


def test_scores_are_micro_averaged_over_documents(tmp_path):
    first = (record(doc="a.txt", actors=[g_actor("Nga", "RUS")]), document(mentions=[mention("Nga", "RUS")]))
    second = (record(doc="b.txt", actors=[g_actor("Mỹ", "USA"), g_actor("Nhật Bản", "JPN"), g_actor("Nga", "RUS")]),
              document(mentions=[mention("Nga", "RUS")]))
    result, _ = run_eval(tmp_path, first, second)
    actors = to_json(result)["actors"]
    assert (actors["tp"], actors["fn"], actors["r"]) == (2, 2, 0.5)
    assert [d.layers["actors"].counts.tp for d in result.documents] == [1, 1]


def test_json_shape_and_rounding(tmp_path):
    gold = record(actors=[g_actor("Nga", "RUS"), g_actor("Mỹ", "USA"), g_actor("Nhật Bản", "JPN")])
    result = scores(tmp_path, gold, document(mentions=[mention("Nga", "RUS")]))
    assert set(result) >= {"actors", "events", "quotes", "assessments"}
    assert set(result["actors"]) >= {"p", "r", "f1", "f1_sector"}
    assert set(result["events"]) >= {"p", "r", "f1", "date_accuracy", "evidence_overlap"}
    assert set(result["quotes"]) >= {"p", "r", "f1", "speaker_accuracy", "speaker_country_accuracy",
                                     "direct", "indirect"}
    assert set(result["quotes"]["direct"]) >= {"p", "r", "f1"} and set(result["assessments"]) >= {"p", "r", "f1"}
    assert result["actors"]["r"] == 0.3333


def test_published_comes_from_the_header_else_from_gold(tmp_path):
    _, calls = run_eval(tmp_path, (record(published="2022-10-31"), document()), file_text=" date 2026-02-21 Nội dung")
    assert calls == [(" date 2026-02-21 Nội dung", date(2026, 2, 21), "doc.txt")]
    _, calls = run_eval(tmp_path, (record(published="2022-10-31"), document()))
    assert calls[0][1] == date(2022, 10, 31)
    _, calls = run_eval(tmp_path, (record(published=None), document()))
    assert calls[0][1] is None


def test_missing_document_is_named(tmp_path):
    gold_path = tmp_path / "gold.jsonl"
    gold_path.write_text(json.dumps(record(doc="absent.txt")) + "\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="absent.txt"):
        evaluate(gold_path, tmp_path, analyze=lambda *args, **kwargs: document())


def test_report_lists_misses_and_spurious_predictions(tmp_path):
    gold = record(events=[g_event("ACCUSE", "RUS", "JPN", text="phía Nhật Bản phải chịu trách nhiệm")])
    doc = document(events=[event("THREATEN", mention("Nga", **RUS), mention("Nhật", **JPN), text="Nga cảnh báo")])
    result, _ = run_eval(tmp_path, (gold, doc))
    brief = format_report(result, details=False)
    assert "events" in brief and "missed" not in brief
    detailed = format_report(result, details=True)
    assert "- missed    ACCUSE RUS->JPN None «phía Nhật Bản phải chịu trách nhiệm»" in detailed
    assert "+ spurious  THREATEN RUS->JPN None [] «Nga cảnh báo»" in detailed


# --- floors ---------------------------------------------------------------------------------------------

def test_check_floors_reports_each_score_below_its_floor():
    scores_ = {"actors": {"f1": 0.5, "p": 0.9}, "quotes": {"direct": {"f1": 0.1}}}
    floors = {"actors": {"f1": 0.6, "p": 0.9}, "quotes": {"direct": {"f1": 0.2}}, "events": {"f1": 0.0}}
    assert check_floors(scores_, floors) == [
        "actors.f1 = 0.5000 is below its floor 0.6000",
        "quotes.direct.f1 = 0.1000 is below its floor 0.2000",
        "events: no such score (floor {'f1': 0.0})",
    ]


def test_floors_file_covers_every_layer():
    assert set(load_floors(FLOORS)) == {"actors", "events", "quotes", "assessments"}


def _shared() -> Path:
    return Path(os.environ.get("QUANHE_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")


@pytest.mark.gold
def test_gold_floors():
    shared = _shared()
    if not shared.is_dir():
        pytest.skip(f"no shared folder at {shared}")
    result = evaluate(shared / "gold" / "seeds.gold.jsonl", shared / "samples" / "vi")
    failures = check_floors(to_json(result), load_floors(FLOORS))
    assert not failures, "\n".join(failures) + "\n\n" + format_report(result, details=False)
