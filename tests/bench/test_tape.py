"""The bench's tape: recorded GET answers replayed, counted as the sandbox counts them."""

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from bench.counting import CallCounter
from bench.tape import Tape
from providers.sandbox_kit.faults import Faults


def _host() -> tuple[Tape, CallCounter, list[str]]:
    reached: list[str] = []

    async def stakes(request: Request) -> JSONResponse:
        reached.append(f"{request.method} {request.url.path}?{request.url.query}")
        return JSONResponse({"n": len(reached)})

    async def missing(request: Request) -> JSONResponse:
        reached.append(request.url.path)
        return JSONResponse({"error": "no"}, status_code=404)

    inner = Starlette(
        routes=[
            Route("/stakes", stakes, methods=["GET", "POST"]),
            Route("/missing", missing),
        ]
    )
    counter = CallCounter()
    app = Starlette(routes=[Mount("/sandbox/dfns", app=counter.wrap(inner))])
    return Tape(app, {"dfns": counter}, {"dfns": Faults()}), counter, reached


def _client(tape: Tape) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(tape), base_url="http://t")


async def test_a_recorded_get_is_replayed_without_reaching_the_sandbox() -> None:
    tape, counter, reached = _host()
    async with _client(tape) as http:
        tape.set_mode("record")
        first = (await http.get("/sandbox/dfns/stakes", params={"limit": 5})).json()
        tape.set_mode("replay")
        again = [
            (await http.get("/sandbox/dfns/stakes", params={"limit": 5})).json()
            for _ in range(3)
        ]
    assert first == {"n": 1} and again == [first] * 3
    assert reached == ["GET /sandbox/dfns/stakes?limit=5"]
    assert counter.calls == {"GET /sandbox/dfns/stakes": 4}
    assert tape.replayed == 3


async def test_other_queries_errors_and_writes_still_reach_the_sandbox() -> None:
    tape, _, reached = _host()
    async with _client(tape) as http:
        tape.set_mode("record")
        await http.get("/sandbox/dfns/stakes", params={"limit": 5})
        await http.get("/sandbox/dfns/missing")
        tape.set_mode("replay")
        other = await http.get("/sandbox/dfns/stakes", params={"limit": 6})
        missing = await http.get("/sandbox/dfns/missing")
        posted = await http.post("/sandbox/dfns/stakes")
    assert other.json() == {"n": 3} and missing.status_code == 404
    assert posted.json() == {"n": 5}
    assert len(reached) == 5


async def test_off_forgets_the_tape_and_passes_everything_through() -> None:
    tape, _, reached = _host()
    async with _client(tape) as http:
        tape.set_mode("record")
        await http.get("/sandbox/dfns/stakes")
        assert tape.set_mode("off")["answers"] == 0
        tape.set_mode("replay")
        answer = (await http.get("/sandbox/dfns/stakes")).json()
    assert answer == {"n": 2} and len(reached) == 2
