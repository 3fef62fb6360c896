"""The REST API and the dashboard it serves, over one DuckDB store (read-only by default).

Every list endpoint pages with `limit` (1..500) and `offset` and reports `total`; query parameters are
pydantic models that forbid unknown names, so a typo is a 422 rather than a silently ignored filter. Records
have the shapes of `quanhe.serve.export` (PLOVER-style events with their evidence). Request bodies are capped
at `MAX_BODY_BYTES` (413 beyond), errors never carry a stack trace, and no CORS headers are sent: the
dashboard is served from the same origin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import duckdb
from fastapi import Depends, FastAPI, HTTPException, Path as PathParam, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from quanhe.aggregate.series import DEMAND_SCORE, GOLDSTEIN, dyad_series, dyads, latest_assessments, undated_stories
from quanhe.model import PLOVER_TYPES
from quanhe.pipeline import analyze
from quanhe.serve.export import ASSESSMENT_RECORD, EVENT_RECORD, QUOTE_RECORD, STORY_RECORD
from quanhe.store.database import Store

MAX_BODY_BYTES = 1_048_576
MAX_TEXT_CHARS = 1_000_000
STATIC = Path(__file__).parent / "static"
CODE = r"^[A-Za-z]{2,5}$"
DYAD = r"^[A-Za-z]{2,5}[-~][A-Za-z]{2,5}$"
ARTICLE_ID = r"^[A-Za-z0-9_.:-]{4,64}$"
PloverType = Literal[PLOVER_TYPES]


class BodyLimit:
    """ASGI middleware: read a request body up to `limit` bytes and answer 413 beyond, before any handler."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.limit:
            await self._too_large(scope, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:  # no or a false Content-Length
                await self._too_large(scope, send)
                return
            more = message.get("more_body", False)
        body = b"".join(chunks)

        async def replay() -> dict:
            nonlocal body
            message, body = {"type": "http.request", "body": body, "more_body": False}, b""
            return message

        await self.app(scope, replay, send)

    async def _too_large(self, scope: dict, send: Any) -> None:
        response = JSONResponse({"detail": f"request body larger than {self.limit} bytes"}, status_code=413)
        await response(scope, None, send)


# ---- query and body models -------------------------------------------------------------------------------


class Page(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=500, description="Rows per page.")
    offset: int = Field(0, ge=0, le=100_000_000, description="Rows to skip.")


class DateRange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: date | None = Field(None, description="On or after this day (YYYY-MM-DD).")
    until: date | None = Field(None, description="On or before this day (YYYY-MM-DD).")

    @model_validator(mode="after")
    def _ordered_dates(self) -> DateRange:
        if self.since and self.until and self.since > self.until:
            raise ValueError("since is after until")
        return self


class Filters(Page, DateRange):
    """Shared filters; codes and types are upper-cased."""

    dyad: str | None = Field(None, pattern=DYAD, description="SRC-TGT (that direction) or SRC~TGT (either way).")

    @field_validator("dyad", "actor", "type", "country", mode="before", check_fields=False)
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class EventQuery(Filters):
    actor: str | None = Field(None, pattern=CODE, description="Actor code on either side (RUS, NATO).")
    type: PloverType | None = Field(None, description="PLOVER event type.")
    negated: bool | None = Field(None, description="Only negated (true) or only affirmed (false) events.")
    min_confidence: float | None = Field(None, ge=0.0, le=1.0, description="Lowest coder confidence.")
    story: str | None = Field(None, pattern=r"^s-[0-9a-f]{1,32}$", description="Only this story's mentions.")


class StoryQuery(Filters):
    type: PloverType | None = Field(None, description="PLOVER event type.")
    negated: bool | None = None


class QuoteQuery(Filters):
    speaker: str | None = Field(None, min_length=1, max_length=100, description="Speaker name contains this.")
    country: str | None = Field(None, pattern=CODE, description="Speaker's country or IGO code.")
    article: str | None = Field(None, pattern=ARTICLE_ID, description="Only this article.")


class AssessmentQuery(Filters):
    polarity: Literal["negative", "neutral", "positive"] | None = None
    article: str | None = Field(None, pattern=ARTICLE_ID, description="Only this article.")


class SeriesQuery(DateRange):
    freq: Literal["day", "week", "month"] = "week"
    ordered: bool = Field(False, description="Only a -> b (else both directions).")
    assessments: int = Field(10, ge=0, le=100, description="How many latest assessments to include.")


class AnalyzeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="One article's text.")
    published: date | None = Field(None, description="Publication date, to resolve relative dates.")


# ---- SQL helpers -----------------------------------------------------------------------------------------


def _rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _dyad_sql(dyad: str, src: str, tgt: str, params: dict[str, Any], either: bool = False) -> str:
    """Condition for SRC-TGT (that direction) or SRC~TGT (either direction, or always with `either`)."""
    params["dyad_a"], params["dyad_b"] = dyad.replace("~", "-").split("-")
    condition = f"({src} = $dyad_a AND {tgt} = $dyad_b)"
    if either or "~" in dyad:
        condition += f" OR ({src} = $dyad_b AND {tgt} = $dyad_a)"
    return f"({condition})"


