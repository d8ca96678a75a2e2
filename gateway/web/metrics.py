"""Prometheus metrics: one registry per app, so tests and replicas never share counters."""

import time
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from gateway.domain.enums import Provider
from gateway.schema.context import Services
from gateway.schema.operation_labels import OperationLabeller
from gateway.schema.shared_streams import SharedStreams
from gateway.upstream_stats import UpstreamStats

WEBHOOK_PROVIDERS = ("zerohash", "dfns")
WEBHOOK_OUTCOMES = ("accepted", "duplicate", "rejected", "too_large")
_CLIENT_LABELS = ["client", "client_version", "operation", "type"]


def _outcome(result: object) -> str:
    errors = getattr(result, "errors", None)
    if not errors:
        return "ok"
    if getattr(result, "data", None) is not None or any(e.path for e in errors):
        return "error"
    return "rejected"


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.webhooks = Counter(
            "gateway_webhooks_total",
            "Provider webhooks by outcome",
            ["provider", "outcome"],
            registry=self.registry,
        )
        # From zero, so a rate() over them works before the first delivery.
        for provider in WEBHOOK_PROVIDERS:
            for outcome in WEBHOOK_OUTCOMES:
                self.webhooks.labels(provider, outcome)
        self.operations = Histogram(
            "gateway_operation_duration_seconds",
            "GraphQL operation latency, parse to result",
            ["type"],
            registry=self.registry,
        )
        # Per client and operation, in counters: a histogram's buckets times these
        # labels would be too many series (their cardinality is capped; see
        # gateway.schema.operation_labels).
        self.client_operations = Counter(
            "gateway_operations",
            "GraphQL operations by client, operation and outcome "
            "(ok, error: answered with field errors, rejected: never executed)",
            [*_CLIENT_LABELS, "outcome"],
            registry=self.registry,
        )
        self.client_seconds = Counter(
            "gateway_operations_seconds",
            "Time spent on GraphQL queries and mutations by client and operation "
            "(over gateway_operations_total: the mean)",
            _CLIENT_LABELS,
            registry=self.registry,
        )

    def operation_timing(
        self, labeller: OperationLabeller | None = None
    ) -> Callable[[], SchemaExtension]:
        histogram = self.operations
        counted = self.client_operations
        seconds = self.client_seconds
        labelled = labeller or OperationLabeller()

        class OperationTiming(SchemaExtension):
            def on_operation(self) -> Iterator[None]:
                started = time.perf_counter()
                yield
                took = time.perf_counter() - started
                context = self.execution_context
                labels = labelled.labels(context)
                if labels.type:
                    histogram.labels(labels.type).observe(took)
                values = (
                    labels.client,
                    labels.client_version,
                    labels.operation,
                    labels.type,
                )
                counted.labels(*values, _outcome(context.result)).inc()
                if labels.type != "subscription":
                    seconds.labels(*values).inc(took)

        return OperationTiming

    def watch(
        self,
        services: Services,
        upstream: UpstreamStats,
        shared: SharedStreams | None = None,
    ) -> None:
        self.registry.register(_ServicesCollector(services, upstream, shared))


