"""When an event happened: the coder's dating rules on short made-up news (not the gold's sentences)."""

from __future__ import annotations

import pytest

from quanhe.pipeline import analyze

PUBLISHED = "2024-12-19"


def coded(text: str, published: str = PUBLISHED) -> list[tuple[str, str | None, str | None, str | None, str]]:
    """(type, source, target, date, date_from) of each event, in order."""
    return [(e.type, e.source.code if e.source else None, e.target.code if e.target else None, e.date, e.date_from)
            for e in analyze(text, published=published).events]


def dates_of(text: str, event_type: str) -> list[str | None]:
    return [date for kind, _, _, date, _ in coded(text) if kind == event_type]


def test_a_time_anaphor_takes_the_time_given_just_before():
    text = ("Vào giữa tháng 12 năm 2021, Bộ Ngoại giao Nga công bố hai dự thảo hiệp ước. "
            "Vào thời điểm đó, Nga yêu cầu NATO rút quân khỏi Đông Âu.")
    assert dates_of(text, "REQUEST") == ["2021-12"]


def test_meanwhile_is_not_a_time_anaphor():
    text = ("Hồi tháng 3/2022, Nga và Ukraine tổ chức đàm phán tại Istanbul. "
            "Trong khi đó, Nga cảnh báo Mỹ về việc cung cấp vũ khí.")
    assert dates_of(text, "THREATEN") == ["2024-12-19"]


def test_also_goes_on_in_the_time_of_the_sentence_before_in_its_paragraph():
    same = "Tháng 5/2023, Nga cáo buộc Mỹ can thiệp. Nga cũng yêu cầu Mỹ rút quân khỏi Syria."
    assert dates_of(same, "REQUEST") == ["2023-05"]
    apart = "Tháng 5/2023, Nga cáo buộc Mỹ can thiệp.\n\nNga cũng yêu cầu Mỹ rút quân khỏi Syria."
    assert dates_of(apart, "REQUEST") == ["2024-12-19"]


def test_a_plan_is_dated_by_its_announcement_not_by_the_time_it_is_for():
    text = "Tại hội nghị ở Washington ngày 10/7, Mỹ tuyên bố sẽ triển khai tên lửa tầm xa ở Đức vào năm 2026."
    assert dates_of(text, "MOBILIZE") == ["2024-07-10"]


def test_an_act_after_sau_khi_is_undated_and_one_with_its_dated_restatement():
    text = ("Nga phản ứng mạnh sau khi Mỹ thông báo kế hoạch triển khai tên lửa tầm xa tới Đức. "
            "Tại hội nghị ngày 10/7, Mỹ tuyên bố sẽ triển khai tên lửa tầm xa ở Đức.")
    mobilize = [event for event in coded(text) if event[0] == "MOBILIZE"]
    assert mobilize == [("MOBILIZE", "USA", None, "2024-07-10", "text")]


@pytest.mark.parametrize("text", [
    "Ông Putin ký các thỏa thuận sáp nhập bốn vùng lãnh thổ của Ukraine vào Nga.",
    "Ông Putin ký thỏa thuận sáp nhập bốn vùng lãnh thổ của Ukraine vào Nga.",
])
def test_signing_an_annexation_is_the_annexation(text):
    types = [event[0] for event in coded(text)]
    assert "COERCE" in types and "AGREE" not in types


def test_sample_000_yields_the_events_issue_6_asks_for(samples_dir):
    """Russia not negotiating a peace treaty with Japan, Russia blaming Japan, the March 2022 suspension of the
    treaty talks, Japan joining the Western sanctions, and relations fallen to zero."""
    doc = analyze((samples_dir / "000_071cad0da648d15d.txt").read_text(encoding="utf-8"), published="2026-02-21")
    events = {(e.type, e.negated, e.source.code, e.target.code if e.target else None, e.date) for e in doc.events}
    assert ({("CONSULT", True, "RUS", "JPN", "2026-02-20"), ("REJECT", False, "RUS", "JPN", "2026-02-20")} & events)
    assert any(kind == "ACCUSE" and source == "RUS" and target == "JPN" for kind, _, source, target, _ in events)
    assert ("REJECT", False, "RUS", "JPN", "2022-03") in events
    assert any(kind == "SANCTION" and not negated and source == "JPN" and target == "RUS"
               for kind, negated, source, target, _ in events)
    assert any(a.dyad == ("JPN", "RUS") and a.polarity == "negative" and a.level == "zero" for a in doc.assessments)
