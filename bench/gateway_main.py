"""The gateway under test, as `serve` runs it (one process, one uvicorn worker), but with
its providers at the bench's sandbox host.

Dfns and Zerohash are configured as external APIs (their `*_API_URL` and credentials);
Crocante is given as an in-process sandbox object holding the host's password, because
only sandbox mode serves every Crocante user (`login_any_owner`). Its base URL derives
from GATEWAY_PUBLIC_URL, which therefore names the sandbox host; the gateway's own
sandboxes are never called.

`--variant` applies a candidate gateway change for a before/after measurement (see
`bench/variants.py`); the gateway's code is not edited.
"""

import argparse
from pathlib import Path

import uvicorn

from bench.creds import BenchCredentials
from bench.variants import apply_variants
from gateway.app import create_app
from gateway.cli import freeze_startup_heap
from gateway.domain.enums import Provider
from gateway.logs import configure_logging
from gateway.settings import Settings
from providers.crocante.sandbox import CrocanteSandbox


def settings_for(creds: BenchCredentials, upstream: str, database_url: str) -> Settings:
    upstream = upstream.rstrip("/")
    return Settings(
        DATABASE_URL=database_url,
        GATEWAY_PUBLIC_URL=upstream,
        DFNS_API_URL=f"{upstream}/sandbox/dfns/",
        DFNS_AUTH_TOKEN=creds.dfns_auth_token,
        DFNS_CRED_ID=creds.dfns_cred_id,
        DFNS_PRIVATE_KEY=creds.dfns_private_pem,
        ZEROHASH_API_URL=f"{upstream}/sandbox/zerohash/",
        ZEROHASH_API_KEY=creds.zerohash_api_key,
        ZEROHASH_API_SECRET=creds.zerohash_api_secret,
        ZEROHASH_PASSPHRASE=creds.zerohash_passphrase,
        ZEROHASH_WEBHOOK_SECRET=creds.zerohash_webhook_secret,
        # The background poller would add its own upstream calls to the per-request
        # counts; the scenarios measure requests, subscriptions and webhooks.
        WATCHER_ENABLED=False,
        # One benchmark client sends thousands of requests a second: measure the gateway,
        # not its per-client throttle (and subscriptions beyond the per-client cap).
        GATEWAY_RATE_LIMIT_PER_SECOND=0,
        GATEWAY_MAX_CONNECTIONS_PER_CLIENT=0,
        # S8's receiver is the bench's own, on loopback.
        GATEWAY_WEBHOOK_ALLOW_PRIVATE=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--creds", type=Path, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--variant", action="append", default=[])
    args = parser.parse_args()
    creds = BenchCredentials.load(args.creds)
    options = apply_variants(args.variant)
    app = create_app(
        settings_for(creds, args.upstream, args.database_url),
        # As `serve` does once started.
        on_ready=lambda _: freeze_startup_heap(),
        sandboxes={
            Provider.CROCANTE: CrocanteSandbox(password=creds.crocante_password)
        },
        transports=options.transports,
    )
    configure_logging("info", "json")
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        # As `staking-gateway serve` runs it: its logging, no access log (unless the
        # `access-log` variant measures what one costs).
        log_config=None,
        log_level="info",
        access_log=options.access_log,
        ws_per_message_deflate=False,
    )


if __name__ == "__main__":
    main()
