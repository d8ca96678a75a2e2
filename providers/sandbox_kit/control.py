"""The `/_sandbox/clock` and `/_sandbox/faults` routes, and the app shell every sandbox uses."""

import json
from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from providers.sandbox_kit.clock import SimulatedClock
from providers.sandbox_kit.faults import FaultInjectionMiddleware, Faults


async def _json_object(request: Request) -> dict[str, Any] | JSONResponse:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return JSONResponse({"error": "body is not JSON"}, status_code=400)
    if not isinstance(body, dict):
        return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
    return body


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def control_routes(clock: SimulatedClock, faults: Faults) -> list[BaseRoute]:
    async def clock_endpoint(request: Request) -> JSONResponse:
        if request.method == "POST":
            body = await _json_object(request)
            if isinstance(body, JSONResponse):
                return body
            seconds = _number(body.get("advance_seconds"))
            if seconds is None or seconds < 0:
                return JSONResponse(
                    {"error": "advance_seconds must be a non-negative number"},
                    status_code=400,
                )
            await clock.advance(seconds)
        return JSONResponse(
            {"now": clock.now().isoformat(), "time_scale": clock.time_scale}
        )

    async def faults_endpoint(request: Request) -> JSONResponse:
        if request.method == "POST":
            body = await _json_object(request)
            if isinstance(body, JSONResponse):
                return body
            latency = _number(body.get("latency_ms", 0))
            error_rate = _number(body.get("error_rate", 0))
            down = body.get("down", False)
            hold = body.get("hold", False)
            if (
                latency is None
                or error_rate is None
                or not isinstance(down, bool)
                or not isinstance(hold, bool)
            ):
                return JSONResponse(
                    {
                        "error": "expected latency_ms (number), error_rate (0.0-1.0), "
                        "down (bool), hold (bool)"
                    },
                    status_code=400,
                )
            try:
                faults.update(latency_ms=latency, error_rate=error_rate, down=down)
            except ValueError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
            # Held, the sandbox's clock stands still: nothing in flight moves on.
            clock.hold(hold)
        return JSONResponse({**faults.as_dict(), "hold": clock.held})

    return [
        Route("/_sandbox/clock", clock_endpoint, methods=["GET", "POST"]),
        Route("/_sandbox/faults", faults_endpoint, methods=["GET", "POST"]),
    ]


def sandbox_app(
    routes: Sequence[BaseRoute], clock: SimulatedClock, faults: Faults
) -> Starlette:
    """A provider sandbox: its own routes, the control routes, and fault injection."""
    return Starlette(
        routes=[*routes, *control_routes(clock, faults)],
        middleware=[Middleware(FaultInjectionMiddleware, faults=faults)],
    )
