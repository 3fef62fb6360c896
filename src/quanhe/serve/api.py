"""The REST API and the dashboard it serves, over one DuckDB store (read-only unless writes are enabled).

Every list endpoint pages with `limit` (1..500) and `offset` and reports `total`; query parameters are
pydantic models that forbid unknown names, so a typo is a 422 rather than a silently ignored filter. Records
have the shapes of `quanhe.serve.export` (PLOVER-style events with their evidence). Request bodies are capped
at `Limits.max_request_bytes` (413 beyond), errors never carry a stack trace, and no CORS headers are sent
unless origins are allowed (`cors_origins`): the dashboard is served from the same origin.

Reads are open. Endpoints that write (`POST /articles`, `DELETE /articles/{id}`) need a bearer token: with no
token configured they answer 403 and the store is opened read-only; with one, a request without it or with
another one gets 401 (`WWW-Authenticate: Bearer`), compared in constant time (`hmac.compare_digest`). Writes
are serialised (one at a time) and each re-clusters the stories, as `quanhe run` does. When the store cannot be
opened (another process, such as a `quanhe run`, holds the file) requests get 503 with `Retry-After`.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import duckdb
import regex
from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Path as PathParam, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from quanhe.aggregate.series import DEMAND_SCORE, GOLDSTEIN, dyad_series, dyads, latest_assessments, undated_stories
from quanhe.limits import DEFAULT_LIMITS, Limits
from quanhe.model import PLOVER_TYPES
from quanhe.pipeline import analyze
from quanhe.serve.export import ASSESSMENT_RECORD, EVENT_RECORD, QUOTE_RECORD, STORY_RECORD
from quanhe.store.database import BatchResult, Store, StoreError

MAX_BODY_BYTES = DEFAULT_LIMITS.max_request_bytes  # the default; `create_app(limits=...)` sets another
MAX_TEXT_CHARS = 1_000_000
MAX_ARTICLES_PER_REQUEST = 100
MIN_TOKEN_CHARS = 16
TOKEN_ENV = "QUANHE_API_TOKEN"
WRITES_DISABLED = f"writes disabled: set {TOKEN_ENV} (or quanhe serve --token-file FILE) to enable them"
TOKEN = regex.compile(r"[A-Za-z0-9._~+/=-]+")  # RFC 6750 b64token characters
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {  # what every write endpoint may answer besides success
    401: {"description": "Missing or wrong token"},
    403: {"description": "Writes disabled: the server has no token"},
    503: {"description": "The store is in use by another process"}}
ORIGIN = regex.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")
log = logging.getLogger("quanhe.serve")
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


class ArticleIn(BaseModel):
    """One article to analyse and store, with what a JSONL line of `quanhe run` may hold."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="The article's plain text (a first line `date YYYY-MM-DD` gives "
                                                "the date). Longer than the article limit: truncated, with a "
                                                "warning.")
    title: str | None = Field(None, max_length=1000, description="Title, when the text does not start with it.")
    published: date | None = Field(None, description="Publication date (YYYY-MM-DD), to resolve relative dates.")
    url: str | None = Field(None, max_length=2048, description="Where it was published.")
    source: str | None = Field(None, min_length=1, max_length=500,
                               description="Where it came from (an outlet, a feed); default: the URL, else `api`.")


ArticleList = Annotated[list[ArticleIn], Field(min_length=1, max_length=MAX_ARTICLES_PER_REQUEST)]


# ---- security settings -----------------------------------------------------------------------------------


