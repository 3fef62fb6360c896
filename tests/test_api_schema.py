"""Schemathesis against the API's own OpenAPI schema, over a store built from the real samples: whatever the
schema allows a client to send, the API answers without a server error (bounded examples, to stay fast).

The app has writes enabled and every call carries its token, so the endpoints that write (POST /articles with
generated articles, DELETE /articles/{id}) are exercised past the authorisation check; the store must still
pass `check` afterwards."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from quanhe.aggregate.stories import update_stories
from quanhe.runner import run_batch
from quanhe.serve.api import create_app
from quanhe.store.check import check
from quanhe.store.database import Store

SAMPLES = Path(os.environ.get("QUANHE_SHARED", Path(__file__).resolve().parents[1].parent / "shared")) / "samples" / "vi"


def _store() -> Path:
    path = Path(tempfile.mkdtemp(prefix="quanhe-schema-")) / "samples.duckdb"
    with Store(path) as store:
        if SAMPLES.is_dir():
            run_batch(store, [SAMPLES], None)
            update_stories(store)
    return path


TOKEN = "schemathesis-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DB = _store()
APP = create_app(DB, token=TOKEN)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="no shared samples beside the checkout")
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_the_schema_allows_gives_a_server_error(case):
    case.headers = {**(case.headers or {}), **AUTH}  # in place of the bearer value schemathesis makes up
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text[:200])
    if case.method in ("POST", "DELETE") and case.path.startswith("/articles"):
        assert response.status_code not in (401, 403), response.text[:200]  # the token got the write through


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="no shared samples beside the checkout")
def test_the_store_is_consistent_after_the_generated_writes():
    store = APP.state.store  # the app's own connection while it is open; schemathesis may have ended its lifespan
    if store is not None:
        assert check(Store.over(store.con.cursor(), DB)) == []
        return
    with Store(DB, read_only=True) as closed:
        assert check(closed) == []
