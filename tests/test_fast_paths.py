"""The speed-ups of issue 8 change no output: each fast path against the plain computation it replaces.

Several rest on facts about Unicode and the `regex` engine (checked here over every code point, so that a Python or
`regex` upgrade that breaks one fails here rather than changing outputs silently).
"""

from __future__ import annotations

import random
import unicodedata

import pytest
import regex

from quanhe.analyze import times
from quanhe.analyze.quotes import cues
from quanhe.text.matching import matches_by_sentence
from quanhe.model import Sentence
from quanhe.pipeline import _LETTERS, _VIETNAMESE_LETTERS, _VIETNAMESE_QUICK, article_id, detect_language
from quanhe.text import boilerplate
from quanhe.text.clean import _TERMINAL, _ends_like_sentence
from quanhe.text.dedup import from_bytes, signature, to_bytes
from quanhe.text.matching import fold_chars, longest_matches
from quanhe.text.normalize import (_DOTTED_WORD, _OLD_TONE_PLACEMENT, _TONES, case_equivalents, is_syllable,
                                   normalize_tone_placement,
                                   remove_censorship_dots)

ALL = "".join(map(chr, range(0x110000)))


# ---- the plain computations -----------------------------------------------------------------------------------------


def tone_placement_via_nfd(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    fixed = _OLD_TONE_PLACEMENT.sub(lambda m: m.group(1) + m.group(3) + m.group(2), unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", fixed)


def dots_in_one_pass(text: str) -> str:
    def join(match: regex.Match) -> str:
        word = match.group(1)
        joined = word.replace(".", "")
        return joined if is_syllable(joined) else word

    return _DOTTED_WORD.sub(join, text)


def random_texts(seed: int, pieces: list[str], count: int, longest: int) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(["", " ", "\n"]).join(rng.choice(pieces) for _ in range(rng.randint(0, longest)))
            for _ in range(count)]


# ---- normalisation --------------------------------------------------------------------------------------------------


def test_unicode_facts_behind_the_tone_placement_shortcut():
    letter_or_mark = regex.compile(r"[\p{L}\p{M}]")
    # a character whose NFD is itself: only its own combining class matters
    assert not [c for c in regex.findall(r"[^\p{L}\p{M}]", ALL) if unicodedata.combining(c)]
    for char in [c for c in ALL if not unicodedata.is_normalized("NFD", c)]:
        nfd = unicodedata.normalize("NFD", char)
        assert bool(letter_or_mark.match(char)) == bool(letter_or_mark.match(nfd[0])), hex(ord(char))
        if not letter_or_mark.match(char):
            assert unicodedata.combining(nfd[0]) == 0, hex(ord(char))
        assert nfd not in ("o", "u", "O", "U") and not nfd.endswith(("q", "Q")), hex(ord(char))


def test_tone_placement_and_dots_match_the_plain_computation():
    pieces = (list("oOuUaAeEyYqQ.@:/1 \n") + ["à", "á", "ả", "ã", "ạ", "ỳ", "ý", "ẹ", "Ẻ", "ạ", "ặ", "ậ"]
              + list(_TONES) + ["\u0302", "\u0306", "\u031b", "đán.h", "Ch.ỉ", "dọ.a", "v.v.", "ho.à", "U.S.", "6.2021",
                                "x.y.z", "..a", "a.\u0301b", "vnexpress.net", "thuỷ", "hoà", "quý", "toàn"])
    for text in random_texts(1, pieces, 6000, 30) + random_texts(2, pieces, 200, 400):
        assert normalize_tone_placement(text) == tone_placement_via_nfd(text), repr(text)
        assert remove_censorship_dots(text) == dots_in_one_pass(text), repr(text)


# ---- pipeline -------------------------------------------------------------------------------------------------------


def test_article_id_shortcut_rests_on_whitespace_facts():
    assert [c for c in ALL if c.isspace() and c.isprintable()] == [" "]
    for char in [c for c in ALL if c.casefold() != c]:  # case folding changes only these
        assert not char.isspace() and not any(c.isspace() for c in char.casefold()), hex(ord(char))


@pytest.mark.parametrize("text", ["Hà Nội\nViệt Nam", "a  b", " a", "a ", "a\tb", "A\n\nB", "", "ß x\u2028y", "x\n"])
def test_article_id_equals_the_folded_key(text):
    import hashlib

    expected = "a-" + hashlib.sha1(" ".join(text.casefold().split()).encode("utf-8")).hexdigest()[:16]
    assert article_id(text) == expected


def test_quick_vietnamese_class_is_the_case_insensitive_one():
    assert set(_VIETNAMESE_QUICK.findall(ALL)) == set(_VIETNAMESE_LETTERS.findall(ALL))


@pytest.mark.parametrize("text", ["Hà Nội là thủ đô", "The quick brown fox", "", "ă" * 5 + "x" * 3000,
                                  "x" * 590 + "ạ" * 20 + "y" * 900, "Ông " * 10 + "z" * 2000])
def test_detect_language_equals_the_ratio(text):
    sample = text[:1500]
    letters = len(_LETTERS.findall(sample)) or 1
    expected = "vi" if len(_VIETNAMESE_LETTERS.findall(sample)) / letters > 0.02 else "en"
    assert detect_language(text) == expected


# ---- cleaning -------------------------------------------------------------------------------------------------------


def test_sentence_end_check_equals_the_pattern():
    for text in random_texts(3, list(".!?…:;'\"”’)\n\r\u2028 ab"), 50000, 6):
        assert _ends_like_sentence(text) == bool(_TERMINAL.search(text)), repr(text)


def test_boilerplate_parts_equal_the_alternation():
    pieces = ("ảnh: Ảnh ảnh minh họa ( ) - – . , | Theo Tác giả: Ngọc Vân MINH QUÂN video đang hot nguồn tin: "
              "nguồn bình luận 12 thứ hai, 12/3/2024 10:30 (GMT+7) tin liên quan xem thêm: a- a a+ AFP x 1").split()
    for lang in ("vi", "en"):
        rules = boilerplate.rules(lang)
        for name in ("drop", "cut_from", "byline", "caption"):
            pattern = getattr(rules, name)
            for line in random_texts(4, pieces, 3000, 10):
                line = " ".join(line.split())
                assert boilerplate.matches(pattern, line) == (len(line) <= boilerplate.MAX_FURNITURE_CHARS
                                                              and pattern.fullmatch(line) is not None), (name, line)


# ---- times ----------------------------------------------------------------------------------------------------------


def test_lead_letters_case_equivalents_are_the_engines():
    letters = {letter for lang in ("vi", "en") for p in times._grammar(lang).passes for letter in p.word or ""}
    assert letters and all(times._grammar(lang).leads is not None for lang in ("vi", "en"))
    # every character IGNORECASE equates with one of the letters, then which letter each goes with
    candidates = regex.compile("[" + "".join(map(regex.escape, sorted(letters))) + "]", regex.I).findall(ALL)
    for letter in letters:
        engine = {c for c in set(candidates) if regex.fullmatch(regex.escape(letter), c, regex.I)}
        assert case_equivalents(letter) == engine, letter


def candidates(text: str, grammar: times._Grammar) -> list[tuple]:
    return [(c.start, c.end, c.kind, c.value, c.y, c.m, c.d, c.mode, c.offset)
            for c in times._candidates(text, grammar)]


def test_time_candidates_equal_a_scan_of_every_pass():
    words = ("ngày tháng năm hôm qua nay mai thứ hai ba chủ nhật tuần trước tới sau đó cùng vào sáng chiều 20/2 "
             "12-3-2022 2014 những thập niên Chiến tranh Lạnh cuộc đại sự kiện 11/9 tết Mậu Thân NGÀY THÁNG HÔM "
             "ſự İ K đệ nhất thế chiến , . ( ) - the war day days week month year yesterday today January Monday "
             "3 ago last ngàyngày tếtết").split()
    for lang in ("vi", "en"):
        grammar = times._grammar(lang)
        plain = times._Grammar(grammar.lang, grammar.passes, grammar.markers, grammar.quantified, grammar.lex)
        for text in random_texts(5, words, 3000, 25):
            assert candidates(text, grammar) == candidates(text, plain), (lang, text)


# ---- cue matching by sentence ---------------------------------------------------------------------------------------


def test_matches_by_sentence_equal_matching_each_sentence():
    automaton = cues("vi").automaton
    rng = random.Random(6)
    phrases = ["cho biết", "nói", "khẳng định", "theo", "dẫn lời", "tuyên bố", "cho rằng", "Nga", ",", ".", "ông"]
    for _ in range(3000):
        text = " ".join(rng.choice(phrases) for _ in range(rng.randint(0, 30)))
        folded = fold_chars(text)
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randint(1, 10))))
        sentences = [Sentence(i, a + (rng.random() < 0.3 and b > a), b, 0)
                     for i, (a, b) in enumerate(zip(cuts, cuts[1:]))]
        assert matches_by_sentence(automaton, folded, sentences) == \
            [longest_matches(automaton, folded, s.start, s.end) for s in sentences]


