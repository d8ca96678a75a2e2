"""Candidate gateway changes, applied in the gateway process for a before/after run.

Each is done by patching at start-up so the gateway's own files stay untouched:
`aiohttp` (httpx-aiohttp as the upstream transport, instead of httpx's default pool,
encode/httpx#3215), `access-log` (uvicorn's access log on, which `serve` leaves
off) and `no-sharing` (in-flight read sharing off). orjson bodies, the
parser/validation caches and remembered bearer keys, measured here first, are in the
gateway since commit e0e3c03.
"""

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from gateway.domain.enums import Provider

KNOWN = ("aiohttp", "access-log", "no-sharing")


@dataclass
class Options:
    transports: Mapping[Provider, httpx.AsyncBaseTransport] | None = None
    access_log: bool = False
    applied: list[str] = field(default_factory=list)


def _aiohttp() -> dict[Provider, httpx.AsyncBaseTransport]:
    from httpx_aiohttp import AiohttpTransport

    return {provider: AiohttpTransport() for provider in Provider}


def _no_sharing() -> None:
    """Identical reads in flight no longer share one call: what distinct clients see
    whatever the concurrency (as `../shared/peer`'s A0 runs it)."""
    from gateway.services import coalescing

    async def unshared(
        self: coalescing.Coalescer,
        key: Hashable,
        fn: Callable[[], Awaitable[Any]],
        on_shared: Callable[[], None] | None = None,
    ) -> Any:
        return await fn()

    coalescing.Coalescer.run = unshared  # type: ignore[method-assign]


def apply_variants(names: Sequence[str]) -> Options:
    options = Options()
    for name in names:
        if name not in KNOWN:
            raise SystemExit(f"unknown variant {name!r}; known: {', '.join(KNOWN)}")
        if name == "aiohttp":
            options.transports = _aiohttp()
        elif name == "access-log":
            options.access_log = True
        elif name == "no-sharing":
            _no_sharing()
        options.applied.append(name)
    return options
