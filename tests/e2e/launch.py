"""`python -m tests.e2e.launch ARGS…` is `staking-gateway ARGS…` plus, until the app
wires them itself: the GraphiQL page of gateway/web/graphiql.py and the `/static` mount,
WebSocket messages as text frames, WebSockets from pages on other origins, and the
`sandbox` command's env file (gateway/sandbox_env.py). Each patch applies only while its
piece is missing, so once all are wired this is exactly `staking-gateway`."""

import sys
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL

import gateway.app
import gateway.cli
import gateway.wiring
from gateway.domain.enums import Provider
from gateway.sandbox_env import publish_sandbox_env
from gateway.schema.view import GatewayGraphQL
from gateway.web.graphiql import CONTENT_SECURITY_POLICY, STATIC_DIR, render_graphiql
from providers.sandbox_kit.protocol import ProviderSandbox


async def _render_graphql_ide(self: GatewayGraphQL, request: Request) -> Response:
    return HTMLResponse(
        render_graphiql(request.app.state.demo_key, request.url.path),
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
    )


def _wire_graphiql() -> None:
    if GatewayGraphQL.render_graphql_ide is not GraphQL.render_graphql_ide:
        return
    GatewayGraphQL.render_graphql_ide = _render_graphql_ide  # type: ignore[method-assign]
    create_app = gateway.app.create_app

    def create_app_with_static(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)
        paths = {getattr(route, "path", None) for route in app.router.routes}
        if "/static" not in paths:
            app.router.routes.insert(
                0, Mount("/static", app=StaticFiles(directory=STATIC_DIR))
            )
        return app

    gateway.app.create_app = create_app_with_static  # type: ignore[assignment]


def _send_text_frames() -> None:
    # Browsers' graphql-ws clients parse text frames only; a binary frame reads as
    # "Message is missing the 'type' property".
    if not isinstance(GatewayGraphQL.encode_json(None, {}), bytes):  # type: ignore[arg-type]
        return
    encode = GatewayGraphQL.encode_json

    def encode_text(self: GatewayGraphQL, data: object) -> str:
        encoded = encode(self, data)
        return encoded.decode() if isinstance(encoded, bytes) else encoded

    GatewayGraphQL.encode_json = encode_text  # type: ignore[assignment,method-assign]


def _accept_pages_from_any_origin() -> None:
    # Strawberry refuses cross-origin WebSocket handshakes unless `allowed_origins` says
    # otherwise, which stops examples/watch.html (and any frontend on another origin).
    # The gateway authenticates by the connection_init payload, never by cookies, so a
    # foreign page gains nothing a script of its own could not do.
    if (
        GatewayGraphQL.is_websocket_origin_allowed
        is not GraphQL.is_websocket_origin_allowed
    ):
        return
    check = GraphQL.is_websocket_origin_allowed

    def allowed(self: GatewayGraphQL, request: Any, origin: str) -> bool:
        return True if not self.allowed_origins else check(self, request, origin)

    GatewayGraphQL.is_websocket_origin_allowed = allowed  # type: ignore[method-assign]


def _wire_sandbox_env(argv: list[str]) -> None:
    if "sandbox_env" in open(gateway.cli.__file__, encoding="utf-8").read():
        return
    args = gateway.cli.parser().parse_args(argv)
    build = gateway.wiring.build_sandboxes

    def build_and_publish(settings: Any) -> Mapping[Provider, ProviderSandbox]:
        sandboxes = build(settings)
        publish_sandbox_env(
            sandboxes, host=args.host, port=args.port, var_dir=settings.var_dir
        )
        return sandboxes

    gateway.wiring.build_sandboxes = build_and_publish  # type: ignore[assignment]


if __name__ == "__main__":
    argv = sys.argv[1:]
    _wire_graphiql()
    _send_text_frames()
    _accept_pages_from_any_origin()
    if argv[:1] == ["sandbox"]:
        _wire_sandbox_env(argv)
    sys.exit(gateway.cli.main(argv))