# ---- near-duplicate signatures --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "a", "a b c d e", "a b c d e f", "Hà Nội là thủ đô của Việt Nam, " * 40,
                                  "  x\n\ny  ", "ĐÁ gh ab cd ef gh ab cd ef"])
def test_signature_equals_datasketch_minhash(text):
    """Signatures stored by versions that computed them with datasketch stay comparable."""
    from datasketch import MinHash

    from quanhe.text.dedup import NUM_PERM, SEED, SHINGLE_WORDS
    from quanhe.text.normalize import fold

    words = fold(text).split()
    shingles = {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}
    expected = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")
    expected.update_batch([s.encode("utf-8") for s in shingles])
    expected_bytes = expected.hashvalues.astype("<u8").tobytes()
    got = signature(text)
    assert to_bytes(got) == expected_bytes
    assert to_bytes(from_bytes(expected_bytes)) == expected_bytes


def test_index_bands_are_datasketch_optimum():
    from datasketch import MinHashLSH

    from quanhe.text.dedup import BAND_ROWS, BANDS, NUM_PERM, THRESHOLD

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    assert (lsh.b, lsh.r) == (BANDS, BAND_ROWS)


# ---- legacy encodings -----------------------------------------------------------------------------------------------


def test_legacy_replacers_equal_translate():
    from quanhe.ingest import encoding as legacy

    for replace, table in ((legacy._TCVN3_REPLACE, legacy._TCVN3_REPAIR), (legacy._VNI_REPLACE, legacy._VNI_REPAIR)):
        assert all(isinstance(value, str) for value in table.values())
        assert replace(ALL) == ALL.translate(table)


