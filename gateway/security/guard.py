"""The guard: who is calling, and whether they may call now.

Built by `create_app` from the settings (no I/O), opened and closed by the lifespan.
The view asks it to authenticate a bearer credential, to admit a request (token
bucket), to admit a WebSocket connection, and to resolve trusted-document ids.
"""

import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, TypeVar

from cross_web import AsyncHTTPRequestAdapter
from strawberry.http import GraphQLRequestData

from gateway.domain.caller import Caller
from gateway.security.connections import ConnectionLimiter
from gateway.security.documents import TrustedDocuments
from gateway.security.rate_limit import (
    BucketPolicy,
    MemoryRateLimiter,
    RateLimited,
    RateLimiter,
    create_rate_limiter,
)
from gateway.security.settings import SecuritySettings
from gateway.security.tokens import JwtConfig, JwtVerifier
from gateway.services.authentication import Authenticator

log = logging.getLogger("gateway.security")

App = TypeVar("App")
State = TypeVar("State")


class CallerSource(Protocol):
    """What the guard needs of the request's services (gateway.schema.context)."""

    authenticator: Authenticator


class Guard:
    def __init__(
        self,
        *,
        jwt: JwtVerifier | None = None,
        limiter: RateLimiter | None = None,
        connections: ConnectionLimiter | None = None,
        documents: TrustedDocuments | None = None,
    ) -> None:
        self.jwt = jwt
        self.limiter = limiter or MemoryRateLimiter(BucketPolicy(rate=0, burst=1))
        self.connections = connections or ConnectionLimiter(0)
        self.documents = documents

    @classmethod
    def from_settings(
        cls, settings: SecuritySettings, *, redis_url: str | None
    ) -> "Guard":
        jwt_config = JwtConfig(
            secret=settings.jwt_secret,
            jwks=settings.jwks,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            prefix_claim=settings.jwt_prefix_claim,
            leeway_seconds=settings.jwt_leeway_seconds,
            jwks_cache_seconds=settings.jwks_cache_seconds,
        )
        policy = BucketPolicy(
            rate=settings.rate_limit_per_second, burst=settings.rate_limit_burst
        )
        return cls(
            jwt=JwtVerifier(jwt_config) if jwt_config.enabled else None,
            limiter=create_rate_limiter(
                policy, redis_url, prefix=settings.rate_limit_prefix
            ),
            connections=ConnectionLimiter(settings.max_connections_per_client),
            documents=(
                TrustedDocuments.load(settings.trusted_documents)
                if settings.trusted_documents
                else None
            ),
        )

    async def open(self) -> None:
        if self.jwt is not None:
            await self.jwt.open()

    async def close(self) -> None:
        if self.jwt is not None:
            await self.jwt.close()
        await self.limiter.close()

    async def authenticate(self, services: CallerSource, token: str) -> Caller | None:
        """An API key, else a JWT naming a client: through the services' one cache."""
        return await services.authenticator.authenticate(token, self.jwt)

    async def admit(self, caller: Caller) -> None:
        """Takes a token from the caller's bucket; raises `RateLimited` when empty."""
        decision = await self.limiter.acquire(caller.client_id)
        if not decision.allowed:
            raise RateLimited(decision.retry_after)

    def claim_connection(self, caller: Caller) -> bool:
        return self.connections.claim(caller.client_id)

    async def resolve_documents(
        self,
        request: AsyncHTTPRequestAdapter,
        data: GraphQLRequestData | list[GraphQLRequestData],
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if self.documents is None:
            return data
        if isinstance(data, list):
            return [await self.documents.resolve(request, item) for item in data]
        return await self.documents.resolve(request, data)


def secured_lifespan(
    lifespan: Callable[[App], AbstractAsyncContextManager[State]],
    guard: Guard,
    *,
    production: bool,
    sandboxed: Iterable[object] = (),
) -> Callable[[App], AbstractAsyncContextManager[State]]:
    """The app's lifespan, with the guard opened around it and production warnings."""
    on_sandbox = sorted(str(getattr(p, "value", p)) for p in sandboxed)

    @asynccontextmanager
    async def wrapped(app: App) -> AsyncIterator[State]:
        if production and on_sandbox:
            log.warning(
                "GATEWAY_ENV=production, but %s run on embedded sandboxes: no real "
                "provider is called. Set their *_API_URL and credentials for a live "
                "deployment.",
                ", ".join(on_sandbox),
            )
        await guard.open()
        try:
            async with lifespan(app) as state:
                yield state
        finally:
            await guard.close()

    return wrapped
