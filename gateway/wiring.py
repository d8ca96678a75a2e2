"""Which provider speaks to what: a real API when its URL is set, else its embedded sandbox.

A sandbox (`providers.<name>.sandbox`) is imported here only when one is built or used: a
production process, every API URL set, never loads the fake providers, their keys or seeds.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from gateway import otel
from gateway.domain.enums import Provider
from gateway.security.upstream import DEFAULT_MAX_RESPONSE_BYTES, GuardedTransport
from gateway.services.status_feed import StatusFeed
from gateway.services.webhooks.addresses import AddressPolicy
from gateway.services.webhooks.registry import WebhookRegistry
from gateway.services.webhooks.retry import RetryPolicy
from gateway.services.webhooks.sender import SenderPolicy, WebhookSender
from gateway.settings import Settings
from gateway.store.store import Store
from gateway.upstream_pool import UpstreamPool
from gateway.upstream_stats import UpstreamStats
from providers.base import AllocationAdapter, StakingAdapter
from providers.crocante import CrocanteAdapter, CrocanteConfig
from providers.dfns import DfnsAdapter, DfnsConfig
from providers.sandbox_kit.protocol import ProviderSandbox
from providers.zerohash import ZerohashAdapter, ZerohashConfig

SANDBOX_PATHS: Mapping[Provider, str] = {
    Provider.DFNS: "dfns",
    Provider.ZEROHASH: "zerohash",
    Provider.CROCANTE: "crocante",
}


# Dfns reports rewards per stake only: a page's reward reads go out in one round, not
# several, so a page waits one upstream latency for them (bench S2).
DFNS_REWARDS_AT_ONCE = 32


class ConfigurationError(ValueError):
    pass


def build_sandboxes(settings: Settings) -> dict[Provider, ProviderSandbox]:
    """The sandboxes for every provider whose API URL is not configured."""
    from providers.sandbox_kit.clock import SimulatedClock

    scale = settings.sandbox_time_scale
    sandboxes: dict[Provider, ProviderSandbox] = {}
    if not settings.crocante_api_url:
        from providers.crocante.sandbox import CrocanteSandbox

        sandboxes[Provider.CROCANTE] = CrocanteSandbox(
            clock=SimulatedClock(time_scale=scale)
        )
    if not settings.zerohash_api_url:
        from providers.zerohash.sandbox import ZerohashSandbox

        sandboxes[Provider.ZEROHASH] = ZerohashSandbox(
            clock=SimulatedClock(time_scale=scale),
            webhook_url=f"{settings.public_url.rstrip('/')}/webhooks/zerohash",
        )
    if not settings.dfns_api_url:
        from providers.dfns.sandbox import DfnsSandbox

        sandboxes[Provider.DFNS] = DfnsSandbox(clock=SimulatedClock(time_scale=scale))
    return sandboxes


def sandbox_url(settings: Settings, provider: Provider) -> str:
    return f"{settings.public_url.rstrip('/')}/sandbox/{SANDBOX_PATHS[provider]}/"


def _required(value: str | SecretStr | None, name: str) -> str:
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if not text:
        raise ConfigurationError(
            f"{name} is required when its provider's API URL is set"
        )
    return text


def crocante_config(
    settings: Settings, sandbox: ProviderSandbox | None
) -> CrocanteConfig:
    if sandbox is not None:
        from providers.crocante.sandbox import CrocanteSandbox

        if isinstance(sandbox, CrocanteSandbox):
            return sandbox.gateway_config(sandbox_url(settings, Provider.CROCANTE))
    base_url = _required(settings.crocante_api_url, "CROCANTE_API_URL")
    username = _required(settings.crocante_username, "CROCANTE_USERNAME")
    password = _required(settings.crocante_password, "CROCANTE_PASSWORD")
    try:
        return CrocanteConfig(
            base_url=base_url,
            username=username,
            password=SecretStr(password),
            totp_secret=settings.crocante_totp_secret,
            login_path=settings.crocante_login_path,
            types_path=settings.crocante_types_path,
            create_path=settings.crocante_stake_path,
            active_path=settings.crocante_active_path,
            redeemed_path=settings.crocante_redeemed_path,
            redeem_path=settings.crocante_redeem_path,
            amount_includes_yield=settings.crocante_amount_includes_yield,
        )
    except ValueError as exc:  # e.g. CROCANTE_REDEEM_PATH without %OPID
        raise ConfigurationError(f"Crocante: {exc}") from None


def zerohash_config(
    settings: Settings, sandbox: ProviderSandbox | None
) -> ZerohashConfig:
    if sandbox is not None:
        from providers.zerohash.sandbox import ZerohashSandbox

        if isinstance(sandbox, ZerohashSandbox):
            return sandbox.gateway_config(sandbox_url(settings, Provider.ZEROHASH))
    return ZerohashConfig(
        api_key=_required(settings.zerohash_api_key, "ZEROHASH_API_KEY"),
        api_secret=SecretStr(
            _required(settings.zerohash_api_secret, "ZEROHASH_API_SECRET")
        ),
        passphrase=SecretStr(
            _required(settings.zerohash_passphrase, "ZEROHASH_PASSPHRASE")
        ),
        webhook_secret=(
            settings.zerohash_webhook_secret
            if settings.zerohash_webhook_public_key
            else SecretStr(
                _required(settings.zerohash_webhook_secret, "ZEROHASH_WEBHOOK_SECRET")
            )
        ),
        webhook_public_key=settings.zerohash_webhook_public_key,
        base_url=_required(settings.zerohash_api_url, "ZEROHASH_API_URL"),
    )


def dfns_config(settings: Settings, sandbox: ProviderSandbox | None) -> DfnsConfig:
    if sandbox is not None:
        from providers.dfns.sandbox import DfnsSandbox

        if isinstance(sandbox, DfnsSandbox):
            return sandbox.gateway_config(sandbox_url(settings, Provider.DFNS))
    api_url = _required(settings.dfns_api_url, "DFNS_API_URL")
    token = SecretStr(_required(settings.dfns_auth_token, "DFNS_AUTH_TOKEN"))
    cred_id = _required(settings.dfns_cred_id, "DFNS_CRED_ID")
    if settings.dfns_private_key_file is not None:
        return DfnsConfig.with_key_file(
            api_url=api_url,
            auth_token=token,
            cred_id=cred_id,
            private_key_file=settings.dfns_private_key_file,
        )
    key = SecretStr(_required(settings.dfns_private_key, "DFNS_PRIVATE_KEY"))
    return DfnsConfig(
        api_url=api_url, auth_token=token, cred_id=cred_id, private_key_pem=key
    )


@dataclass
class Wiring:
    adapters: dict[Provider, StakingAdapter] = field(default_factory=dict)
    allocation_adapters: dict[Provider, AllocationAdapter] = field(default_factory=dict)
    clients: list[httpx.AsyncClient] = field(default_factory=list)
    zerohash_webhook_secret: SecretStr | None = None
    zerohash_webhook_public_key: str | None = None
    stats: UpstreamStats = field(default_factory=UpstreamStats)


class _NoCookies(httpx.Cookies):
    def extract_cookies(self, response: httpx.Response) -> None:
        return None


# URLs remembered per provider client: a few endpoints times the identities asked for.
URLS_KEPT = 4096


def _url_key(url: object, params: object) -> tuple[str, tuple[object, ...]] | None:
    """What decides a request's URL, when it is plainly hashable: a str path and str
    or int parameters (a bool or a float would hash as an int and collide)."""
    if not isinstance(url, str):
        return None
    if params is None:
        return url, ()
    if not isinstance(params, Mapping):
        return None
    items = tuple(params.items())
    for name, value in items:
        if not isinstance(name, str) or type(value) not in (str, int):
            return None
    return url, items


class ProviderClient(httpx.AsyncClient):
    """An httpx client for one provider: it keeps no cookies, and builds each URL once.

    The providers authenticate by header, never by cookie, and reading each answer's
    Set-Cookie through http.cookiejar cost 3 % of a fan-out request's CPU; nor may a
    provider plant one we would send back. Merging a path and its parameters into the
    base URL is three passes of httpx's pure-Python URL parser, 7 % of a fan-out
    request's CPU; the same path and parameters always make the same URL."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._none_kept = _NoCookies()
        self._urls: dict[tuple[str, tuple[object, ...]], httpx.URL] = {}

    def build_request(
        self, method: str, url: httpx.URL | str, *, params: Any = None, **rest: Any
    ) -> httpx.Request:
        key = _url_key(url, params)
        if key is None:
            return super().build_request(method, url, params=params, **rest)
        known = self._urls.get(key)
        if known is not None:
            return super().build_request(method, known, **rest)
        request = super().build_request(method, url, params=params, **rest)
        if len(self._urls) >= URLS_KEPT:
            self._urls.clear()
        self._urls[key] = request.url
        return request

    @property
    def cookies(self) -> httpx.Cookies:
        return self._none_kept

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        raise TypeError("provider clients keep no cookies")