def test_relation_word_positions_cover_every_relation_match():
    from quanhe.events import assessments

    grammar = assessments.grammar("vi")
    assert grammar.relation_unsafe is not None and grammar.has_standalone
    rng = random.Random(7)
    words = ["quan hệ", "QUAN HỆ", "Quan Hệ", "mối", "quan", "hệ", "song phương", "ngoại giao", "hợp tác", "ſ", "İ",
             "Mối", ",", ".", "Nga", "x"]
    for _ in range(3000):
        text = rng.choice([" ", "", "\n"]).join(rng.choice(words) for _ in range(rng.randint(0, 20)))
        starts, _ = assessments._scan(grammar, text, fold_chars(text))
        if starts is None:
            continue
        a = rng.randint(0, len(text))
        b = rng.randint(a, len(text))
        for window in ((0, len(text)), (a, b)):
            for match in grammar.relation.finditer(text, *window):
                assert match.start() in starts, (text, window)


def test_standalone_scan_sees_every_long_cue():
    from quanhe.events import assessments

    grammar = assessments.grammar("vi")
    long_cues = [key for key, (_, cue) in grammar.automaton.items()
                 if len(cue.text.split()) >= assessments.STANDALONE_MIN_WORDS]
    short_cues = [key for key, (_, cue) in grammar.automaton.items()
                  if len(cue.text.split()) < assessments.STANDALONE_MIN_WORDS]
    rng = random.Random(8)
    for _ in range(2000):
        text = " ".join(rng.choice(long_cues + short_cues * 3 + ["Nga", "Mỹ", ","]) for _ in range(rng.randint(0, 12)))
        folded = fold_chars(text)
        _, standalone = assessments._scan(grammar, text, folded)
        chosen = longest_matches(grammar.automaton, folded)
        if any(len(cue.text.split()) >= assessments.STANDALONE_MIN_WORDS for _, _, cue in chosen):
            assert standalone, text
