"""`/healthz` (the process answers) and `/readyz` (database, bus and each provider)."""

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.domain.enums import ProviderState
from gateway.schema.context import Services

READY_TIMEOUT_SECONDS = 3.0


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def _check(name: str, probe: "asyncio.Future[None] | object") -> tuple[str, str]:
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await probe  # type: ignore[misc]
    except Exception as exc:  # readiness reports any failure; it must not raise
        return name, f"down: {type(exc).__name__}"
    return name, "up"


async def readyz(request: Request) -> JSONResponse:
    services: Services = request.state.services
    checks = dict(
        await asyncio.gather(
            _check("database", services.database.ping()),
            _check("bus", services.bus.ping()),
        )
    )
    reports = await services.providers.health()
    providers = {
        r.provider.value: {"state": r.state.value, "lastError": r.last_error}
        for r in reports
        if r.last_error != "not configured"
    }
    # The gateway serves with a provider down (that provider's part fails alone),
    # but not without its database or bus.
    ready = all(v == "up" for v in checks.values())
    degraded = any(p["state"] != ProviderState.UP.value for p in providers.values())
    return JSONResponse(
        {
            "status": "ready" if ready else "not ready",
            "degraded": degraded,
            "checks": checks,
            "providers": providers,
        },
        status_code=200 if ready else 503,
    )