def _client(
    base_url: str,
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None,
    hooks: dict[str, list[Callable[..., Awaitable[None]]]],
    provider: Provider,
    tracing: bool,
) -> httpx.AsyncClient:
    # Each answer's size and its whole duration are capped: a provider cannot drip or
    # flood us into running out of time or memory. The pool does it itself; another
    # transport (a test's, a sandbox's) is wrapped in the guard that does the same.
    seconds = settings.provider_timeout_seconds
    inner = transport or UpstreamPool(
        max_connections=100,
        max_keepalive=50,
        max_bytes=DEFAULT_MAX_RESPONSE_BYTES,
        seconds=seconds,
    )
    if tracing:
        inner = otel.TracingTransport(inner, provider.value)
    guarded = inner if transport is None else GuardedTransport(inner, seconds=seconds)
    return ProviderClient(
        event_hooks=hooks,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        transport=guarded,
        timeout=httpx.Timeout(settings.provider_timeout_seconds),
        # A provider that redirects us is misconfigured or hostile: never follow.
        follow_redirects=False,
    )


def build_adapters(
    settings: Settings,
    sandboxes: Mapping[Provider, ProviderSandbox],
    transports: Mapping[Provider, httpx.AsyncBaseTransport] | None = None,
    *,
    tracing: bool = False,
) -> Wiring:
    transports = transports or {}
    wiring = Wiring()

    croc = crocante_config(settings, sandboxes.get(Provider.CROCANTE))
    client = _client(
        croc.base_url,
        settings,
        transports.get(Provider.CROCANTE),
        wiring.stats.hooks(Provider.CROCANTE),
        Provider.CROCANTE,
        tracing,
    )
    wiring.clients.append(client)
    croc_sandbox = sandboxes.get(Provider.CROCANTE)
    # A sandbox's clock runs ahead once advanced: judge redeemability by its time.
    croc_now = {"now": croc_sandbox.clock.now} if croc_sandbox is not None else {}
    wiring.adapters[Provider.CROCANTE] = CrocanteAdapter(client, croc, **croc_now)

    zh = zerohash_config(settings, sandboxes.get(Provider.ZEROHASH))
    client = _client(
        zh.base_url or "",
        settings,
        transports.get(Provider.ZEROHASH),
        wiring.stats.hooks(Provider.ZEROHASH),
        Provider.ZEROHASH,
        tracing,
    )
    wiring.clients.append(client)
    wiring.adapters[Provider.ZEROHASH] = ZerohashAdapter(client, zh)
    wiring.zerohash_webhook_secret = zh.webhook_secret
    wiring.zerohash_webhook_public_key = zh.webhook_public_key

    dfns = dfns_config(settings, sandboxes.get(Provider.DFNS))
    client = _client(
        dfns.api_url,
        settings,
        transports.get(Provider.DFNS),
        wiring.stats.hooks(Provider.DFNS),
        Provider.DFNS,
        tracing,
    )
    wiring.clients.append(client)
    dfns_sandbox = sandboxes.get(Provider.DFNS)
    dfns_adapter = DfnsAdapter(
        client,
        dfns,
        # A sandbox's rewards move with its simulated clock, and so do cached ones.
        **({"now": dfns_sandbox.clock.now} if dfns_sandbox is not None else {}),
        rewards_concurrency=DFNS_REWARDS_AT_ONCE,
        rewards_ttl_seconds=settings.dfns_rewards_cache_seconds,
        actions_ttl_seconds=settings.dfns_actions_cache_seconds,
    )
    wiring.adapters[Provider.DFNS] = dfns_adapter
    wiring.allocation_adapters[Provider.DFNS] = dfns_adapter
    return wiring


