"""The dashboard in a real headless Chromium over a live uvicorn server and a store built from the samples.

Needs Debian's `chromium` at /usr/bin/chromium and the `playwright` Python package (no `playwright install`:
Playwright drives the system browser). Skipped only when the browser is absent.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from quanhe.aggregate.stories import update_stories
from quanhe.runner import run_batch
from quanhe.serve.api import create_app
from quanhe.store.database import Store

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory, samples_dir):
    db = tmp_path_factory.mktemp("e2e") / "samples.duckdb"
    with Store(db) as store:
        run_batch(store, [samples_dir], None)
        update_stories(store)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"request failed: {request.url}"))
    page.goto(base_url + "/")
    page.wait_for_selector("#dyad option", state="attached")
    yield page
    context.close()
    assert errors == []


def choose(page, dyad: str) -> None:
    page.select_option("#dyad", value=dyad)
    page.wait_for_selector("#chart[data-state=ready] svg")
    page.wait_for_selector("#events tbody tr")


def test_picker_offers_the_sample_dyads_in_vietnamese(page):
    options = {o.get_attribute("value"): o.inner_text() for o in page.locator("#dyad option").all()}
    assert "JPN-RUS" in options and "RUS-USA" in options
    assert options["JPN-RUS"].startswith("Nhật Bản – Nga")
    assert page.inner_text("h1") == "Theo dõi quan hệ quốc tế"


def test_russia_japan_chart_and_evidence(page, base_url):
    choose(page, "JPN-RUS")
    series = httpx.get(f"{base_url}/dyads/JPN/RUS/series?freq=week").json()
    assert series["rows"]
    bars = page.locator("#chart svg g.mark-rect path")
    assert bars.count() == sum(1 for row in series["rows"] for t in series["types"] if row[t])
    assert page.locator("#chart svg g.mark-line path").count() == 1
    chart_text = page.inner_text("#chart")
    assert all(row["period"] in chart_text for row in series["rows"])  # the axis shows the real periods

    events = httpx.get(f"{base_url}/events?dyad=JPN~RUS&limit=20").json()
    rows = page.locator("#events tbody tr")
    assert rows.count() == len(events["items"]) > 0
    assert page.inner_text("#page").endswith(str(events["total"]))
    rows.first.click()
    mark = page.wait_for_selector("#article-text mark")
    expected = events["items"][0]["evidence"]
    assert mark.inner_text() == expected["text"]
    article = httpx.get(f"{base_url}/articles/{expected['article']}").json()
    text = page.inner_text("#article-text")
    assert text.replace("\n", "") == article["text"].replace("\n", "")
    assert page.locator("#quotes li button").count() > 0


def test_russia_usa_events_and_quotes_open_their_evidence(page):
    choose(page, "RUS-USA")
    assert page.locator("#events tbody tr").count() > 0
    quote = page.locator("#quotes li button").first
    said = quote.inner_text().strip("“”")
    quote.click()
    assert page.wait_for_selector("#article-text mark").inner_text() == said


def test_english_toggle(page):
    choose(page, "JPN-RUS")
    page.click("#lang")
    page.wait_for_selector("#chart[data-state=ready] svg")
    assert page.inner_text("h1") == "International relations monitor"
    assert page.locator("#dyad option[value='JPN-RUS']").inner_text().startswith("Japan – Russia")
    assert "Stories" in page.inner_text("#chart")
    page.click("#lang")
    assert page.inner_text("h1") == "Theo dõi quan hệ quốc tế"
