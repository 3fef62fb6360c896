"""Schemathesis against the API's own OpenAPI schema, over a store built from the real samples: whatever the
schema allows a client to send, the API answers without a server error (bounded examples, to stay fast)."""

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
from quanhe.store.database import Store

SAMPLES = Path(os.environ.get("QUANHE_SHARED", Path(__file__).resolve().parents[1].parent / "shared")) / "samples" / "vi"


def _store() -> Path:
    path = Path(tempfile.mkdtemp(prefix="quanhe-schema-")) / "samples.duckdb"
    with Store(path) as store:
        if SAMPLES.is_dir():
            run_batch(store, [SAMPLES], None)
            update_stories(store)
    return path


schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_store()))


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="no shared samples beside the checkout")
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_the_schema_allows_gives_a_server_error(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text[:200])
