"""The composition root: `create_app` wires settings, store, bus, providers and routes.

The lifespan owns every resource (engine, bus, HTTP clients, sandbox background tasks)
and every background task, stops them within GATEWAY_SHUTDOWN_SECONDS, and hands the
services to requests through the ASGI state.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from strawberry.subscriptions import (
    GRAPHQL_SSE_PROTOCOL,
    GRAPHQL_TRANSPORT_WS_PROTOCOL,
    GRAPHQL_WS_PROTOCOL,
)

from gateway import otel
from gateway.demo import ensure_demo_client
from gateway.domain.enums import Provider
from gateway.events import DEFAULT_MAX_QUEUE, EventBus, create_bus
from gateway.request_id import HEADER
from gateway.schema.client_identity import NAME_HEADERS, VERSION_HEADERS
from gateway.schema.context import Services
from gateway.schema.incremental import IncrementalGuard
from gateway.schema.operation_choice import OperationChoice
from gateway.schema.operation_labels import OperationLabeller
from gateway.schema.operation_log import operation_log
from gateway.schema.persisted_queries import PersistedQueries
from gateway.schema.query_store import create_query_store
from gateway.schema.schema import build_schema, should_mask
from gateway.schema.shared_streams import SharedStreams
from gateway.schema.transport_ws import with_ping_interval
from gateway.schema.view import GatewayGraphQL
from gateway.security import (
    Guard,
    SecurityMiddleware,
    secured_lifespan,
    security_extensions,
)
from gateway.services.authentication import Authenticator
from gateway.services.cancellation import Cancellation
from gateway.services.commands import StakingCommands
from gateway.services.ledger import RewardsLedger
from gateway.services.preview import PreviewService
from gateway.services.provider_set import ProviderSet
from gateway.services.reads import StakingReader
from gateway.services.resilience import CallPolicy
from gateway.services.status_feed import StatusFeed
from gateway.services.stuck import StuckActionMonitor, StuckThresholds
from gateway.services.watcher import Watcher, WatchPolicy
from gateway.services.webhook_ingest import WebhookIngest
from gateway.settings import Settings
from gateway.shutdown import Shutdown
from gateway.store.migrations import current_version, latest_version
from gateway.store.store import Store
from gateway.web.exports import rewards_csv, rewards_json
from gateway.web.graphiql import STATIC_DIR
from gateway.web.health import healthz, readyz
from gateway.web.metrics import GatewayMetrics, metrics_endpoint
from gateway.web.request_id import RequestIdMiddleware
from gateway.web.webhooks import (
    Verifier,
    dfns_verifier,
    webhook_endpoint,
    zerohash_verifier,
)
from gateway.wiring import (
    SANDBOX_PATHS,
    build_adapters,
    build_client_webhooks,
    build_sandboxes,
)
from providers.sandbox_kit.lifecycle import running
from providers.sandbox_kit.protocol import ProviderSandbox

ReadyHook = Callable[[str | None], None]


async def _prepare_store(settings: Settings, store: Store) -> None:
    if store.dialect == "sqlite" or settings.any_sandboxed:
        await store.migrate()
    elif await current_version(store.engine) < latest_version():
        raise RuntimeError(
            "The database schema is behind: run `staking-gateway migrate`."
        )


async def _flush_marks(feed: StatusFeed) -> None:
    with suppress(Exception):  # best effort: unmarked rows are republished
        await feed.flush_marks()


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    bus: EventBus | None = None,
    sandboxes: Mapping[Provider, ProviderSandbox] | None = None,
    transports: Mapping[Provider, httpx.AsyncBaseTransport] | None = None,
    on_ready: ReadyHook | None = None,
) -> Starlette:
    settings = settings or Settings()
    sandboxes = dict(sandboxes) if sandboxes is not None else build_sandboxes(settings)
    metrics = GatewayMetrics()
    tracing = bool(settings.otel_endpoint) and otel.configure(
        settings.otel_endpoint or "", settings.otel_service_name
    )
    wiring = build_adapters(settings, sandboxes, transports, tracing=tracing)
    # Each member of a shared stream may fall as far behind as a bus subscriber.
    shared_streams = SharedStreams(member_queue=DEFAULT_MAX_QUEUE)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        shutdown = Shutdown(settings.shutdown_seconds - settings.drain_seconds)
        app.state.shutdown = shutdown
        # One stack, a close per resource as soon as it is opened: a later step that
        # fails leaks nothing, and one close that fails still lets the others run.
        # Unwound in reverse: background tasks stop first, the store closes last.
        async with AsyncExitStack() as stack:

            def on_stop(name: str, close: Callable[[], Awaitable[Any]]) -> None:
                stack.push_async_callback(shutdown.close, name, close)

            opened_store = store or Store.from_url(settings.effective_database_url)
            if store is None:
                on_stop("store", opened_store.close)
            on_stop("persisted queries", persisted.close)
            for client in wiring.clients:
                on_stop("provider client", client.aclose)
            await _prepare_store(settings, opened_store)
            opened_bus = bus or create_bus(settings.redis_url)
            await opened_bus.connect()
            on_stop("event bus", opened_bus.disconnect)
            sandbox_work = AsyncExitStack()
            on_stop("sandboxes", sandbox_work.aclose)
            await sandbox_work.enter_async_context(running(sandboxes.values()))
            providers = ProviderSet(
                wiring.adapters,
                allocations=wiring.allocation_adapters,
                policy=CallPolicy(timeout=settings.provider_timeout_seconds),
            )
            reader = StakingReader(providers)
            feed = StatusFeed(opened_store, opened_bus)
            on_stop("status marks", lambda: _flush_marks(feed))
            services = Services(
                history=opened_store.history,
                database=opened_store,
                bus=opened_bus,
                providers=providers,
                reader=reader,
                commands=StakingCommands(
                    providers, reader, opened_store.idempotency, feed
                ),
                previews=PreviewService(providers),
                feed=feed,
                authenticator=Authenticator(opened_store.clients),
            )
            metrics.watch(services, wiring.stats, shared_streams)
            await feed.publish_pending()
            demo_key = None
            if sandboxes:
                fixed = (
                    settings.demo_api_key.get_secret_value()
                    if settings.demo_api_key
                    else None
                )
                demo_key = await ensure_demo_client(opened_store, sandboxes, fixed)
            app.state.demo_key = demo_key
            watcher = Watcher(
                opened_store,
                providers,
                feed,
                WatchPolicy(
                    fast=settings.watcher_fast_seconds,
                    slow=settings.watcher_slow_seconds,
                    lease_ttl=settings.watcher_lease_seconds,
                ),
            )
            app.state.watcher = watcher
            services.watcher = watcher
            webhooks = build_client_webhooks(settings, opened_store, feed)
            on_stop("client webhooks' HTTP client", webhooks.http.aclose)
            services.webhooks = webhooks.registry
            services.webhook_sender = webhooks.sender
            services.ledger = RewardsLedger(providers)
            services.cancellation = Cancellation(services.commands, reader)
            monitor = StuckActionMonitor(
                opened_store,
                feed,
                StuckThresholds.parse(settings.stuck_thresholds),
                interval=settings.stuck_check_seconds,
                lease_ttl=max(
                    settings.watcher_lease_seconds, 3 * settings.stuck_check_seconds
                ),
            )
            services.stuck = monitor
            ingest = WebhookIngest(providers, feed)
            on_stop("webhook group commit", ingest.drain)
            on_stop("shared subscription streams", shared_streams.stop)
            stack.push_async_callback(shutdown.stop_tasks)
            # Started once the demo client exists, so its first poll already follows it.
            if settings.watcher_enabled:
                shutdown.start(watcher.run(), name="watcher")
                shutdown.start(monitor.run(), name="stuck-action-monitor")
            if settings.webhook_sender_enabled:
                shutdown.start(webhooks.sender.run(), name="client-webhook-sender")
            if on_ready is not None:
                on_ready(demo_key)
            yield {
                "services": services,
                "metrics": metrics,
                "webhook_ingest": ingest,
                "zerohash_verifier": (
                    zerohash_verifier(
                        wiring.zerohash_webhook_secret,
                        wiring.zerohash_webhook_public_key,
                    )
                    if wiring.zerohash_webhook_secret
                    or wiring.zerohash_webhook_public_key
                    else None
                ),
            }

    # One set of bounded labels for metrics, logs and spans.
    labeller = OperationLabeller(
        known_clients=settings.known_client_names,
        max_clients=settings.max_client_labels,
        max_client_versions=settings.max_client_version_labels,
        max_operations=settings.max_operation_labels,
    )
    guard = Guard.from_settings(settings, redis_url=settings.redis_url)
    persisted = PersistedQueries(
        create_query_store(
            settings.redis_url,
            prefix=settings.apq_prefix,
            ttl_seconds=settings.apq_ttl_seconds,
            memory_bytes=settings.apq_memory_bytes,
        )
        if settings.apq_enabled and guard.documents is None
        else None,
        trusted=guard.documents,
    )
    graphql = GatewayGraphQL(
        build_schema(
            [
                *security_extensions(
                    settings, guard, production=settings.is_production
                ),
                OperationChoice,
                metrics.operation_timing(labeller),
                operation_log(settings.slow_operation_seconds, labeller),
                *(
                    [
                        otel.schema_extension(
                            labeller,
                            with_document=settings.otel_document,
                            name_with_operation=settings.otel_span_names_with_operation,
                        )
                    ]
                    if tracing
                    else []
                ),
            ],
            fast_execution=settings.fast_execution,
            incremental=settings.incremental_delivery,
        ),
        graphql_ide=None if settings.is_production else "graphiql",
        keep_alive=True,
        keep_alive_interval=settings.ws_ping_seconds,
        subscription_protocols=(
            GRAPHQL_TRANSPORT_WS_PROTOCOL,
            GRAPHQL_WS_PROTOCOL,
            GRAPHQL_SSE_PROTOCOL,
        ),
        # Keys travel in headers and connection_init, never in cookies: another origin
        # gains nothing from a handshake it cannot authenticate.
        allowed_origins=("*",),
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        guard=guard,
        shared_streams=shared_streams,
    )
    graphql.persisted_queries = persisted
    if settings.incremental_delivery:
        graphql.incremental = IncrementalGuard(
            timeout_seconds=settings.operation_timeout_seconds,
            should_mask=should_mask,
        )
    graphql.graphql_transport_ws_handler_class = with_ping_interval(
        settings.ws_ping_seconds
    )

    def zerohash(request: Request) -> Verifier | None:
        verifier: Verifier | None = request.state.zerohash_verifier
        return verifier

    dfns_secret = settings.dfns_webhook_secret

    def dfns(request: Request) -> Verifier | None:
        return dfns_verifier(dfns_secret) if dfns_secret else None

    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route(
            "/webhooks/zerohash",
            webhook_endpoint("zerohash", zerohash),
            methods=["POST"],
        ),
        Route("/webhooks/dfns", webhook_endpoint("dfns", dfns), methods=["POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
        Route("/exports/rewards.csv", rewards_csv),
        Route("/exports/rewards.json", rewards_json),
    ]
    routes += [
        Mount(f"/sandbox/{SANDBOX_PATHS[provider]}", app=sandbox.app)
        for provider, sandbox in sandboxes.items()
    ]
    routes.append(
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static")
    )
    app = Starlette(
        routes=routes,
        lifespan=secured_lifespan(
            lifespan, guard, production=settings.is_production, sandboxed=sandboxes
        ),
        middleware=[
            # Outermost: every answer, refusals included, carries its request id.
            Middleware(RequestIdMiddleware),
            # Next, so that 413 and 429 answers carry CORS headers too.
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origin_list,
                allow_methods=["GET", "POST"],
                allow_headers=[
                    "Authorization",
                    "Content-Type",
                    HEADER,
                    *NAME_HEADERS,
                    *VERSION_HEADERS,
                ],
                expose_headers=[HEADER],
                max_age=600,
            ),
            Middleware(
                SecurityMiddleware, guard=guard, max_body_bytes=settings.max_body_bytes
            ),
        ],
    )
    app.state.guard = guard
    app.state.sandboxes = sandboxes
    app.state.upstream = wiring.stats
    app.state.settings = settings
    return app
