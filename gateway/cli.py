"""The `staking-gateway` command."""

import argparse
import asyncio
import contextlib
import gc
import os
import socket
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gateway.domain.enums import Provider

if TYPE_CHECKING:
    import uvicorn

# Young collections every 10,000 net allocations instead of 700: a fan-out to thousands
# of subscribers allocates that many in one burst, and collected every 700 it paid for
# it in pauses (5,000 subscribers, p90 940 -> 290 ms; p99 1,430 -> 560 ms).
GC_THRESHOLDS = (10_000, 10, 10)
STARTUP_FAILURE = 3  # uvicorn's exit status for a server that never started


def freeze_startup_heap() -> None:
    """Everything built at start-up lives as long as the process: out of the collector's
    sight, a full collection no longer walks it (p99 at 50 req/s: 165-185 -> 72-75 ms).
    And the collector runs less often (GC_THRESHOLDS)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.app import create_app
    from gateway.logs import configure_logging
    from gateway.settings import Settings

    # Adapters reach the embedded sandboxes over loopback, whatever address we bind.
    reachable = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    base = f"http://{reachable}:{args.port}"
    os.environ.setdefault("GATEWAY_PUBLIC_URL", base)
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)

    def announce(demo_key: str | None) -> None:
        freeze_startup_heap()
        print(f"staking-gateway: GraphiQL at {base}/graphql", flush=True)
        if demo_key is not None:
            print(
                "Embedded sandboxes at /sandbox/{dfns,zerohash,crocante}/", flush=True
            )
            print(f"Demo API key: {demo_key}", flush=True)
            print(
                f'GraphiQL header: {{"Authorization": "Bearer {demo_key}"}}', flush=True
            )

    app = create_app(settings, on_ready=announce)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        # Requests in flight get the first part of GATEWAY_SHUTDOWN_SECONDS to finish;
        # the lifespan stops the rest in what remains.
        timeout_graceful_shutdown=settings.drain_seconds,  # type: ignore[arg-type]
        # Our logging configuration (gateway.logs), not uvicorn's.
        log_config=None,
        log_level=settings.log_level,
        # A line per request costs a third of the trivial-query throughput (bench S1):
        # operations are logged at debug level, or as warnings when slow.
        access_log=False,
        ws_max_size=settings.max_body_bytes,
        ws_per_message_deflate=False,
    )
    return _run(uvicorn.Server(config), args.fd)


def _run(server: "uvicorn.Server", fd: int | None) -> int:
    # A socket handed over (--fd) is served as it is. uvicorn's own --fd serves a
    # duplicate, so the original stays open at stop and queues new connections until
    # the process exits, where they fail; closed at stop, it refuses them at once.
    sockets = [socket.socket(fileno=fd)] if fd is not None else None
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=sockets)
    return 0 if server.started else STARTUP_FAILURE


def _sandbox(args: argparse.Namespace) -> int:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from gateway.sandbox_env import publish_sandbox_env
    from gateway.settings import Settings
    from gateway.wiring import SANDBOX_PATHS, build_sandboxes
    from providers.sandbox_kit.lifecycle import running

    settings = Settings(GATEWAY_PUBLIC_URL=args.gateway_url)
    sandboxes = build_sandboxes(settings)
    # Their credentials are made up now: gateways pointing here read them from a file.
    publish_sandbox_env(
        sandboxes, host=args.host, port=args.port, var_dir=settings.var_dir
    )

    app = Starlette(
        routes=[Mount(f"/{SANDBOX_PATHS[p]}", app=s.app) for p, s in sandboxes.items()],
        lifespan=lambda _: running(sandboxes.values()),
    )
    print(
        f"Provider sandboxes at http://{args.host}:{args.port}/{{dfns,zerohash,crocante}}/"
    )
    return _run(
        uvicorn.Server(
            uvicorn.Config(app, host=args.host, port=args.port, log_level="info")
        ),
        args.fd,
    )


def _export_schema(args: argparse.Namespace) -> int:
    from gateway.schema.schema import export_sdl

    sys.stdout.write(export_sdl())
    return 0


async def _with_store(action: str, args: argparse.Namespace) -> int:
    from gateway.settings import Settings
    from gateway.store.store import Store

    store = Store.from_url(Settings().effective_database_url)
    try:
        if action == "migrate":
            applied = await store.migrate()
            print(
                f"applied migrations: {applied}"
                if applied
                else "database is up to date"
            )
            return 0
        await store.migrate()
        if action == "create":
            identities: dict[Provider, list[str]] = {
                Provider.DFNS: list(args.dfns_wallet or []),
                Provider.ZEROHASH: [args.zerohash_participant]
                if args.zerohash_participant
                else [],
                Provider.CROCANTE: [args.crocante_user] if args.crocante_user else [],
            }
            record, key = await store.clients.create(args.name, identities)
            print(
                f"created client {record.name} ({record.id}), prefix {record.key_prefix}"
            )
            print("The key is shown once; keep it now:")
            print(key)
            return 0
        if action == "list":
            for client in await store.clients.list():
                state = "revoked" if client.revoked_at else "active"
                links = ", ".join(
                    f"{p.value}={'/'.join(ids)}" for p, ids in client.identities.items()
                )
                print(
                    f"{client.id}  {client.key_prefix}  {client.name}  {state}  {links}"
                )
            return 0
        revoked = await store.clients.revoke(args.client)
        print(f"revoked {revoked} client(s)")
        return 0 if revoked else 1
    finally:
        await store.close()


async def _webhooks(action: str, args: argparse.Namespace) -> int:
    from gateway.domain.errors import UserFacingError
    from gateway.domain.webhooks import SUBSCRIBABLE, WebhookEventType
    from gateway.settings import Settings
    from gateway.store.store import Store
    from gateway.wiring import build_client_webhooks

    settings = Settings()
    store = Store.from_url(settings.effective_database_url)
    webhooks = build_client_webhooks(settings, store, None)
    try:
        await store.migrate()
        registry = webhooks.registry
        if action == "add":
            clients = [
                c
                for c in await store.clients.list()
                if args.client in (c.id, c.key_prefix) and c.revoked_at is None
            ]
            if len(clients) != 1:
                print(f"no single active client {args.client!r}", file=sys.stderr)
                return 1
            try:
                registered = await registry.register(
                    clients[0].id,
                    args.url,
                    [WebhookEventType(e) for e in args.event or ()]
                    or list(SUBSCRIBABLE),
                    args.description,
                )
            except UserFacingError as refused:
                print(refused.error.message, file=sys.stderr)
                return 1
            endpoint = registered.endpoint
            print(f"created webhook endpoint {endpoint.id} for {clients[0].name}")
            print("The signing secret is shown once; keep it now:")
            print(registered.secret)
            return 0
        if action == "list":
            for endpoint in await registry.endpoints(None):
                if args.client and args.client != endpoint.client_id:
                    continue
                state = "enabled" if endpoint.enabled else "DISABLED"
                types = ",".join(t.value for t in endpoint.event_types)
                print(
                    f"{endpoint.id}  {endpoint.client_id}  {state}  {endpoint.url}  "
                    f"{types}"
                )
            return 0
        removed = await registry.remove(None, args.endpoint)
        print(f"removed {int(removed)} endpoint(s)")
        return 0 if removed else 1
    finally:
        await webhooks.http.aclose()
        await store.close()


def _add_webhook_commands(commands: "argparse._SubParsersAction[Any]") -> None:
    from gateway.domain.webhooks import SUBSCRIBABLE

    webhooks = commands.add_parser("webhooks", help="manage client webhook endpoints")
    actions = webhooks.add_subparsers(dest="webhooks_command", required=True)
    add = actions.add_parser(
        "add", help="register an endpoint for a client; prints its secret once"
    )
    add.add_argument("--client", required=True, help="client id or key prefix")
    add.add_argument("--url", required=True)
    add.add_argument(
        "--event",
        action="append",
        choices=[t.value for t in SUBSCRIBABLE],
        help="an event type to send (repeat); default: all",
    )
    add.add_argument("--description")
    add.set_defaults(run=lambda a: asyncio.run(_webhooks("add", a)))
    listing = actions.add_parser("list", help="list endpoints")
    listing.add_argument("--client", help="only this client id's")
    listing.set_defaults(run=lambda a: asyncio.run(_webhooks("list", a)))
    remove = actions.add_parser("remove", help="remove an endpoint by id")
    remove.add_argument("endpoint")
    remove.set_defaults(run=lambda a: asyncio.run(_webhooks("remove", a)))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="staking-gateway", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the gateway")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--fd",
        type=int,
        help="serve on this already bound socket (a supervisor's, or a test's); "
        "--host and --port then only name the address the gateway is reached at",
    )
    serve.set_defaults(run=_serve)

    sandbox = commands.add_parser("sandbox", help="run only the provider sandboxes")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8100)
    sandbox.add_argument("--fd", type=int, help="serve on this already bound socket")
    sandbox.add_argument(
        "--gateway-url",
        default="http://127.0.0.1:8000",
        help="where the Zerohash sandbox sends webhooks (+ /webhooks/zerohash)",
    )
    sandbox.set_defaults(run=_sandbox)

    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.set_defaults(run=_export_schema)

    migrate = commands.add_parser(
        "migrate", help="bring the database schema up to date"
    )
    migrate.set_defaults(run=lambda a: asyncio.run(_with_store("migrate", a)))

    clients = commands.add_parser("clients", help="manage API clients")
    client_commands = clients.add_subparsers(dest="clients_command", required=True)
    create = client_commands.add_parser(
        "create", help="create a client; prints its key once"
    )
    create.add_argument("--name", required=True)
    create.add_argument("--dfns-wallet", action="append")
    create.add_argument("--zerohash-participant")
    create.add_argument("--crocante-user")
    create.set_defaults(run=lambda a: asyncio.run(_with_store("create", a)))
    listing = client_commands.add_parser("list", help="list clients")
    listing.set_defaults(run=lambda a: asyncio.run(_with_store("list", a)))
    revoke = client_commands.add_parser(
        "revoke", help="revoke a client by id or key prefix"
    )
    revoke.add_argument("client")
    revoke.set_defaults(run=lambda a: asyncio.run(_with_store("revoke", a)))
    _add_webhook_commands(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    result: int = args.run(args)
    return result
