"""The REST API over a store built from the real samples: every endpoint, its filters, paging and its errors."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from quanhe.aggregate.stories import update_stories
from quanhe.model import PLOVER_TYPES
from quanhe.runner import run_batch
from quanhe.serve import api
from quanhe.serve.api import MAX_BODY_BYTES, create_app
from quanhe.store.database import Store, StoreError

CONVENTION_KEYS = ["id", "type", "mode", "negated", "modality", "source", "target", "date", "date_precision",
                   "date_from", "place", "confidence", "story", "evidence"]


@pytest.fixture(scope="module")
def db(tmp_path_factory, samples_dir):
    path = tmp_path_factory.mktemp("api") / "samples.duckdb"
    with Store(path) as store:
        run_batch(store, [samples_dir], None)
        update_stories(store)
    return path


@pytest.fixture(scope="module")
def client(db):
    with TestClient(create_app(db)) as test_client:
        yield test_client


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.text)
    return response.json()


def walk(client, url, limit):
    """Every item of a paged endpoint, page by page."""
    items, offset = [], 0
    while True:
        page = get(client, f"{url}{'&' if '?' in url else '?'}limit={limit}&offset={offset}")
        assert (page["limit"], page["offset"]) == (limit, offset)
        assert len(page["items"]) <= limit
        items += page["items"]
        offset += limit
        if offset >= page["total"]:
            return items, page["total"]


# ---- articles -------------------------------------------------------------------------------------------------


def test_articles_page_through_every_sample(client, samples_dir):
    items, total = walk(client, "/articles", 2)
    assert total == len(list(samples_dir.glob("*.txt"))) == len(items)
    assert len({a["id"] for a in items}) == total
    assert sum(a["events"] for a in items) > 0
    assert get(client, "/articles?offset=1000")["items"] == []


def test_article_has_clean_text_and_spans_that_point_into_it(client):
    first = get(client, "/articles?limit=500")["items"]
    article_id = next(a["id"] for a in first if a["events"])
    article = get(client, f"/articles/{article_id}")
    text = article["text"]
    assert text and "raw_text" not in article
    for sentence in article["sentences"]:
        assert 0 <= sentence["start"] < sentence["end"] <= len(text)
    for mention in article["mentions"]:
        assert text[mention["start"]:mention["end"]] == mention["text"]
    assert article["events"]
    for event in article["events"]:
        assert list(event) == CONVENTION_KEYS
        evidence = event["evidence"]
        assert evidence["article"] == article_id
        assert text[evidence["start"]:evidence["end"]] == evidence["text"]
    for quote in article["quotes"]:
        assert text[quote["evidence"]["start"]:quote["evidence"]["end"]] == quote["text"]
    assert article["sources"][0]["relation"] == "original"
    assert get(client, f"/articles/{article_id[:8]}")["id"] == article_id  # a unique prefix is enough


def test_unknown_or_malformed_article_ids(client):
    assert "no article" in get(client, "/articles/a-0000000000000000", 404)["detail"]
    assert get(client, "/articles/a b", 422)["detail"][0]["loc"] == ["path", "article_id"]


# ---- events ---------------------------------------------------------------------------------------------------


def test_events_page_without_gaps_or_repeats(client):
    everything = get(client, "/events?limit=500")
    items, total = walk(client, "/events", 7)
    assert total == everything["total"] == len(items) > 7
    assert [e["id"] for e in items] == [e["id"] for e in everything["items"]]
    assert get(client, "/events")["limit"] == 50


def test_events_are_plover_records(client):
    for event in get(client, "/events?limit=500")["items"]:
        assert list(event) == CONVENTION_KEYS
        assert event["type"] in PLOVER_TYPES
        assert event["story"].startswith("s-")
        assert set(event["evidence"]) == {"article", "sentence", "start", "end", "text"}
        for side in ("source", "target"):
            assert event[side] is None or set(event[side]) == {"text", "name", "country", "sector"}


def test_event_filters(client):
    ordered = get(client, "/events?dyad=RUS-JPN&limit=500")["items"]
    assert ordered, "sample 000 has Russia acting on Japan"
    assert all((e["source"]["country"], e["target"]["country"]) == ("RUS", "JPN") for e in ordered)
    either = get(client, "/events?dyad=jpn~rus&limit=500")["items"]
    assert {(e["source"]["country"], e["target"]["country"]) for e in either} == {("RUS", "JPN"), ("JPN", "RUS")}
    assert get(client, "/events?dyad=RUS-USA")["total"] > 0

    actor = get(client, "/events?actor=JPN&limit=500")["items"]
    assert actor and all("JPN" in (e["source"]["country"], (e["target"] or {}).get("country")) for e in actor)

    typed = get(client, f"/events?type={ordered[0]['type'].lower()}&limit=500")["items"]
    assert typed and {e["type"] for e in typed} == {ordered[0]["type"]}

    dated = get(client, "/events?since=2026-02-01&until=2026-02-28&limit=500")["items"]
    assert dated and all(e["date"].startswith("2026-02") for e in dated)

    total = get(client, "/events")["total"]
    assert get(client, "/events?negated=true")["total"] + get(client, "/events?negated=false")["total"] == total
    assert all(e["negated"] for e in get(client, "/events?negated=true&limit=500")["items"])
    confident = get(client, "/events?min_confidence=0.9&limit=500")["items"]
    assert all(e["confidence"] >= 0.9 for e in confident)
    assert get(client, "/events?min_confidence=0")["total"] == total

    story = ordered[0]["story"]
    members = get(client, f"/events?story={story}")["items"]
    assert members and all(e["story"] == story for e in members)


@pytest.mark.parametrize("query", [
    "limit=0", "limit=501", "offset=-1", "limit=abc", "dyad=RUSJPN", "dyad=RUS-JPN-USA", "actor=R1",
    "type=FOO", "since=2026-13-01", "since=2026-03-01&until=2026-02-01", "negated=maybe", "min_confidence=1.5",
    "story=x", "bogus=1",
])
def test_bad_event_parameters_are_422(client, query):
    detail = get(client, f"/events?{query}", 422)["detail"]
    assert detail and all({"loc", "msg"} == set(error) for error in detail)


# ---- stories, quotes, assessments -----------------------------------------------------------------------------


def test_stories_group_the_mentions(client):
    items, total = walk(client, "/stories", 10)
    assert total == len(items) > 0
    assert sum(s["num_mentions"] for s in items) == get(client, "/events")["total"]
    for story in get(client, "/stories?dyad=RUS-USA&limit=500")["items"]:
        assert (story["source"], story["target"]) == ("RUS", "USA")
        assert story["num_mentions"] >= story["num_articles"] >= 1 and story["num_sources"] >= 1
        members = get(client, f"/events?story={story['id']}&limit=500")
        assert members["total"] == story["num_mentions"]
    assert get(client, "/stories?type=CONSULT&negated=false")["total"] > 0
    get(client, "/stories?type=nope", 422)


def test_quotes_who_said_what(client):
    items, total = walk(client, "/quotes", 25)
    assert total == len(items) > 0
    quote = items[0]
    assert set(quote) == {"text", "kind", "cue", "speaker", "outlet", "date", "evidence"}
    dyad = get(client, "/quotes?dyad=RUS~JPN&limit=500")["items"]
    assert dyad and all(q["speaker"]["code"] in ("RUS", "JPN") for q in dyad)
    russian = get(client, "/quotes?country=rus&limit=500")["items"]
    assert russian and all(q["speaker"]["code"] == "RUS" for q in russian)
    named = next(q["speaker"]["name"] for q in items if q["speaker"] and q["speaker"]["name"])
    assert get(client, f"/quotes?speaker={named[:4]}")["total"] > 0
    assert get(client, f"/quotes?article={quote['evidence']['article']}")["total"] > 0
    get(client, "/quotes?speaker=", 422)
    get(client, "/quotes?speaker=" + "x" * 101, 422)


def test_assessments(client):
    page = get(client, "/assessments?dyad=RUS~USA")
    assert {"total", "limit", "offset", "items"} == set(page)
    for item in get(client, "/assessments?limit=500")["items"]:
        assert set(item) == {"dyad", "polarity", "level", "speaker", "date", "cue", "evidence"}
        assert item["polarity"] in ("negative", "neutral", "positive")
    get(client, "/assessments?polarity=angry", 422)


# ---- dyads and series -----------------------------------------------------------------------------------------


def test_dyads_offer_russia_japan_and_russia_usa(client):
    items = get(client, "/dyads")["items"]
    pairs = {(d["a"], d["b"]): d for d in items}
    assert {("JPN", "RUS"), ("RUS", "USA")} <= set(pairs)
    assert (pairs[("JPN", "RUS")]["a_vi"], pairs[("JPN", "RUS")]["b_vi"]) == ("Nhật Bản", "Nga")
    assert pairs[("RUS", "USA")]["stories"] <= pairs[("RUS", "USA")]["mentions"]
    get(client, "/dyads?limit=0", 422)


@pytest.mark.parametrize("freq", ["day", "week", "month"])
def test_series_rows_add_up(client, freq):
    series = get(client, f"/dyads/rus/jpn/series?freq={freq}")
    assert (series["a"], series["b"], series["freq"]) == ("RUS", "JPN", freq)
    assert series["rows"], "sample 000 has dated RUS-JPN events"
    weights = series["weights"]
    for row in series["rows"]:
        assert sum(row[t] for t in series["types"]) + row["negated"] == row["stories"] <= row["mentions"]
        assert abs(row["score"]) <= 9.0 * row["stories"]
    assert set(weights) >= set(PLOVER_TYPES) and weights["ASSAULT"] == -9.0
    assert isinstance(series["assessments"], list) and series["undated"] >= 0


def test_series_ordered_and_ranges(client):
    both = sum(r["stories"] for r in get(client, "/dyads/RUS/JPN/series")["rows"])
    one = sum(r["stories"] for r in get(client, "/dyads/RUS/JPN/series?ordered=true")["rows"])
    other = sum(r["stories"] for r in get(client, "/dyads/JPN/RUS/series?ordered=true")["rows"])
    assert one + other == both and one > 0
    assert get(client, "/dyads/RUS/JPN/series?since=2030-01-01")["rows"] == []
    assert get(client, "/dyads/XXX/YYY/series")["rows"] == []


@pytest.mark.parametrize("url", [
    "/dyads/RUS/JPN/series?freq=year", "/dyads/R1/JPN/series", "/dyads/RUSSIA/JPN/series",
    "/dyads/RUS/JPN/series?since=2026-03-01&until=2026-01-01", "/dyads/RUS/JPN/series?assessments=101",
    "/dyads/RUS/JPN/series?ordered=perhaps", "/dyads/RUS/JPN/series?page=2",
])
def test_bad_series_parameters_are_422(client, url):
    get(client, url, 422)


# ---- analyze --------------------------------------------------------------------------------------------------


def test_analyze_returns_the_whole_document_without_storing(client, samples_dir):
    before = get(client, "/articles")["total"]
    text = sorted(samples_dir.glob("000_*.txt"))[0].read_text(encoding="utf-8")
    response = client.post("/analyze", json={"text": text, "published": "2026-02-21"})
    assert response.status_code == 200, response.text
    doc = response.json()
    assert set(doc) >= {"article", "sentences", "mentions", "times", "quotes", "events", "assessments"}
    assert doc["article"]["published"] == "2026-02-21"
    assert any({e["source"]["country"], e["target"]["country"]} == {"RUS", "JPN"}
               for e in doc["events"] if e["source"] and e["target"])
    assert get(client, "/articles")["total"] == before


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": 5}, {"text": "x", "published": "yesterday"},
                                  {"text": "x", "extra": 1}, [1, 2]])
def test_analyze_rejects_bad_bodies(client, body):
    assert client.post("/analyze", json=body).status_code == 422


def test_analyze_rejects_malformed_json(client):
    response = client.post("/analyze", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_bodies_over_the_limit_are_413(client):
    big = json.dumps({"text": "a" * MAX_BODY_BYTES}).encode()
    response = client.post("/analyze", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    chunks = (big[i:i + 65536] for i in range(0, len(big), 65536))  # no Content-Length: chunked
    response = client.post("/analyze", content=chunks, headers={"content-type": "application/json"})
    assert response.status_code == 413


# ---- docs, dashboard, errors ----------------------------------------------------------------------------------


def test_openapi_documents_every_endpoint(client):
    paths = get(client, "/openapi.json")["paths"]
    assert {"/articles", "/articles/{article_id}", "/events", "/stories", "/quotes", "/assessments", "/dyads",
            "/dyads/{a}/{b}/series", "/analyze"} <= set(paths)
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/vendor/swagger-ui-bundle.js" in docs.text and "cdn." not in docs.text
    assert client.get("/vendor/swagger-ui-bundle.js").status_code == 200


def test_dashboard_is_served_at_root_with_vendored_charts(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for asset in ("app.js", "style.css", "vendor/vega.min.js", "vendor/vega-lite.min.js", "vendor/vega-embed.min.js"):
        assert f'"{asset}"' in page.text
        assert client.get(f"/{asset}").status_code == 200
    assert "http" not in page.text.replace("http-equiv", "")  # nothing loaded from the network
    assert get(client, "/no/such/page", 404)["detail"]


def test_no_cors_headers(client):
    response = client.get("/events", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in response.headers


def test_server_errors_hide_their_details(db, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api, "dyads", broken)
    with TestClient(create_app(db), raise_server_exceptions=False) as test_client:
        response = test_client.get("/dyads")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal server error"}


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no database"):
        create_app(tmp_path / "none.duckdb")
