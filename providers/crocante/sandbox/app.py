"""The sandbox's routes: Crocante's login and five staking endpoints, under its root."""

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from providers.crocante.sandbox.auth import AuthRefused, BadLogin, SandboxAuth
from providers.crocante.sandbox.state import CrocanteState, SandboxError
from providers.crocante.sandbox.wire import position_json, product_json

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
_CREATE_FIELDS = frozenset({"typeId", "amount"})

Handler = Callable[[Request, str], Awaitable[Response]]


def _ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"data": data, "status": status}, status_code=status)


def _refused(error: SandboxError) -> JSONResponse:
    return JSONResponse({"error": error.message, "status": error.status}, error.status)


def _auth_refused(error: AuthRefused) -> JSONResponse:
    body = {"error": {"msg": error.message, "code": error.code}, "status": error.status}
    return JSONResponse(body, status_code=error.status)


async def _json_body(request: Request) -> object:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise SandboxError(400, "Invalid JSON body") from None


def _is_count(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 9


def _page_args(request: Request) -> tuple[int, int]:
    page_text = request.query_params.get("page", "0")
    size_text = request.query_params.get("size", str(DEFAULT_PAGE_SIZE))
    if not _is_count(page_text):
        raise SandboxError(400, "Invalid page")
    if not _is_count(size_text):
        raise SandboxError(400, "Invalid size")
    page, size = int(page_text), int(size_text)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise SandboxError(400, "Invalid size")
    return page, size


def build_routes(
    state: CrocanteState, auth: SandboxAuth, *, amount_includes_yield: bool = False
) -> list[BaseRoute]:
    def authenticated(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                username = auth.authenticate(request.headers.get("authorization"))
                return await handler(request, username)
            except AuthRefused as error:
                return _auth_refused(error)
            except SandboxError as error:
                return _refused(error)

        return endpoint

    async def login(request: Request) -> Response:
        try:
            username, token = auth.login(await _json_body(request))
        except SandboxError as error:
            return _refused(error)
        except BadLogin as error:
            return _refused(SandboxError(400, str(error)))
        except AuthRefused as error:
            return _auth_refused(error)
        # A user never seen before starts here, with the starting balances.
        state.user(username)
        return _ok({"token": token})

    async def types(request: Request, username: str) -> Response:
        return _ok([product_json(product) for product in state.open_products()])

    async def create(request: Request, username: str) -> Response:
        body = await _json_body(request)
        if not isinstance(body, dict):
            raise SandboxError(400, "Body must be an object")
        unknown = set(body) - _CREATE_FIELDS
        if unknown:
            raise SandboxError(400, f"Unknown field {sorted(unknown)[0]}")
        state.create_stake(username, body.get("typeId"), body.get("amount"))
        return _ok({}, status=201)

    def listing(open_: bool) -> Handler:
        async def positions(request: Request, username: str) -> Response:
            page, size = _page_args(request)
            now = state.clock.now()
            mine = state.positions_of(username, open_=open_)
            return _ok(
                [
                    position_json(p, now, amount_includes_yield=amount_includes_yield)
                    for p in mine[page * size : (page + 1) * size]
                ]
            )

        return positions

    async def redeem(request: Request, username: str) -> Response:
        body = await _json_body(request)
        if body != {}:
            raise SandboxError(400, "Body must be an empty object")
        state.redeem(username, request.path_params["op_id"])
        return _ok({})

    return [
        Route("/auth/login", login, methods=["POST"]),
        Route("/staking/types", authenticated(types), methods=["GET"]),
        Route("/staking", authenticated(create), methods=["POST"]),
        Route("/staking/active", authenticated(listing(True)), methods=["GET"]),
        Route("/staking/redeemed", authenticated(listing(False)), methods=["GET"]),
        Route("/staking/{op_id}/redeem", authenticated(redeem), methods=["POST"]),
    ]