def check_token(token: str, name: str = TOKEN_ENV) -> str:
    """The token, stripped; ValueError (one line naming `name`, never the token) when it is too short to resist
    guessing or holds characters a bearer token cannot carry."""
    token = token.strip()
    if len(token) < MIN_TOKEN_CHARS:
        raise ValueError(f"{name}: the token is too short ({len(token)} characters, at least {MIN_TOKEN_CHARS}; "
                         "make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    if not TOKEN.fullmatch(token):
        raise ValueError(f"{name}: a token may hold only letters, digits and - . _ ~ + / =")
    return token


def check_origin(origin: str) -> str:
    """A CORS origin as browsers send it (scheme://host[:port], no path), or `*`; ValueError otherwise."""
    value = origin.strip().rstrip("/")
    if value == "*" or ORIGIN.fullmatch(value):
        return value
    raise ValueError(f"--cors-origin {origin!r}: expected scheme://host[:port] (https://example.org), or *")


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


def _unavailable(exc: StoreError, path: Path) -> HTTPException:
    """503 for a store that cannot be opened now (the message without the server's file path)."""
    reason = str(exc).removeprefix(f"{path}: ")
    return HTTPException(503, f"the store is unavailable: {reason}", headers={"Retry-After": "5"})


def open_store(app: FastAPI) -> Store:
    """The app's store, opened again if a serving cycle could not open it (503 while it still cannot)."""
    state = app.state
    store = state.store
    if store is None:
        with state.open_lock:
            if state.store is None:
                try:
                    state.store = Store(state.db_path, read_only=state.read_only)
                except StoreError as exc:
                    raise _unavailable(exc, state.db_path) from None
            store = state.store
    return store


def connection(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """One cursor per request: a DuckDB connection must not be shared by the server's worker threads."""
    cursor = open_store(request.app).con.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


Con = Annotated[duckdb.DuckDBPyConnection, Depends(connection)]

# Declares the scheme in the OpenAPI schema; the check itself is `authorize`, run by `WriteRoute`.
bearer = HTTPBearer(auto_error=False, scheme_name="token",
                    description=f"The server's {TOKEN_ENV}, sent as `Authorization: Bearer <token>`; needed by the "
                                "endpoints that write.")


def authorize(request: Request) -> None:
    """403 when the server has no token (writes disabled), 401 when the request's bearer token is not it."""
    expected = request.app.state.token
    if expected is None:
        raise HTTPException(403, WRITES_DISABLED)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    given = given.strip() if scheme.lower() == "bearer" else ""
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise HTTPException(401, "missing or wrong bearer token",
                            headers={"WWW-Authenticate": 'Bearer realm="quanhe"'})


class WriteRoute(APIRoute):
    """A route that writes: the token is checked before anything else of the request is read (its body, even
    malformed, and its path parameters), so a client without it learns nothing but 401 or 403."""

    def get_route_handler(self) -> Any:
        handler = super().get_route_handler()

        async def authorized_handler(request: Request) -> Response:
            authorize(request)
            return await handler(request)

        return authorized_handler


def write_cursor(request: Request,
                 _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Iterator[Store]:
    """For an authorised write (WriteRoute checked the token): a Store over a cursor of its own."""
    store = open_store(request.app)
    cursor = store.con.cursor()
    try:
        yield Store.over(cursor, store.path)
    finally:
        cursor.close()


Writer = Annotated[Store, Depends(write_cursor)]


def _stored_article(index: int, doc: Any, status: str) -> dict[str, Any]:
    article = doc.article
    result: dict[str, Any] = {"index": index, "status": status,
                              "id": article.duplicate_of if status == "near_duplicate" else article.id,
                              "title": article.title,
                              "published": article.published.isoformat() if article.published else None}
    if status == "added":
        result.update(events=len(doc.events), quotes=len(doc.quotes), assessments=len(doc.assessments))
    result["warnings"] = list(article.warnings)
    return result


def create_app(db_path: Path, read_only: bool | None = None, *, token: str | None = None,
               cors_origins: Sequence[str] = (), limits: Limits | None = None) -> FastAPI:
    """The API and dashboard over the store at `db_path` (StoreError when it cannot be opened; ValueError for a
    bad token or origin).

    `token` enables the endpoints that write; the store is then opened read-write (and created if missing),
    otherwise read-only. `cors_origins` are the origins allowed to call the API from a browser (none by
    default). `limits` bound request bodies and stored articles (the defaults of `quanhe.limits` without)."""
    token = check_token(token) if token is not None else None
    if read_only is None:
        read_only = token is None
    elif read_only and token is not None:
        raise ValueError("a token enables writes, which need the store opened read-write")
    origins = [check_origin(origin) for origin in cors_origins]
    limits = limits or DEFAULT_LIMITS
    store = Store(db_path, read_only=read_only)  # opened now, so a bad path fails here and not on a request

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        """Each serving cycle holds the store open (an app can be started again, as test clients do). When it
        cannot be opened now (another process holds the file), requests answer 503 until it can."""
        state = app_.state
        if state.store is None:
            try:
                open_store(app_)
            except HTTPException as exc:
                log.warning("quanhe: %s; requests get 503 until it can be opened", exc.detail)
        try:
            yield
        finally:
            with state.open_lock, state.write_lock:
                if state.store is not None:
                    state.store.close()
                state.store, state.duplicates = None, None

    app = FastAPI(title="quanhe", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Political event data (PLOVER) from Vietnamese news, with the evidence of each record. "
                              "Reads are open; `POST /articles` and `DELETE /articles/{article_id}` need the "
                              f"server's token ({TOKEN_ENV}) as `Authorization: Bearer <token>`.")
    app.state.store, app.state.db_path, app.state.read_only = store, Path(db_path), read_only
    app.state.token, app.state.limits = token, limits
    app.state.open_lock, app.state.write_lock = threading.Lock(), threading.Lock()
    app.state.duplicates = None  # the near-duplicate index of the stored articles, built at the first write
    app.add_middleware(BodyLimit, limit=limits.max_request_bytes)
    if origins:  # added last, so outermost: a 413 or 401 carries the CORS headers too
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"], allow_credentials=False, max_age=600)

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

    writes = APIRouter(route_class=WriteRoute)

    @writes.post("/articles", tags=["write"], summary="Analyse and store articles (needs the token)",
              description="One article or a list of 1..100, analysed by the pipeline of `quanhe run` and stored; "
                          "the stories are then re-clustered. Each article gets a `status`: `added`, "
                          "`already_stored` (the same text is stored), `near_duplicate` (linked to the stored "
                          "near-copy `id`, not stored again) or `failed` (with `error`; the others are stored "
                          "all the same). Warnings (such as a truncation) are listed per article.",
              responses={**WRITE_RESPONSES, 413: {"description": "Request body over the limit"}})
    def add_articles(request: Request, store: Writer,
                     body: Annotated[ArticleIn | ArticleList, Body()]) -> dict[str, Any]:
        from quanhe.aggregate.stories import update_stories
        from quanhe.ingest.readers import object_record
        from quanhe.ingest.records import BadInput, IngestError
        from quanhe.runner import analyse_one

        state = request.app.state
        items = body if isinstance(body, list) else [body]
        results: list[dict[str, Any] | None] = [None] * len(items)
        analysed: list[tuple[int, Any]] = []
        for index, item in enumerate(items):  # analysed before taking the write lock: reads and writes go on
            fields = item.model_dump(exclude_none=True)
            source = fields.pop("source", None) or item.url or "api"
            try:
                record = object_record(fields, source, state.limits)
            except BadInput as exc:
                results[index] = {"index": index, "status": "failed", "error": str(exc)}
                continue
            done = analyse_one(record, None)
            if isinstance(done, IngestError):
                results[index] = {"index": index, "status": "failed", "error": done.reason}
            else:
                analysed.append((index, done))
        with state.write_lock:
            if analysed and state.duplicates is None:
                state.duplicates = store.duplicate_index()
            # a write that fails leaves the index only band keys of unstored articles, which find() skips
            batch = store.add([done.doc for _, done in analysed], state.duplicates,
                              {done.doc.article.id: done.minhash for _, done in analysed}) if analysed else BatchResult()
            unclustered = store.con.execute("SELECT count(*) FROM events WHERE story_id IS NULL").fetchone()[0]
            # as after `quanhe run`: a write that failed between storing and clustering is finished here
            stories = update_stories(store) if batch.added or unclustered else store.count("stories")
        for (position, done), status in zip(analysed, batch.statuses):
            results[position] = _stored_article(position, done.doc, status)
        return {"received": len(items), "added": batch.added, "already_stored": batch.already_stored,
                "near_duplicates": batch.near_duplicates, "failed": len(items) - len(analysed),
                "stories": stories, "articles": results}

    @writes.delete("/articles/{article_id}", tags=["write"],
                   summary="Delete an article and all it gave (needs the token)",
                   description="Removes the article (its full id) with its sentences, mentions, times, quotes, "
                               "events, assessments and sources (near-copies linked to it go too), and "
                               "re-clusters the stories in the same transaction, so series and dyads no longer "
                               "count it.",
                   responses={**WRITE_RESPONSES, 404: {"description": "No such article"}})
    def delete_article(request: Request, store: Writer,
                       article_id: Annotated[str, PathParam(pattern=ARTICLE_ID)]) -> dict[str, Any]:
        from quanhe.aggregate.stories import cluster_stories

        state = request.app.state
        with state.write_lock:
            with store.transaction():
                removed = store.delete(article_id)
                if not removed["articles"]:
                    raise HTTPException(404, f"no article {article_id!r} (a delete needs the full id)")
                stories = cluster_stories(store)
            # the index keeps its band keys; a candidate no longer stored is skipped, so no rebuild is needed
        return {"deleted": article_id, "rows": removed, "stories": stories}

    app.include_router(writes)

    app.mount("/", StaticFiles(directory=STATIC, html=True), name="dashboard")
    return app