class _ServicesCollector(Collector):
    def __init__(
        self,
        services: Services,
        upstream: UpstreamStats,
        shared: SharedStreams | None,
    ) -> None:
        self.services = services
        self.upstream = upstream
        self.shared = shared

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        breaker = GaugeMetricFamily(
            "gateway_provider_circuit_open",
            "1 while a provider's breaker is open",
            labels=["provider"],
        )
        latency = GaugeMetricFamily(
            "gateway_provider_latency_ms",
            "Moving average of upstream latency",
            labels=["provider"],
        )
        for provider, guard in self.services.providers.guards.items():
            breaker.add_metric([provider.value], 1.0 if guard.breaker.is_open else 0.0)
            if guard.health.latency_ms is not None:
                latency.add_metric([provider.value], guard.health.latency_ms)
        yield breaker
        yield latency
        calls = CounterMetricFamily(
            "gateway_upstream_requests",
            "HTTP requests sent to providers",
            labels=["provider", "method", "path"],
        )
        for (provider, method, path), count in self.upstream.calls.items():
            calls.add_metric([provider.value, method, path], count)
        yield calls
        errors = CounterMetricFamily(
            "gateway_upstream_errors",
            "Provider answers with an error status",
            labels=["provider", "status"],
        )
        failed = CounterMetricFamily(
            "gateway_upstream_error_answers",
            "Provider answers with an error status, all statuses together",
            labels=["provider"],
        )
        by_provider = dict.fromkeys(self.services.providers.adapters, 0)
        for (provider, status), count in self.upstream.errors.items():
            errors.add_metric([provider.value, str(status)], count)
            by_provider[provider] = by_provider.get(provider, 0) + count
        # Every provider, from zero: a rate() over it works before the first error.
        for provider, count in by_provider.items():
            failed.add_metric([provider.value], count)
        yield errors
        yield failed
        bus = self.services.bus
        for name in ("published", "delivered", "dropped"):
            family = GaugeMetricFamily(
                f"gateway_bus_events_{name}", f"Bus events {name}"
            )
            family.add_metric([], float(getattr(bus, name, 0)))
            yield family
        subscribers = GaugeMetricFamily(
            "gateway_bus_subscribers", "Live bus subscribers"
        )
        bus_subscribers = float(getattr(bus, "subscriber_count", 0))
        subscribers.add_metric([], bus_subscribers)
        yield subscribers
        # A shared stream is one bus subscriber serving all its members.
        streams = self.shared.stream_count if self.shared else 0
        members = self.shared.member_count if self.shared else 0
        live = GaugeMetricFamily(
            "gateway_subscriptions", "Live GraphQL subscriptions on this replica"
        )
        live.add_metric([], bus_subscribers - streams + members)
        yield live
        shared = GaugeMetricFamily(
            "gateway_shared_streams",
            "Subscription streams executed once for several subscribers",
        )
        shared.add_metric([], streams)
        yield shared
        watcher = getattr(self.services, "watcher", None)
        polls = CounterMetricFamily(
            "gateway_watcher_polls",
            "Polls this replica made, per provider",
            labels=["provider"],
        )
        if watcher is not None:
            for provider, count in watcher.polls.items():
                polls.add_metric([provider.value], count)
        yield polls
        yield from self._client_webhooks()
        coalesced = GaugeMetricFamily(
            "gateway_upstream_reads_coalesced", "Reads that shared an in-flight call"
        )
        coalesced.add_metric([], float(self.services.providers.coalescer.coalesced))
        yield coalesced
        yield from self._upstream_latency()
        yield from self._loaders()
        yield from self._caches()

    def _client_webhooks(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        sender = self.services.webhook_sender
        attempts = CounterMetricFamily(
            "gateway_client_webhook_attempts",
            "Requests this replica sent to client webhook endpoints, by outcome",
            labels=["outcome"],
        )
        leading = GaugeMetricFamily(
            "gateway_client_webhook_sender_leading",
            "Whether this replica holds the webhook sender's lease (1) or not (0)",
        )
        for outcome in ("delivered", "failed"):
            count = sender.outcomes[outcome] if sender is not None else 0
            attempts.add_metric([outcome], count)
        leading.add_metric([], 1.0 if sender is not None and sender.leading else 0.0)
        yield attempts
        yield leading
        monitor = self.services.stuck
        stuck = GaugeMetricFamily(
            "gateway_stuck_actions",
            "Actions past their provider status's threshold, as this replica last checked",
            labels=["provider"],
        )
        raised = CounterMetricFamily(
            "gateway_stuck_alerts",
            "action.stuck alerts this replica raised",
            labels=["provider"],
        )
        for provider in Provider:
            stuck.add_metric(
                [provider.value], monitor.stuck[provider] if monitor else 0
            )
            raised.add_metric(
                [provider.value], monitor.raised[provider] if monitor else 0
            )
        checks = CounterMetricFamily(
            "gateway_stuck_checks", "Stuck-action checks this replica ran"
        )
        checks.add_metric([], monitor.checks if monitor else 0)
        yield stuck
        yield raised
        yield checks

    def _upstream_latency(self) -> Iterator[CounterMetricFamily]:
        seconds = CounterMetricFamily(
            "gateway_upstream_seconds",
            "Time spent waiting on providers",
            labels=["provider"],
        )
        answers = CounterMetricFamily(
            "gateway_upstream_answers", "Provider answers timed", labels=["provider"]
        )
        for provider, total in self.upstream.seconds.items():
            seconds.add_metric([provider.value], total)
            answers.add_metric([provider.value], self.upstream.answers[provider])
        yield seconds
        yield answers

    def _loaders(self) -> Iterator[CounterMetricFamily]:
        stats = self.services.loader_stats
        batches = CounterMetricFamily(
            "gateway_loader_batches", "Batches run per loader", labels=["loader"]
        )
        keys = CounterMetricFamily(
            "gateway_loader_batch_keys",
            "Keys carried by those batches",
            labels=["loader"],
        )
        for name, count in stats.batches.items():
            batches.add_metric([name], count)
            keys.add_metric([name], stats.keys[name])
        yield batches
        yield keys

    def _caches(self) -> Iterator[CounterMetricFamily]:
        hits = CounterMetricFamily(
            "gateway_cache_hits", "Answers served from a cache", labels=["cache"]
        )
        hits.add_metric(["products"], self.services.providers.product_cache_hits)
        # Dfns' per-stake rewards totals (DFNS_REWARDS_CACHE_SECONDS): a hit is a call
        # not made.
        for provider, adapter in self.services.providers.adapters.items():
            cache = getattr(adapter, "rewards_cache", None)
            if cache is not None:
                hits.add_metric([f"{provider.value.lower()}_rewards"], cache.hits)
        hits.add_metric(["api_keys"], self.services.authenticator.hits)
        yield hits


async def metrics_endpoint(request: Request) -> Response:
    metrics: GatewayMetrics = request.state.metrics
    return Response(
        generate_latest(metrics.registry), media_type="text/plain; version=0.0.4"
    )
