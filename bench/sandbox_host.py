"""The three provider sandboxes in one process with known credentials and call counters.

`python -m bench.sandbox_host --port P --creds FILE --gateway-url URL` serves them at
/sandbox/{dfns,zerohash,crocante}/ (where the gateway's adapters reach them) and
`/_bench/counts` (GET: calls per provider and endpoint; POST: reset),
`/_bench/population` (POST `{"count": N}`: N clients' own identities, seeded once; see
`bench/population.py`) and `/_bench/tape` (POST `{"mode": "off|record|replay"}`: see
`bench/tape.py`).
"""

import argparse
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from bench.counting import CallCounter
from bench.creds import BenchCredentials
from bench.population import Population
from bench.tape import Tape
from providers.crocante.sandbox import CrocanteSandbox
from providers.dfns.sandbox import DfnsSandbox
from providers.sandbox_kit.lifecycle import running
from providers.sandbox_kit.protocol import ProviderSandbox
from providers.zerohash.sandbox import ZerohashSandbox


def build_sandboxes(
    creds: BenchCredentials, gateway_url: str
) -> dict[str, ProviderSandbox]:
    return {
        "dfns": DfnsSandbox(
            auth_token=creds.dfns_auth_token,
            credentials={creds.dfns_cred_id: creds.dfns_public_pem},
        ),
        "zerohash": ZerohashSandbox(
            api_key=creds.zerohash_api_key,
            api_secret=creds.zerohash_api_secret,
            passphrase=creds.zerohash_passphrase,
            webhook_secret=creds.zerohash_webhook_secret,
            webhook_url=f"{gateway_url.rstrip('/')}/webhooks/zerohash",
            # The bench's own load must not trip the sandbox's rate limiter.
            rate_limit=10**9,
        ),
        "crocante": CrocanteSandbox(password=creds.crocante_password),
    }


def build_host(sandboxes: dict[str, ProviderSandbox]) -> Tape:
    counters = {name: CallCounter() for name in sandboxes}
    population = Population(sandboxes)

    async def counts(request: Request) -> JSONResponse:
        if request.method == "POST":
            for counter in counters.values():
                counter.reset()
        return JSONResponse({n: dict(c.calls) for n, c in counters.items()})

    async def info(request: Request) -> JSONResponse:
        return JSONResponse({n: list(s.demo_owners) for n, s in sandboxes.items()})

    async def populate(request: Request) -> JSONResponse:
        count = int((await request.json())["count"])
        return JSONResponse(population.ensure(count))

    zerohash_webhooks = getattr(sandboxes.get("zerohash"), "webhooks", None)
    webhook_url = zerohash_webhooks.url if zerohash_webhooks else None

    async def webhooks(request: Request) -> JSONResponse:
        # Off while a scenario moves Zerohash's clock a year (S9): its tens of thousands
        # of reward webhooks would load the gateway during the measurement.
        if zerohash_webhooks is None:
            return JSONResponse({"error": "no zerohash sandbox"}, status_code=404)
        send = bool((await request.json())["send"])
        if not send:  # what was published so far still goes out first
            await zerohash_webhooks.drain()
        zerohash_webhooks.url = webhook_url if send else None
        return JSONResponse({"send": send, "dropped": zerohash_webhooks.dropped})

    async def taping(request: Request) -> JSONResponse:
        return JSONResponse(tape.set_mode(str((await request.json())["mode"])))

    routes = [
        Route("/_bench/counts", counts, methods=["GET", "POST"]),
        Route("/_bench/info", info),
        Route("/_bench/population", populate, methods=["POST"]),
        Route("/_bench/tape", taping, methods=["POST"]),
        Route("/_bench/zerohash-webhooks", webhooks, methods=["POST"]),
        *(
            Mount(f"/sandbox/{name}", app=counters[name].wrap(sandbox.app))
            for name, sandbox in sandboxes.items()
        ),
    ]
    app = Starlette(routes=routes, lifespan=lambda _: running(sandboxes.values()))
    tape = Tape(app, counters, {n: s.faults for n, s in sandboxes.items()})
    return tape


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--creds", type=Path, required=True)
    parser.add_argument("--gateway-url", required=True)
    args = parser.parse_args()
    creds = BenchCredentials.load(args.creds)
    app = build_host(build_sandboxes(creds, args.gateway_url))
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        # Providers' load balancers keep idle connections about a minute; uvicorn's 5 s
        # default would make the gateway's pooled connections go stale between bursts.
        timeout_keep_alive=120,
    )


if __name__ == "__main__":
    main()
