"""Prometheus metrics: one registry per app, so tests and replicas never share counters."""

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from gateway.schema.context import Services
from gateway.upstream_stats import UpstreamStats


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.webhooks = Counter(
            "gateway_webhooks_total",
            "Provider webhooks by outcome",
            ["provider", "outcome"],
            registry=self.registry,
        )
        self.requests = Histogram(
            "gateway_http_request_seconds",
            "HTTP request latency",
            ["path"],
            registry=self.registry,
        )

    def watch(self, services: Services, upstream: UpstreamStats) -> None:
        self.registry.register(_ServicesCollector(services, upstream))


class _ServicesCollector(Collector):
    def __init__(self, services: Services, upstream: UpstreamStats) -> None:
        self.services = services
        self.upstream = upstream

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
        for (provider, status), count in self.upstream.errors.items():
            errors.add_metric([provider.value, str(status)], count)
        yield errors
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
        subscribers.add_metric([], float(getattr(bus, "subscriber_count", 0)))
        yield subscribers
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
        coalesced = GaugeMetricFamily(
            "gateway_upstream_reads_coalesced", "Reads that shared an in-flight call"
        )
        coalesced.add_metric([], float(self.services.providers.coalescer.coalesced))
        yield coalesced


async def metrics_endpoint(request: Request) -> Response:
    metrics: GatewayMetrics = request.state.metrics
    return Response(
        generate_latest(metrics.registry), media_type="text/plain; version=0.0.4"
    )
