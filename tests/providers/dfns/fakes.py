"""A scripted Dfns for `httpx.MockTransport`: it serves the user-action endpoints like
Dfns and hands every other request to the test's handler, recording all of them."""

import json
from collections.abc import Callable
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from pydantic import SecretStr

from providers.dfns import DfnsAdapter, DfnsConfig

CRED_ID = "cr-fake0-fake0-fakefakefakefake"
CHALLENGE = "Y2hhbGxlbmdl"
NOW = "2026-01-02T03:04:05.678Z"


def config(
    base_url: str = "http://dfns", key: ed25519.Ed25519PrivateKey | None = None
) -> DfnsConfig:
    key = key or ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return DfnsConfig(
        api_url=base_url,
        auth_token=SecretStr("token-1"),
        cred_id=CRED_ID,
        private_key_pem=SecretStr(pem),
    )


def challenge_body(cred_id: str = CRED_ID) -> dict[str, Any]:
    return {
        "challenge": CHALLENGE,
        "challengeIdentifier": "chl-1",
        "allowCredentials": {
            "key": [{"type": "public-key", "id": cred_id}],
            "webauthn": [],
        },
        "supportedCredentialKinds": [
            {"kind": "Key", "factor": "Either", "requiresSecondFactor": False}
        ],
    }


def stake_json(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "stk-aaaaa-bbbbb-cccccccccccccccc",
        "walletId": "wa-owner-00000-00000000000000",
        "provider": "Figment",
        "status": "Active",
        "requester": {"userId": "us-1", "tokenId": "to-1"},
        "requestBody": {
            "protocol": "Ethereum",
            "walletId": "wa-owner-00000-00000000000000",
            "provider": "Figment",
            "amount": "32000000000000000000",
        },
        "dateCreated": NOW,
        "protocol": "Ethereum",
        "data": None,
        "actions": [],
    }
    body.update(overrides)
    return body


class FakeDfns:
    def __init__(
        self,
        handler: Callable[[httpx.Request], httpx.Response],
        *,
        init: Callable[[httpx.Request], httpx.Response] | None = None,
        complete: Callable[[httpx.Request], httpx.Response] | None = None,
    ) -> None:
        self.handler = handler
        self.init = init or (lambda _: httpx.Response(200, json=challenge_body()))
        self.complete = complete or (
            lambda _: httpx.Response(200, json={"userAction": "ua-1"})
        )
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/api")
        if path == "/auth/action/init":
            return self.init(request)
        if path == "/auth/action":
            return self.complete(request)
        return self.handler(request)

    def bodies(self, path: str) -> list[dict[str, Any]]:
        return [
            json.loads(r.content) for r in self.requests if r.url.path.endswith(path)
        ]


def adapter_for(
    fake: FakeDfns, base_url: str = "http://dfns", **kwargs: Any
) -> tuple[DfnsAdapter, httpx.AsyncClient]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(fake), base_url=base_url)
    return DfnsAdapter(http, config(base_url, **kwargs)), http
