"""Candidate gateway changes, applied in the gateway process for a before/after run.

Each is done by patching at start-up so the gateway's own files stay untouched:
`aiohttp` (httpx-aiohttp as the upstream transport, instead of httpx's default pool,
encode/httpx#3215) and `access-log` (uvicorn's access log on, which `serve` leaves
off). orjson bodies, the parser/validation caches and remembered bearer keys, measured
here first, are in the gateway since commit e0e3c03.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import httpx

from gateway.domain.enums import Provider

KNOWN = ("aiohttp", "access-log")


@dataclass
class Options:
    transports: Mapping[Provider, httpx.AsyncBaseTransport] | None = None
    access_log: bool = False
    applied: list[str] = field(default_factory=list)


def _aiohttp() -> dict[Provider, httpx.AsyncBaseTransport]:
    from httpx_aiohttp import AiohttpTransport

    return {provider: AiohttpTransport() for provider in Provider}


def apply_variants(names: Sequence[str]) -> Options:
    options = Options()
    for name in names:
        if name not in KNOWN:
            raise SystemExit(f"unknown variant {name!r}; known: {', '.join(KNOWN)}")
        if name == "aiohttp":
            options.transports = _aiohttp()
        elif name == "access-log":
            options.access_log = True
        options.applied.append(name)
    return options