def webhook_addresses(settings: Settings) -> AddressPolicy:
    return AddressPolicy(
        allow_private=settings.webhook_allow_private,
        allow_loopback=settings.any_sandboxed,
    )


@dataclass
class ClientWebhooks:
    registry: WebhookRegistry
    sender: WebhookSender
    http: httpx.AsyncClient


def build_client_webhooks(
    settings: Settings, store: Store, feed: StatusFeed | None
) -> ClientWebhooks:
    """The client-webhook registry and sender, with the HTTP client they send with."""
    http = httpx.AsyncClient(
        # A receiver that redirects is not followed: the target would escape the check.
        follow_redirects=False,
        timeout=httpx.Timeout(settings.webhook_timeout_seconds),
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
    )
    addresses = webhook_addresses(settings)
    sender = WebhookSender(
        store,
        http,
        addresses=addresses,
        retry=RetryPolicy(
            base_seconds=settings.webhook_retry_base_seconds,
            window=timedelta(hours=settings.webhook_retry_hours),
        ),
        policy=SenderPolicy(
            poll_seconds=settings.webhook_poll_seconds,
            lease_ttl=settings.webhook_lease_seconds,
            timeout_seconds=settings.webhook_timeout_seconds,
        ),
    )
    if feed is not None:
        # What this replica records wakes its sender; another's, the next poll.
        feed.on_published.append(sender.wake)
    return ClientWebhooks(WebhookRegistry(store, addresses, sender), sender, http)
