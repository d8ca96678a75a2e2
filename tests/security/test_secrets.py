"""Secrets: a gateway holding known provider credentials is exercised end to end (reads,
writes, a provider down, a provider refusing our credentials, a forged webhook, a bug
in an adapter); no credential appears in any log line, on stderr, in /metrics or in any
answer, and an unexpected error reaches the client masked."""

import base64
import logging
from contextlib import aclosing

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from gateway.domain.enums import Provider
from providers.crocante.sandbox import CrocanteSandbox
from providers.dfns.sandbox import DfnsSandbox
from providers.sandbox_kit import SimulatedClock
from providers.zerohash.sandbox import ZerohashSandbox
from tests.gateway.clients import new_client
from tests.gateway.conftest import DEMO_KEY
from tests.ports import loopback_socket, port_of
from tests.security.wiring import post, start_secure_gateway

CROCANTE_PASSWORD = "croc-pass-Zq8xV3nLw2Pk9sR4"
CROCANTE_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ZEROHASH_KEY = "zh-api-key-7Hc2Lq9Vx4Nw"
ZEROHASH_SECRET = base64.b64encode(b"zh-api-secret-Rt5Yp8Kd3Mz6Qw1B").decode()
ZEROHASH_PASSPHRASE = "zh-passphrase-Ux4Ho9Je2Sa7"
ZEROHASH_WEBHOOK = "zh-webhook-secret-Gm3Vf8Tc1Kp6"
DFNS_TOKEN = "dfns-token-Wb7Nc2Xq5Lr8Ye3Zt"

