"""Issue 9, the API's security and the configurable limits: writes need the token (403 without one configured, 401
for a missing or wrong one), a stored or deleted article leaves a consistent store (`check`, stories), CORS is
off unless an origin is allowed, bodies over the limit are 413, a store held by another process is a 503, and the
limits come from the environment and the command line, with one-line errors for bad values."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from quanhe.aggregate.stories import update_stories
from quanhe.cli import app as cli_app
from quanhe.ingest.readers import bound_record, read_paths, truncation_point
from quanhe.ingest.records import RawRecord
from quanhe.limits import DEFAULT_LIMITS, LimitError, Limits
from quanhe.serve import api, commands
from quanhe.serve.api import WRITES_DISABLED, create_app
from quanhe.store.check import check
from quanhe.store.database import Store

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
STORY_COLUMNS = "id, type, mode, source_code, target_code, negated, first_day, last_day, num_mentions, num_articles"


@pytest.fixture(scope="module")
def texts(samples_dir) -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(samples_dir.glob("*.txt"))]


def near_copy(text: str) -> str:
    """Sample 001 with a few words changed, as a syndicating site edits a story (as in test_store.py)."""
    for old, new in [("Sergei Ryabkov cho biết, mối quan hệ", "Sergei Ryabkov nói, mối quan hệ"),
                     ("Cùng ngày, người phát ngôn", "Cũng trong ngày, người phát ngôn")]:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def new_db(tmp_path: Path, name: str = "store.duckdb") -> Path:
    path = tmp_path / name
    Store(path).close()  # an empty, migrated store
    return path


def post(client, body, headers=AUTH, status=200):
    response = client.post("/articles", json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def consistent(db: Path) -> None:
    """`check` passes and every event belongs to a story that counts it (no stale or empty stories)."""
    with Store(db, read_only=True) as store:
        assert check(store) == []
        con = store.con
        assert con.execute("SELECT count(*) FROM events WHERE story_id IS NULL").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM stories s WHERE NOT EXISTS "
                           "(SELECT 1 FROM events e WHERE e.story_id = s.id)").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM stories s WHERE num_mentions <> "
                           "(SELECT count(*) FROM events e WHERE e.story_id = s.id)").fetchone()[0] == 0


def stories(db: Path) -> list[tuple]:
    with Store(db, read_only=True) as store:
        return store.con.execute(f"SELECT {STORY_COLUMNS} FROM stories ORDER BY id").fetchall()


# ---- writes need the token --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def read_only_db(tmp_path_factory, texts):
    path = tmp_path_factory.mktemp("ro") / "store.duckdb"
    with TestClient(create_app(new_db(path.parent), token=TOKEN)) as client:
        post(client, {"text": texts[0]})
    return path


def test_without_a_token_configured_writes_are_403_and_the_store_is_read_only(read_only_db, texts):
    app = create_app(read_only_db)
    assert app.state.read_only
    with TestClient(app) as client:
        total = client.get("/articles").json()["total"]
        article_id = client.get("/articles").json()["items"][0]["id"]
        for headers in ({}, AUTH):
            response = client.post("/articles", json={"text": texts[1]}, headers=headers)
            assert response.status_code == 403 and response.json() == {"detail": WRITES_DISABLED}
            assert "set QUANHE_API_TOKEN" in response.json()["detail"]
            response = client.delete(f"/articles/{article_id}", headers=headers)
            assert response.status_code == 403 and response.json() == {"detail": WRITES_DISABLED}
        assert client.get("/articles").json()["total"] == total
        assert client.get(f"/articles/{article_id}").status_code == 200


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer wrong-token-0123456789abcdef"}, {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Bearer {TOKEN[:-1]}"}, {"Authorization": f"Basic {TOKEN}"}, {"Authorization": TOKEN},
    {"Authorization": "Bearer"}, {"Authorization": b"Bearer caf\xe9-0123456789abcdef"},
])
def test_a_missing_or_wrong_token_is_401(read_only_db, headers):
    app = create_app(read_only_db, read_only=False, token=TOKEN)
    with TestClient(app) as client:
        article_id = client.get("/articles").json()["items"][0]["id"]
        for response in (client.post("/articles", json={"text": "Nga cảnh báo Nhật Bản."}, headers=headers),
                         client.delete(f"/articles/{article_id}", headers=headers)):
            assert response.status_code == 401, response.text
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert response.json() == {"detail": "missing or wrong bearer token"}
            assert TOKEN not in response.text
        assert client.get(f"/articles/{article_id}").status_code == 200


def test_the_token_is_compared_in_constant_time(read_only_db, monkeypatch):
    calls = []
    real = api.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(api.hmac, "compare_digest", spy)
    with TestClient(create_app(read_only_db, token=TOKEN)) as client:
        assert client.delete("/articles/a-0000000000000000", headers={"Authorization": "Bearer nope"}).status_code \
            == 401
        assert client.delete("/articles/a-0000000000000000", headers=AUTH).status_code == 404
    assert calls == [(b"nope", TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


def test_the_token_is_checked_before_the_body_or_the_path(read_only_db):
    malformed = {"content": b"{not json", "headers": {"content-type": "application/json"}}
    with TestClient(create_app(read_only_db, token=TOKEN)) as client:
        assert client.post("/articles", json={"unknown": 1}).status_code == 401
        assert client.post("/articles", **malformed).status_code == 401
        assert client.delete("/articles/!!").status_code == 401
        assert client.post("/articles", json={"unknown": 1}, headers=AUTH).status_code == 422
        assert client.post("/articles", content=malformed["content"],
                           headers={**malformed["headers"], **AUTH}).status_code == 422
        assert client.delete("/articles/!!", headers=AUTH).status_code == 422
    with TestClient(create_app(read_only_db)) as client:
        assert client.post("/articles", **malformed).status_code == 403


@pytest.mark.parametrize("token, message", [
    ("abc123", "too short"), ("x" * 15, "too short"), ("with space inside 0123456789", "only letters"),
    ("caf\u00e9-0123456789abcdef", "only letters"),
])
def test_weak_or_malformed_tokens_are_refused(read_only_db, token, message):
    with pytest.raises(ValueError, match=message) as caught:
        create_app(read_only_db, token=token)
    assert token not in str(caught.value)


# ---- storing and deleting ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def written(tmp_path_factory, texts):
    """A store filled through the API: the samples, one of them twice, a near copy and a blank article."""
    db = new_db(tmp_path_factory.mktemp("api-writes"))
    with TestClient(create_app(db, token=TOKEN)) as client:
        first = post(client, {"text": texts[0], "title": "Bài một", "url": "https://tin.example/1",
                              "published": "2026-02-21"})
        batch = post(client, [{"text": text, "source": f"feed-{i}"} for i, text in enumerate(texts[1:], 1)]
                     + [{"text": texts[0], "title": "Bài một"},
                        {"text": near_copy(texts[1]), "url": "https://other.example/2"}, {"text": "  \n "}])
    return db, first, batch


def test_one_article_is_stored_and_answered_with_its_id(written):
    _, first, _ = written
    assert first["received"] == first["added"] == 1 and first["failed"] == 0 and first["stories"] > 0
    [article] = first["articles"]
    assert article["status"] == "added" and article["id"].startswith("a-")
    assert article["events"] > 0 and article["published"] == "2026-02-21" and article["warnings"] == []


def test_a_list_reports_each_article(written, texts):
    _, first, batch = written
    statuses = [a["status"] for a in batch["articles"]]
    assert statuses == ["added"] * (len(texts) - 1) + ["already_stored", "near_duplicate", "failed"]
    assert [a["index"] for a in batch["articles"]] == list(range(len(texts) + 2))
    assert (batch["received"], batch["added"], batch["already_stored"], batch["near_duplicates"], batch["failed"]) \
        == (len(texts) + 2, len(texts) - 1, 1, 1, 1)
    assert batch["articles"][-3]["id"] == first["articles"][0]["id"]
    assert batch["articles"][-2]["id"] == batch["articles"][0]["id"]  # linked to the article it copies
    assert "text" in batch["articles"][-1]["error"] and "Traceback" not in batch["articles"][-1]["error"]


def test_stored_articles_are_visible_through_the_read_endpoints(written, texts):
    db, first, batch = written
    with TestClient(create_app(db)) as client:  # a read-only server over what the writes left
        listed = client.get("/articles?limit=500").json()
        assert listed["total"] == len(texts)
        article_id = first["articles"][0]["id"]
        article = client.get(f"/articles/{article_id}").json()
        assert article["title"] == "Bài một" and article["url"] == "https://tin.example/1"
        assert len(article["events"]) == first["articles"][0]["events"]
        assert {s["source"] for s in article["sources"]} == {"https://tin.example/1", "api"}
        copied = client.get(f"/articles/{batch['articles'][0]['id']}").json()
        assert {(s["source"], s["relation"]) for s in copied["sources"]} == {
            ("feed-1", "original"), ("https://other.example/2", "near_duplicate")}
        events = client.get("/events?limit=500").json()
        assert events["total"] == sum(a.get("events", 0) for a in first["articles"] + batch["articles"])
        assert client.get("/stories").json()["total"] == batch["stories"]
    consistent(db)


def test_quanhe_check_passes_after_writes(written):
    db, _, _ = written
    result = CliRunner().invoke(cli_app, ["check", "--db", str(db)])
    assert result.exit_code == 0 and result.stdout.startswith("ok:"), result.output


def test_delete_removes_everything_and_the_stories_follow(tmp_path, texts):
    """Storing five articles and deleting one leaves the store that storing the other four gives."""
    db, expected = new_db(tmp_path, "five.duckdb"), new_db(tmp_path, "four.duckdb")
    with TestClient(create_app(db, token=TOKEN)) as client:
        added = post(client, [{"text": text} for text in texts])["articles"]
        gone = added[0]["id"]
        before = client.get("/stories").json()["total"]
        response = client.delete(f"/articles/{gone}", headers=AUTH)
        assert response.status_code == 200, response.text
        reply = response.json()
        assert reply["deleted"] == gone and reply["rows"]["articles"] == 1
        assert reply["rows"]["events"] == added[0]["events"] and reply["rows"]["sentences"] > 0
        assert reply["stories"] < before
        assert client.get(f"/articles/{gone}").status_code == 404
        assert client.get(f"/quotes?article={gone}").json()["total"] == 0
        assert client.get(f"/assessments?article={gone}").json()["total"] == 0
        assert all(e["evidence"]["article"] != gone for e in client.get("/events?limit=500").json()["items"])
        assert client.get("/stories").json()["total"] == reply["stories"]
        again = client.delete(f"/articles/{gone}", headers=AUTH)
        assert again.status_code == 404 and "no article" in again.json()["detail"]
        assert client.delete(f"/articles/{gone[:8]}", headers=AUTH).status_code == 404  # no prefixes here
    consistent(db)
    assert CliRunner().invoke(cli_app, ["check", "--db", str(db)]).exit_code == 0
    with TestClient(create_app(expected, token=TOKEN)) as client:
        post(client, [{"text": text} for text in texts[1:]])
    assert stories(db) == stories(expected)
    with TestClient(create_app(db, token=TOKEN)) as client:  # and it can be stored again
        assert post(client, {"text": texts[0]})["articles"][0]["status"] == "added"
    consistent(db)


def test_deleting_an_original_removes_its_near_copy_links(tmp_path, texts):
    db = new_db(tmp_path)
    with TestClient(create_app(db, token=TOKEN)) as client:
        reply = post(client, [{"text": texts[1]}, {"text": near_copy(texts[1]), "source": "copy"}])
        original = reply["articles"][0]["id"]
        assert reply["articles"][1]["status"] == "near_duplicate"
        assert client.delete(f"/articles/{original}", headers=AUTH).json()["rows"]["article_sources"] == 2
        # the near-duplicate index forgot it: the copy is now stored as an article of its own
        again = post(client, {"text": near_copy(texts[1]), "source": "copy"})
        assert again["articles"][0]["status"] == "added"
    consistent(db)


def test_articles_from_a_quanhe_run_store_can_be_deleted(tmp_path, samples_dir):
    from quanhe.runner import run_batch

    db = tmp_path / "run.duckdb"
    with Store(db) as store:
        run_batch(store, [samples_dir], None)
        update_stories(store)
    with TestClient(create_app(db, token=TOKEN)) as client:
        for item in client.get("/articles").json()["items"][:2]:
            assert client.delete(f"/articles/{item['id']}", headers=AUTH).status_code == 200
        assert client.get("/articles").json()["total"] == len(list(samples_dir.glob("*.txt"))) - 2
    consistent(db)


def test_concurrent_writes_and_reads_are_serialised(tmp_path, texts):
    db = new_db(tmp_path)
    replies, errors = [], []
    with TestClient(create_app(db, token=TOKEN)) as client:
        def write(text):
            try:
                replies.append(post(client, {"text": text}))
                assert client.get("/stories").status_code == 200
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(text,)) for text in texts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors and sum(r["added"] for r in replies) == len(texts)
    consistent(db)


def test_a_failed_write_is_a_500_without_details_and_the_next_one_works(tmp_path, texts, monkeypatch):
    db = new_db(tmp_path)
    with TestClient(create_app(db, token=TOKEN), raise_server_exceptions=False) as client:
        real = Store.add

        def broken(self, docs, index=None):
            raise RuntimeError("secret internals")

        monkeypatch.setattr(Store, "add", broken)
        response = client.post("/articles", json={"text": texts[0]}, headers=AUTH)
        assert response.status_code == 500 and response.json() == {"detail": "internal server error"}
        monkeypatch.setattr(Store, "add", real)
        assert post(client, {"text": texts[0]})["added"] == 1
    consistent(db)


def test_a_long_article_is_truncated_with_a_warning(tmp_path, texts):
    db = new_db(tmp_path)
    limits = Limits(max_article_chars=300)
    with TestClient(create_app(db, token=TOKEN, limits=limits)) as client:
        [article] = post(client, {"text": texts[0]})["articles"]
        assert article["status"] == "added"
        assert any(w.startswith("article truncated from ") and " to 300 characters" in w
                   for w in article["warnings"]), article["warnings"]
    with Store(db, read_only=True) as store:
        raw, warnings = store.con.execute("SELECT raw_text, warnings FROM articles").fetchone()
    assert len(raw) == 300 and raw in texts[0] and any("truncated" in w for w in warnings)


# ---- CORS, body limit, a busy store ------------------------------------------------------------------------------


def test_no_cors_headers_by_default(read_only_db):
    with TestClient(create_app(read_only_db, token=TOKEN)) as client:
        response = client.get("/events", headers={"Origin": "https://elsewhere.example"})
        assert response.status_code == 200 and "access-control-allow-origin" not in response.headers
        preflight = client.options("/articles", headers={"Origin": "https://elsewhere.example",
                                                         "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in preflight.headers


def test_cors_headers_for_an_allowed_origin_only(read_only_db):
    allowed = "https://dash.example"
    app = create_app(read_only_db, token=TOKEN, cors_origins=[allowed + "/", "http://localhost:5173"])
    with TestClient(app) as client:
        response = client.get("/events", headers={"Origin": allowed})
        assert response.headers["access-control-allow-origin"] == allowed
        assert "access-control-allow-credentials" not in response.headers
        preflight = client.options("/articles", headers={
            "Origin": allowed, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == allowed
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        denied = client.post("/articles", json={"text": "x"}, headers={"Origin": allowed})
        assert denied.status_code == 401 and denied.headers["access-control-allow-origin"] == allowed
        other = client.get("/events", headers={"Origin": "https://evil.example"})
        assert other.status_code == 200 and "access-control-allow-origin" not in other.headers
        refused = client.options("/articles", headers={"Origin": "https://evil.example",
                                                       "Access-Control-Request-Method": "POST"})
        assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers


@pytest.mark.parametrize("origin", ["dash.example", "https://dash.example/path", "ftp://dash.example", ""])
def test_malformed_cors_origins_are_refused(read_only_db, origin):
    with pytest.raises(ValueError, match="--cors-origin"):
        create_app(read_only_db, cors_origins=[origin])


def test_bodies_over_the_configured_limit_are_413(tmp_path):
    db = new_db(tmp_path)
    with TestClient(create_app(db, token=TOKEN, limits=Limits(max_request_bytes=2000))) as client:
        big = json.dumps({"text": "Nga cảnh báo Nhật Bản. " * 100}, ensure_ascii=False).encode()
        assert len(big) > 2000
        for path in ("/articles", "/analyze"):
            response = client.post(path, content=big, headers={**AUTH, "content-type": "application/json"})
            assert response.status_code == 413 and "2000 bytes" in response.json()["detail"]
            chunked = client.post(path, content=(big[i:i + 500] for i in range(0, len(big), 500)),
                                  headers={**AUTH, "content-type": "application/json"})
            assert chunked.status_code == 413
        assert client.post("/articles", content=big, headers={"content-type": "application/json"}).status_code == 413
        small = post(client, {"text": "Nga cảnh báo Nhật Bản."})
        assert small["added"] == 1
        assert client.get("/articles").json()["total"] == 1


def test_a_store_held_by_another_process_is_a_503_then_serves_again(tmp_path, texts):
    db = new_db(tmp_path)
    app = create_app(db, token=TOKEN)
    with TestClient(app) as client:  # one serving cycle; the store is closed when it ends
        post(client, {"text": texts[0]})
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys\ncon = duckdb.connect(sys.argv[1])\n"
                               "print('ready', flush=True)\nsys.stdin.readline()\n", str(db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with TestClient(app, raise_server_exceptions=False) as client:
            for response in (client.get("/articles"), client.post("/articles", json={"text": texts[1]}, headers=AUTH)):
                assert response.status_code == 503, response.text
                assert "in use by another quanhe process" in response.json()["detail"]
                assert str(tmp_path) not in response.text and "Traceback" not in response.text
                assert response.headers["retry-after"] == "5"
            assert client.post("/articles", json={"text": texts[1]}).status_code == 401  # the token comes first
            holder.stdin.close()
            holder.wait(timeout=30)
            assert client.get("/articles").json()["total"] == 1  # opened again once the file is free
            assert post(client, {"text": texts[1]})["added"] == 1
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    consistent(db)


def test_openapi_documents_the_write_endpoints_and_the_token(read_only_db):
    with TestClient(create_app(read_only_db)) as client:
        spec = client.get("/openapi.json").json()
    scheme = spec["components"]["securitySchemes"]["token"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer") and "QUANHE_API_TOKEN" in scheme["description"]
    assert spec["paths"]["/articles"]["post"]["security"] == [{"token": []}]
    assert spec["paths"]["/articles/{article_id}"]["delete"]["security"] == [{"token": []}]
    assert "security" not in spec["paths"]["/articles"]["get"]
    assert {"401", "403", "413"} <= set(spec["paths"]["/articles"]["post"]["responses"])


# ---- quanhe serve ---------------------------------------------------------------------------------------------------


@pytest.fixture
def serve(monkeypatch):
    """serve(*args, env={...}) -> (result, the app and options uvicorn.run was given, or None)."""
    import uvicorn

    import typer

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(app=app, **options))
    monkeypatch.delenv("QUANHE_API_TOKEN", raising=False)
    cli = typer.Typer()
    cli.command()(commands.serve)

    def run(*args, env=None):
        started.clear()
        result = CliRunner().invoke(cli, [str(a) for a in args], env=env)
        return result, dict(started) or None

    return run


def test_serve_listens_on_loopback_read_only_by_default(serve, read_only_db):
    result, started = serve("--db", read_only_db)
    assert result.exit_code == 0, result.output
    assert started["host"] == "127.0.0.1"
    assert started["app"].state.token is None and started["app"].state.read_only
    assert "warning" not in result.stderr and "read-only" in result.stderr


def test_serve_warns_when_listening_elsewhere(serve, read_only_db, tmp_path):
    result, started = serve("--db", read_only_db, "--host", "0.0.0.0")
    assert result.exit_code == 0 and started["host"] == "0.0.0.0"
    assert "warning: listening on 0.0.0.0" in result.stderr and "open to anyone" in result.stderr
    result, _ = serve("--db", new_db(tmp_path), "--host", "0.0.0.0", env={"QUANHE_API_TOKEN": TOKEN})
    assert result.exit_code == 0 and "in clear" in result.stderr
    for host in ("localhost", "::1", "127.0.0.2"):
        result, _ = serve("--db", read_only_db, "--host", host)
        assert result.exit_code == 0 and "warning" not in result.stderr


def test_serve_takes_the_token_from_the_environment_or_a_file(serve, tmp_path):
    db = new_db(tmp_path)
    result, started = serve("--db", db, env={"QUANHE_API_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert started["app"].state.token == TOKEN and not started["app"].state.read_only
    assert "writes" in result.stderr and TOKEN not in result.output
    token_file = tmp_path / "token"
    token_file.write_text("file-token-0123456789abcdef\n", encoding="utf-8")
    token_file.chmod(0o600)
    result, started = serve("--db", db, "--token-file", token_file, env={"QUANHE_API_TOKEN": TOKEN})
    assert result.exit_code == 0 and started["app"].state.token == "file-token-0123456789abcdef"
    assert "warning" not in result.stderr
    token_file.chmod(0o644)
    result, _ = serve("--db", db, "--token-file", token_file)
    assert result.exit_code == 0 and "warning: --token-file" in result.stderr and "chmod 600" in result.stderr
    with TestClient(started["app"]) as client:
        response = client.post("/articles", json={"text": "Nga cảnh báo Nhật Bản."},
                               headers={"Authorization": "Bearer file-token-0123456789abcdef"})
        assert response.status_code == 200 and response.json()["added"] == 1


@pytest.mark.parametrize("args, env, words", [
    (["--token-file", "/nonexistent/token"], {}, ["--token-file", "cannot read"]),
    ([], {"QUANHE_API_TOKEN": "short"}, ["QUANHE_API_TOKEN", "too short"]),
    (["--cors-origin", "example.org"], {}, ["--cors-origin"]),
    ([], {"QUANHE_MAX_REQUEST_BYTES": "lots"}, ["QUANHE_MAX_REQUEST_BYTES", "not a whole number"]),
    (["--max-request-bytes", "0"], {}, ["--max-request-bytes", "out of range"]),
    ([], {"QUANHE_MAX_ARTICLE_CHARS": "-1"}, ["QUANHE_MAX_ARTICLE_CHARS", "out of range"]),
])
def test_serve_configuration_errors_are_one_line(serve, read_only_db, args, env, words):
    result, started = serve("--db", read_only_db, *args, env=env)
    assert result.exit_code == 1 and started is None
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and all(w in lines[0] for w in words), result.stderr
    assert "short" not in result.stderr.replace("too short", "")  # the token itself is never printed


def test_serve_applies_the_limits_and_cors_options(serve, read_only_db):
    result, started = serve("--db", read_only_db, "--max-request-bytes", "4096", "--cors-origin", "https://a.example",
                            "--cors-origin", "https://b.example", env={"QUANHE_MAX_REQUEST_BYTES": "100",
                                                                      "QUANHE_MAX_ARTICLE_CHARS": "1234"})
    assert result.exit_code == 0, result.output
    app = started["app"]
    assert app.state.limits == Limits(max_request_bytes=4096, max_article_chars=1234)
    with TestClient(app) as client:
        assert client.post("/analyze", json={"text": "a" * 5000}).status_code == 413
        assert client.post("/analyze", json={"text": "Nga."}).status_code == 200
        for origin in ("https://a.example", "https://b.example"):
            assert client.get("/dyads", headers={"Origin": origin}).headers["access-control-allow-origin"] == origin


# ---- limits: settings, environment, options --------------------------------------------------------------------


def test_limit_defaults():
    assert DEFAULT_LIMITS == Limits() == Limits.from_env({})
    assert Limits().max_article_chars == 5 * 1024 * 1024 and Limits().max_request_bytes == api.MAX_BODY_BYTES


def test_limits_from_the_environment_and_options():
    env = {"QUANHE_MAX_ARTICLE_CHARS": " 1_000 ", "QUANHE_MAX_JSONL_LINE_BYTES": "2048", "QUANHE_MAX_FILE_BYTES": ""}
    limits = Limits.from_env(env)
    assert (limits.max_article_chars, limits.max_jsonl_line_bytes) == (1000, 2048)
    assert limits.max_file_bytes == DEFAULT_LIMITS.max_file_bytes  # empty: unset
    assert Limits.from_env(env, max_article_chars=50, max_file_bytes=None).max_article_chars == 50
    with pytest.raises(TypeError):
        Limits.from_env({}, max_articles=1)


@pytest.mark.parametrize("env, words", [
    ({"QUANHE_MAX_ARTICLE_CHARS": "abc"}, ["QUANHE_MAX_ARTICLE_CHARS='abc'", "not a whole number"]),
    ({"QUANHE_MAX_ARTICLE_CHARS": "-5"}, ["QUANHE_MAX_ARTICLE_CHARS=-5", "out of range"]),
    ({"QUANHE_MAX_FILE_BYTES": "0"}, ["QUANHE_MAX_FILE_BYTES=0"]),
    ({"QUANHE_MAX_REQUEST_BYTES": "1.5"}, ["QUANHE_MAX_REQUEST_BYTES"]),
    ({"QUANHE_MAX_JSONL_LINE_BYTES": "9" * 30}, ["QUANHE_MAX_JSONL_LINE_BYTES", "out of range"]),
])
def test_bad_limit_values_name_the_variable(env, words):
    with pytest.raises(LimitError) as caught:
        Limits.from_env(env)
    message = str(caught.value)
    assert "\n" not in message and all(w in message for w in words), message


def test_bad_limits_in_code_are_refused():
    for value in (0, -1, 2.5, True, "10"):
        with pytest.raises(LimitError, match="max_article_chars"):
            Limits(max_article_chars=value)


def test_truncation_keeps_whole_characters_and_their_marks():
    decomposed = "Nga ca\u0309nh ba\u0301o Nha\u0323\u0302t Ba\u0309n"  # NFD: letters followed by combining marks
    for limit in range(1, len(decomposed)):
        cut = truncation_point(decomposed, limit)
        kept = decomposed[:cut]
        assert cut <= limit and kept.encode("utf-8").decode("utf-8") == kept
        assert cut == len(decomposed) or not __import__("unicodedata").combining(decomposed[cut]), (limit, cut)
    emoji = "Nga 🇷🇺 và Nhật 🇯🇵 " * 10
    record = bound_record(RawRecord("x", emoji), Limits(max_article_chars=17))
    assert record.text == emoji[:17] and emoji.encode("utf-8").startswith(record.text.encode("utf-8"))
    assert record.warnings == [f"article truncated from {len(emoji)} to 17 characters (limit 17: "
                               "QUANHE_MAX_ARTICLE_CHARS or --max-article-chars)"]
    short = bound_record(RawRecord("x", "Nga."), Limits(max_article_chars=17))
    assert short.text == "Nga." and short.warnings == []


def test_readers_take_the_limits_they_are_given(tmp_path):
    (tmp_path / "a.txt").write_text("Nga cảnh báo Nhật Bản. " * 50, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": "Nhật Bản phản đối. " * 20}, ensure_ascii=False)
                                      + "\n" + json.dumps({"text": "Nga."}) + "\n", encoding="utf-8")
    limits = Limits(max_article_chars=100, max_jsonl_line_bytes=200, max_file_bytes=10_000)
    a, b1, b2 = read_paths([tmp_path / "a.txt", tmp_path / "b.jsonl"], limits)
    assert len(a.text) == 100 and "truncated" in a.warnings[0]
    assert "line longer than 200 bytes" in b1.reason and b2.text == "Nga."
    [too_big] = read_paths([tmp_path / "a.txt"], Limits(max_file_bytes=100))
    assert "too large" in too_big.reason and "100 bytes" in too_big.reason
    [whole] = read_paths([tmp_path / "a.txt"])  # no limits given: the defaults
    assert whole.warnings == []


@pytest.fixture
def long_article(tmp_path) -> Path:
    path = tmp_path / "long.txt"
    path.write_text("date 2026-02-21\n" + "Nga cảnh báo Nhật Bản về các cuộc tập trận. " * 40,
                    encoding="utf-8")
    return path


def run(*args, env=None):
    return CliRunner().invoke(cli_app, [str(a) for a in args], env=env)


def stored_raw_lengths(db: Path) -> list[int]:
    with Store(db, read_only=True) as store:
        return [row[0] for row in store.con.execute("SELECT length(raw_text) FROM articles").fetchall()]


def test_quanhe_run_truncates_by_the_environment_with_a_warning(tmp_path, long_article):
    db = tmp_path / "env.duckdb"
    result = run("run", long_article, "--db", db, env={"QUANHE_MAX_ARTICLE_CHARS": "300"})
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and str(long_article) in warnings[0], result.stderr
    assert "article truncated from" in warnings[0] and "to 300 characters" in warnings[0]
    assert "1 article(s) read" in result.stdout
    assert stored_raw_lengths(db) == [300]
    assert run("check", "--db", db).exit_code == 0


def test_quanhe_run_option_overrides_the_environment(tmp_path, long_article):
    db = tmp_path / "option.duckdb"
    result = run("run", long_article, "--db", db, "--max-article-chars", "500",
                 env={"QUANHE_MAX_ARTICLE_CHARS": "300"})
    assert result.exit_code == 0, result.output
    assert "to 500 characters" in result.stderr and stored_raw_lengths(db) == [500]
    result = run("run", long_article, "--db", tmp_path / "default.duckdb")
    assert result.exit_code == 0 and "warning" not in result.stderr


def test_quanhe_run_jsonl_and_file_limits(tmp_path, long_article):
    dump = tmp_path / "dump.jsonl"
    lines = [json.dumps({"text": text}, ensure_ascii=False) for text in ("Nga cảnh báo Nhật Bản. " * 20,
                                                                          "Nhật Bản phản đối Nga.")]
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("run", dump, long_article, "--db", tmp_path / "s.duckdb", "--max-file-bytes", "1000",
                 env={"QUANHE_MAX_JSONL_LINE_BYTES": "200"})
    assert result.exit_code == 0, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert any(f"{dump}:1: line longer than 200 bytes" in line for line in errors), errors
    assert any(str(long_article) in line and "too large" in line for line in errors), errors
    assert "1 article(s) read" in result.stdout


@pytest.mark.parametrize("args, env, words", [
    ([], {"QUANHE_MAX_ARTICLE_CHARS": "many"}, ["QUANHE_MAX_ARTICLE_CHARS", "not a whole number"]),
    ([], {"QUANHE_MAX_JSONL_LINE_BYTES": "-3"}, ["QUANHE_MAX_JSONL_LINE_BYTES", "out of range"]),
    (["--max-article-chars=-5"], {}, ["--max-article-chars", "out of range"]),
    (["--max-file-bytes", "0"], {}, ["--max-file-bytes"]),
    (["--out", "OUT"], {"QUANHE_MAX_FILE_BYTES": "x"}, ["QUANHE_MAX_FILE_BYTES"]),
])
def test_quanhe_run_bad_limits_are_one_line(tmp_path, long_article, args, env, words):
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    result = run("run", long_article, "--db", tmp_path / "s.duckdb", *args, env=env)
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and all(w in lines[0] for w in words), result.stderr
    assert not (tmp_path / "s.duckdb").exists() and not (tmp_path / "out").exists()


def test_quanhe_run_out_honours_the_limits(tmp_path, long_article):
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    result = run("run", long_article, "--out", out, "--max-article-chars", "250")
    assert result.exit_code == 0, result.output
    [row] = pq.read_table(out / "articles").to_pylist()
    assert len(row["raw_text"]) == 250 and any("truncated" in w for w in row["warnings"])
