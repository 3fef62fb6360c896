"""Event triggers: common compounds that hold a trigger word are not that act (stop phrases in events.tsv).

The phrases are from the VNTC news corpus (../shared/corpora), where each was coded as an event: "9 triệu chữ
ký" as an agreement signed, "miền đất hứa" as a promise, the Law on Complaints and Denunciations as an accusation.
"""

from __future__ import annotations

import pytest

from quanhe.events.coder import cues
from quanhe.pipeline import analyze
from quanhe.text.matching import fold_chars, longest_matches


def triggers(text: str) -> list[tuple[str, str]]:
    """Each trigger or stop phrase found, with its event type ("" for a stop phrase)."""
    return [(text[start:end], trigger.type or "")
            for start, end, trigger in longest_matches(cues("vi").automaton, fold_chars(text))]


@pytest.mark.parametrize("text, phrase", [
    ("Việt Nam hiện đã có hơn 9 triệu chữ ký và gần 3 tỷ đồng gửi đến Hội.", "chữ ký"),
    ("Hàn Quốc không phải là miền đất hứa như nhiều người từng nghĩ khi còn ở quê nhà.", "đất hứa"),
    ("Quốc hội sẽ biểu quyết thông qua Luật sửa đổi, bổ sung một số điều của Luật khiếu nại, tố cáo.",
     "khiếu nại, tố cáo"),
])
def test_a_compound_hides_the_trigger_inside_it(text, phrase):
    assert (phrase, "") in triggers(text)
    assert all(kind == "" for _, kind in triggers(text))


def test_the_acts_themselves_are_still_coded():
    def events(text):
        return [(e.type, e.source.code, e.target.code if e.target else None)
                for e in analyze(text, published="2006-02-01").events]

    assert events("Nga và Trung Quốc ký thỏa thuận cung cấp khí đốt dài hạn.") == [("AGREE", "RUS", "CHN")]
    assert events("Ông Trump hứa với Nga sẽ chấm dứt xung đột.") == [("AGREE", "USA", "RUS")]
    assert ("ACCUSE", "IRN", "ISR") in events("Iran tố cáo Israel đứng sau vụ tấn công.")