QUERIES = [
    "{ stakes(first: 100) { edges { node { id status amount } } providerFailures "
    "{ provider code message } } }",
    "{ rewards(first: 50) { edges { node { id amount } } providerFailures { code message } } }",
    "{ allocations { edges { node { id } } providerFailures { code message } } }",
    "{ portfolio { stakeCount providerFailures { code message } } }",
    "{ stakingProducts { id providerProductId } }",
    "{ providers { provider state lastError } }",
]
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id } userErrors { code message } } }"""
ACCEPT = (
    "mutation { acceptStakingTerms(provider: ZEROHASH) { userErrors { message } } }"
)
PRODUCTS = "{ stakingProducts { id provider providerProductId protocol } }"


class Deep(httpx.AsyncBaseTransport):
    """Crocante over its sandbox, except that `redeemed` may answer absurdly deep JSON."""

    def __init__(self, sandbox) -> None:
        app = Starlette(routes=[Mount("/sandbox/crocante", app=sandbox.app)])
        self.inner = httpx.ASGITransport(app=app)
        self.hostile = False

    async def handle_async_request(self, request):
        if self.hostile and request.url.path.endswith("/staking/redeemed"):
            return httpx.Response(200, content=b"[" * 50_000 + b"]" * 50_000)
        return await self.inner.handle_async_request(request)


def secrets_of(sandboxes, extra: list[str]) -> list[str]:
    found = list(extra)
    for provider, sandbox in sandboxes.items():
        config = sandbox.gateway_config("http://x/")
        for name in (
            "password",
            "totp_secret",
            "api_secret",
            "passphrase",
            "webhook_secret",
            "auth_token",
            "private_key_pem",
        ):
            value = getattr(config, name, None)
            if value is not None:
                found.append(value.get_secret_value())
        if provider is Provider.ZEROHASH:
            found.append(config.api_key)
        if provider is Provider.DFNS:
            pem = config.private_key_pem.get_secret_value()
            found += [
                line for line in pem.splitlines() if len(line) >= 16 and "-" not in line
            ]
    found.append(base64.b64decode(ZEROHASH_SECRET).decode())
    return [s for s in found if s]


@pytest.fixture
def sandboxes():
    return {
        Provider.CROCANTE: CrocanteSandbox(
            clock=SimulatedClock(),
            password=CROCANTE_PASSWORD,
            totp_secret=CROCANTE_TOTP,
        ),
        Provider.ZEROHASH: ZerohashSandbox(
            clock=SimulatedClock(),
            api_key=ZEROHASH_KEY,
            api_secret=ZEROHASH_SECRET,
            passphrase=ZEROHASH_PASSPHRASE,
            webhook_secret=ZEROHASH_WEBHOOK,
            retry_base_delay=0.05,
        ),
        Provider.DFNS: DfnsSandbox(clock=SimulatedClock(), auth_token=DFNS_TOKEN),
    }


async def exercise(gateway, sandboxes, deep: Deep) -> list[str]:
    """Everything a day brings; returns every answer the clients got."""
    answers: list[str] = []

    async def ask(query, variables=None, key=DEMO_KEY):
        response = await post(gateway, query, variables, key=key)
        answers.append(response.text)
        return response.json()

    for query in QUERIES:
        await ask(query)
    products = (await ask(PRODUCTS))["data"]["stakingProducts"]
    by_id = {(p["provider"], p["providerProductId"]): p["id"] for p in products}
    eth = next(
        p["id"]
        for p in products
        if p["provider"] == "DFNS" and p["protocol"] == "Ethereum"
    )
    await ask(ACCEPT)
    for product, amount in (
        (by_id[("CROCANTE", "stake_eth_variable")], "1"),
        (by_id[("ZEROHASH", "ETH")], "0.5"),
        (eth, "1.5"),
    ):
        await ask(CREATE, {"input": {"productId": product, "amount": amount}})
    stranger = await new_client(gateway, "stranger", {Provider.CROCANTE: ["nobody"]})
    await ask(QUERIES[0], key=stranger)
    answers.append((await post(gateway, QUERIES[0], key="sgw_wrong_key")).text)
    # A provider down, another failing every write.
    sandboxes[Provider.ZEROHASH].faults.update(latency_ms=0, error_rate=0, down=True)
    sandboxes[Provider.DFNS].faults.update(latency_ms=0, error_rate=1.0, down=False)
    for query in QUERIES:
        await ask(query)
    await ask(CREATE, {"input": {"productId": eth, "amount": "1.5"}})
    # A provider refusing our credentials: its password changed under us.
    sandboxes[Provider.CROCANTE].password = "rotated-elsewhere"
    await ask(QUERIES[0])
    await ask(
        CREATE,
        {
            "input": {
                "productId": by_id[("CROCANTE", "stake_eth_variable")],
                "amount": "1",
            }
        },
    )
    sandboxes[Provider.CROCANTE].password = CROCANTE_PASSWORD
    # A forged webhook.
    forged = await gateway.http.post(
        "/webhooks/zerohash",
        content=b'{"event_id":"e1"}',
        headers={"X-SCX-SIGNATURE": "forged", "X-SCX-TIMESTAMP": "1"},
    )
    answers.append(forged.text)
    # Hostile JSON (nested past the recursion limit): that provider's part fails alone.
    deep.hostile = True
    bug = await ask(
        "{ stakes(first: 5, filter: {provider: [CROCANTE]}) { edges { cursor } "
        "providerFailures { provider code message } } }"
    )
    deep.hostile = False
    answers.append((await gateway.http.get("/metrics")).text)
    answers.append((await gateway.http.get("/readyz")).text)
    return answers, bug


async def test_no_configured_secret_appears_in_logs_stderr_metrics_or_answers(
    tmp_path, sandboxes, caplog, capfd
):
    caplog.set_level(logging.DEBUG)
    listening = loopback_socket()
    port = port_of(listening)
    sandboxes[
        Provider.ZEROHASH
    ].webhook_url = f"http://127.0.0.1:{port}/webhooks/zerohash"
    deep = Deep(sandboxes[Provider.CROCANTE])
    client_keys = []
    settings_secrets = {
        "CROCANTE_PASSWORD": CROCANTE_PASSWORD,
        "CROCANTE_TOTP_SECRET": CROCANTE_TOTP,
        "ZEROHASH_API_KEY": ZEROHASH_KEY,
        "ZEROHASH_API_SECRET": ZEROHASH_SECRET,
        "ZEROHASH_PASSPHRASE": ZEROHASH_PASSPHRASE,
        "ZEROHASH_WEBHOOK_SECRET": ZEROHASH_WEBHOOK,
        "DFNS_AUTH_TOKEN": DFNS_TOKEN,
    }
    running = start_secure_gateway(
        tmp_path,
        {"sandboxes": sandboxes, "transports": {Provider.CROCANTE: deep}},
        listening=listening,
        log_level="debug",
        **settings_secrets,
    )
    async with aclosing(running):
        async for gateway in running:
            answers, bug = await exercise(gateway, sandboxes, deep)
            client_keys.append(DEMO_KEY)
    secrets = secrets_of(sandboxes, [*settings_secrets.values(), *client_keys])
    assert len(secrets) >= 10
    captured = capfd.readouterr()
    logs = caplog.text
    assert "HTTP Request" in logs or "Request" in logs, "nothing was logged at all"
    for secret in secrets:
        assert secret not in logs, f"a secret is in the logs: {secret[:6]}…"
        assert secret not in captured.err and secret not in captured.out, secret[:6]
        for answer in answers:
            assert secret not in answer, secret[:6]
    for answer in answers:
        assert "Traceback" not in answer and 'File "' not in answer
        assert "RecursionError" not in answer and "maximum recursion" not in answer
    # It reached the client as that provider's failure, without the parser's message.
    assert "errors" not in bug
    failures = bug["data"]["stakes"]["providerFailures"]
    assert [(f["provider"], f["code"]) for f in failures] == [
        ("CROCANTE", "BAD_RESPONSE")
    ]