def _page(con: duckdb.DuckDBPyConnection, select: str, where: list[str], params: dict[str, Any], order: str,
          page: Page) -> dict[str, Any]:
    condition = " AND ".join(where) or "true"
    total = con.execute(f"SELECT count(*) FROM ({select} WHERE {condition})", params).fetchone()[0]
    items = _rows(con.execute(f"{select} WHERE {condition} ORDER BY {order} LIMIT $limit OFFSET $offset",
                              {**params, "limit": page.limit, "offset": page.offset}))
    return {"total": total, "limit": page.limit, "offset": page.offset, "items": items}


def _dates(q: DateRange, day: str) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if q.since:
        where.append(f"{day} >= $since")
        params["since"] = q.since
    if q.until:
        where.append(f"{day} <= $until")
        params["until"] = q.until
    return where, params


def _add(where: list[str], params: dict[str, Any], name: str, value: Any, condition: str) -> None:
    if value is not None:
        where.append(condition)
        params[name] = value


# ---- the app ---------------------------------------------------------------------------------------------


def connection(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """One cursor per request: a DuckDB connection must not be shared by the server's worker threads."""
    cursor = request.app.state.store.con.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


Con = Annotated[duckdb.DuckDBPyConnection, Depends(connection)]


def create_app(db_path: Path, read_only: bool = True) -> FastAPI:
    """The API and dashboard over the store at `db_path` (StoreError when it cannot be opened)."""
    store = Store(db_path, read_only=read_only)  # opened now, so a bad path fails here and not on a request

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        """Each serving cycle holds the store open (an app can be started again, as test clients do)."""
        if app_.state.store is None:
            app_.state.store = Store(db_path, read_only=read_only)
        try:
            yield
        finally:
            app_.state.store.close()
            app_.state.store = None

    app = FastAPI(title="quanhe", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Political event data (PLOVER) from Vietnamese news, with the evidence of each record.")
    app.state.store = store
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI from the vendored copy: the network may be closed wherever this runs."""
        return get_swagger_ui_html(openapi_url=app.openapi_url, title="quanhe API",
                                   swagger_js_url="/vendor/swagger-ui-bundle.js",
                                   swagger_css_url="/vendor/swagger-ui.css", swagger_favicon_url="data:,",
                                   swagger_ui_parameters={"validatorUrl": None})

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "invalid")} for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def failed(_: Request, __: Exception) -> JSONResponse:
        return JSONResponse({"detail": "internal server error"}, status_code=500)

    @app.get("/articles", tags=["articles"], summary="Stored articles, oldest first")
    def list_articles(con: Con, q: Annotated[Page, Query()]) -> dict[str, Any]:
        select = ("SELECT a.id, a.title, a.published, a.source, a.url, a.language, length(a.text) AS chars, "
                  "(SELECT count(*) FROM events e WHERE e.article_id = a.id) AS events, "
                  "(SELECT count(*) FROM quotes x WHERE x.article_id = a.id) AS quotes, "
                  "(SELECT count(*) FROM article_sources s WHERE s.article_id = a.id) AS sources FROM articles a")
        return _page(con, select, [], {}, "a.published NULLS LAST, a.id", q)

    @app.get("/articles/{article_id}", tags=["articles"], summary="One article: clean text and every span")
    def get_article(con: Con, article_id: Annotated[str, PathParam(pattern=ARTICLE_ID)]) -> dict[str, Any]:
        found = _rows(con.execute(
            "SELECT id, title, published, source, url, language, authors, warnings, text FROM articles "
            "WHERE id = $id OR starts_with(id, $id) ORDER BY id LIMIT 2", {"id": article_id}))
        if len(found) != 1:
            raise HTTPException(404, f"no article {article_id!r} (or the prefix is ambiguous)")
        article = found[0]
        key = {"id": article["id"]}
        article["sentences"] = _rows(con.execute(
            "SELECT idx, start_char AS start, end_char AS end, paragraph, role FROM sentences "
            "WHERE article_id = $id ORDER BY idx", key))
        article["mentions"] = _rows(con.execute(
            "SELECT idx, start_char AS start, end_char AS end, text, canonical AS name, country, sector, code, kind, "
            "resolved_by, sentence FROM mentions WHERE article_id = $id ORDER BY idx", key))
        article["events"] = _rows(con.execute(f"{EVENT_RECORD} WHERE article_id = $id ORDER BY sentence, start_char",
                                              key))
        article["quotes"] = _rows(con.execute(f"{QUOTE_RECORD} WHERE article_id = $id ORDER BY idx", key))
        article["assessments"] = _rows(con.execute(f"{ASSESSMENT_RECORD} WHERE article_id = $id ORDER BY idx", key))
        article["sources"] = _rows(con.execute("SELECT source, url, relation, similarity FROM article_sources "
                                               "WHERE article_id = $id ORDER BY seen_at, source", key))
        return article

    @app.get("/events", tags=["events"], summary="Coded events (PLOVER records), newest first")
    def list_events(con: Con, q: Annotated[EventQuery, Query()]) -> dict[str, Any]:
        where, params = _dates(q, "event_day")
        if q.dyad:
            where.append(_dyad_sql(q.dyad, "source_code", "target_code", params))
        _add(where, params, "actor", q.actor, "(source_code = $actor OR target_code = $actor)")
        _add(where, params, "type", q.type, "type = $type")
        _add(where, params, "negated", q.negated, "coalesce(negated, false) = $negated")
        _add(where, params, "min_confidence", q.min_confidence, "confidence >= $min_confidence")
        _add(where, params, "story", q.story, "story_id = $story")
        return _page(con, EVENT_RECORD, where, params,
                     "event_day DESC NULLS LAST, article_id, sentence, start_char, id", q)

    @app.get("/stories", tags=["events"], summary="Stories: one real-world event and all its mentions")
    def list_stories(con: Con, q: Annotated[StoryQuery, Query()]) -> dict[str, Any]:
        where, params = _dates(q, "first_day")
        if q.dyad:
            where.append(_dyad_sql(q.dyad, "source_code", "target_code", params))
        _add(where, params, "type", q.type, "type = $type")
        _add(where, params, "negated", q.negated, "negated = $negated")
        return _page(con, STORY_RECORD, where, params, "first_day DESC NULLS LAST, num_mentions DESC, id", q)

    @app.get("/quotes", tags=["quotes"], summary="Who said what",
             description="With `dyad`, the quotes of speakers from either side in articles that report events "
                         "or assessments between the two.")
    def list_quotes(con: Con, q: Annotated[QuoteQuery, Query()]) -> dict[str, Any]:
        where, params = _dates(q, "TRY_CAST(date AS DATE)")
        if q.dyad:
            events = _dyad_sql(q.dyad, "source_code", "target_code", params, either=True)
            assessments = _dyad_sql(q.dyad, "actor_a", "actor_b", params, either=True)
            where.append(f"speaker_code IN ($dyad_a, $dyad_b) AND article_id IN (SELECT article_id FROM events "
                         f"WHERE {events} UNION SELECT article_id FROM assessments WHERE {assessments})")
        _add(where, params, "speaker", q.speaker, "speaker_name ILIKE '%' || $speaker || '%'")
        _add(where, params, "country", q.country, "speaker_code = $country")
        _add(where, params, "article", q.article, "article_id = $article")
        return _page(con, QUOTE_RECORD, where, params, "date DESC NULLS LAST, article_id, idx", q)

    @app.get("/assessments", tags=["quotes"], summary="How officials characterise a relationship")
    def list_assessments(con: Con, q: Annotated[AssessmentQuery, Query()]) -> dict[str, Any]:
        where, params = _dates(q, "TRY_CAST(date AS DATE)")
        if q.dyad:  # an assessment's pair has no direction
            where.append(_dyad_sql(q.dyad, "actor_a", "actor_b", params, either=True))
        _add(where, params, "polarity", q.polarity, "polarity = $polarity")
        _add(where, params, "article", q.article, "article_id = $article")
        return _page(con, ASSESSMENT_RECORD, where, params, "date DESC NULLS LAST, article_id, idx", q)

    @app.get("/dyads", tags=["series"], summary="Country pairs with their story counts (busiest first)")
    def list_dyads(con: Con, limit: Annotated[int, Query(ge=1, le=500)] = 200) -> dict[str, Any]:
        items = dyads(con, limit)
        return {"total": len(items), "items": items}

    @app.get("/dyads/{a}/{b}/series", tags=["series"], summary="A dyad's stories per period, by type, with score")
    def series(con: Con, a: Annotated[str, PathParam(pattern=CODE)], b: Annotated[str, PathParam(pattern=CODE)],
               q: Annotated[SeriesQuery, Query()]) -> dict[str, Any]:
        a, b = a.upper(), b.upper()
        return {"a": a, "b": b, "freq": q.freq, "ordered": q.ordered, "types": list(PLOVER_TYPES),
                "weights": {**GOLDSTEIN, "REQUEST (demand)": DEMAND_SCORE},
                "rows": dyad_series(con, a, b, q.freq, q.ordered, q.since, q.until),
                "undated": undated_stories(con, a, b, q.ordered),
                "assessments": latest_assessments(con, a, b, q.assessments)}

    @app.post("/analyze", tags=["analyze"], summary="Analyse one text without storing it")
    def analyze_text(body: AnalyzeBody) -> dict[str, Any]:
        return analyze(body.text, body.published).to_dict()

    app.mount("/", StaticFiles(directory=STATIC, html=True), name="dashboard")
    return app
