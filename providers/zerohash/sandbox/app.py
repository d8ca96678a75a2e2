"""The sandbox's routes: Zerohash's live staking paths (PROVIDERS.md 2.2), each behind
the same gate — rate limit, X-REQUEST-ID, signature, idempotent replay — and each
answering `{request_id, message}` or Zerohash's error body."""

import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from providers.sandbox_kit import SimulatedClock
from providers.zerohash.sandbox import views
from providers.zerohash.sandbox.assets import ASSETS
from providers.zerohash.sandbox.auth import RateLimiter, RequestVerifier, route_of
from providers.zerohash.sandbox.errors import ZhError, not_found, validation_failed
from providers.zerohash.sandbox.operations import Operations
from providers.zerohash.sandbox.replay import Kept, ReplayCache
from providers.zerohash.sandbox.state import ZerohashState
from providers.zerohash.sandbox.unstaking import Unstaking

MAX_BODY = 64 * 1024
Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Call:
    request: Request
    body: Json
    now: datetime

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    @property
    def query(self) -> dict[str, str]:
        return dict(self.request.query_params)


@dataclass(frozen=True, slots=True)
class Reply:
    message: Any
    pagination: Json | None = None
    # GET /time answers bare, as the real endpoint does.
    bare: bool = False


Handler = Callable[[Call], Reply]


class SandboxRoutes:
    def __init__(
        self,
        state: ZerohashState,
        clock: SimulatedClock,
        verifier: RequestVerifier,
        limiter: RateLimiter,
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = state
        self.clock = clock
        self.verifier = verifier
        self.limiter = limiter
        self.replays = ReplayCache()
        self.ops = Operations(state)
        self.unstaking = Unstaking(state)
        self._wall_clock = wall_clock

    def routes(self) -> list[BaseRoute]:
        ops, unstaking = self.ops, self.unstaking
        table: list[tuple[str, str, Handler]] = [
            ("GET", "/assets", self._assets),
            ("GET", "/assets/{asset}/staking_info", self._staking_info),
            ("GET", "/participant/{code}/full_info",
             lambda c: Reply(ops.full_info(c.param("code"), c.now))),
            ("PATCH", "/participants/customers/{code}",
             lambda c: Reply(ops.accept_terms(c.param("code"), c.body, c.now))),
            ("GET", "/accounts", lambda c: _listed(ops.accounts(c.query, c.now))),
            ("POST", "/stakes", lambda c: Reply(ops.create_stake(c.body, c.now))),
            ("POST", "/stakes/unstake",
             lambda c: Reply(unstaking.create(c.body, c.now))),
            ("POST", "/stakes/unstake/{id}/cancel",
             lambda c: Reply(unstaking.cancel(c.param("id"), c.body, c.now))),
            ("GET", "/stakes/unstake/{id}/status",
             lambda c: Reply(unstaking.status(c.param("id")))),
            ("POST", "/stakes/{id}/cancel",
             lambda c: Reply(ops.cancel_stake(c.param("id"), c.body, c.now))),
            ("GET", "/stakes/{id}/status",
             lambda c: Reply(ops.stake_status(c.param("id")))),
            ("GET", "/stakes/{code}/rewards",
             lambda c: _listed(ops.rewards(c.param("code"), c.query, c.now))),
            ("GET", "/stakes/{code}",
             lambda c: _listed(ops.list_stakes(c.param("code"), c.query, c.now))),
        ]  # fmt: skip
        signed = [
            Route(path, self._endpoint(handler, signed=True), methods=[method])
            for method, path, handler in table
        ]
        return [Route("/time", self._endpoint(self._time, signed=False)), *signed]

    def _endpoint(
        self, handler: Handler, signed: bool
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            request_id = request.headers.get("x-request-id") or str(uuid.uuid4())
            now = self.clock.now()
            try:
                response = await self._answer(request, request_id, now, handler, signed)
            except ZhError as error:
                response = error.response(request_id, now)
            response.headers["X-REQUEST-ID"] = request_id
            return response

        return endpoint

    async def _answer(
        self,
        request: Request,
        request_id: str,
        now: datetime,
        handler: Handler,
        signed: bool,
    ) -> Response:
        client = request.client.host if request.client else "unknown"
        self.limiter.check(client)
        _check_request_id(request_id)
        body = await request.body()
        if len(body) > MAX_BODY:
            raise validation_failed("request body too large")
        caller = client
        if signed:
            route = route_of(request.scope)
            caller = self.verifier.verify(request.headers, request.method, route, body)
        mutation = request.method != "GET"
        fingerprint = (request.method, route_of(request.scope), body)
        if mutation:
            kept = self.replays.lookup(caller, request_id, fingerprint)
            if kept is not None:
                return Response(kept.body, kept.status, media_type="application/json")
        self.state.settle(now)
        reply = handler(Call(request, _json_object(body) if mutation else {}, now))
        content: Any = reply.message
        if not reply.bare:
            content = {"request_id": request_id, "message": reply.message}
            if reply.pagination is not None:
                content["pagination"] = reply.pagination
        response = JSONResponse(content)
        if mutation:
            self.replays.keep(
                caller, request_id, Kept(fingerprint, 200, bytes(response.body))
            )
        return response

    def _time(self, call: Call) -> Reply:
        wall = self._wall_clock()
        moment = datetime.fromtimestamp(wall, UTC)
        return Reply({"epoch": round(wall, 3), "iso": views.iso(moment)}, bare=True)

    def _assets(self, call: Call) -> Reply:
        flag = call.request.query_params.get("staking_enabled")
        if flag not in (None, "true", "false"):
            raise validation_failed("staking_enabled must be true or false")
        specs = [
            s
            for s in ASSETS.values()
            if flag is None or s.staking_enabled == (flag == "true")
        ]
        return Reply([views.asset_view(s) for s in specs])

    def _staking_info(self, call: Call) -> Reply:
        spec = ASSETS.get(call.param("asset"))
        if spec is None or not spec.staking_enabled:
            raise not_found("stakeable asset")
        info = views.staking_info_view(spec)
        return Reply({"stakeable_assets": [info], "last_updated": views.iso(call.now)})


def _listed(result: tuple[Any, Json]) -> Reply:
    return Reply(result[0], pagination=result[1])


def _check_request_id(request_id: str) -> None:
    """Zerohash documents X-REQUEST-ID as a UUID v4 (PROVIDERS.md 2.1, 2.4)."""
    try:
        parsed = uuid.UUID(request_id)
    except ValueError:
        raise validation_failed("X-REQUEST-ID must be a UUID v4") from None
    if parsed.version != 4 or parsed.variant != uuid.RFC_4122:
        raise validation_failed("X-REQUEST-ID must be a UUID v4") from None


def _json_object(body: bytes) -> Json:
    try:
        value = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        raise validation_failed("request body is not JSON") from None
    if not isinstance(value, dict):
        raise validation_failed("request body must be a JSON object")
    return value
