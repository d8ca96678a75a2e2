"""Hostile or scripted Zerohash answers, for what the sandbox never says."""

import json
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr

from providers.zerohash import ZerohashAdapter, ZerohashConfig
from tests.providers.zerohash.helpers import API_KEY, API_SECRET, PASSPHRASE

CREATED = "2026-03-01T10:00:00Z"


def config() -> ZerohashConfig:
    return ZerohashConfig(
        api_key=API_KEY,
        api_secret=SecretStr(API_SECRET),
        passphrase=SecretStr(PASSPHRASE),
        webhook_secret=SecretStr("whsec"),
    )


def stake_json(**overrides: Any) -> dict[str, Any]:
    stake = {
        "stake_id": "stake-1",
        "participant_code": "CUST01",
        "asset": "ETH",
        "quantity": "10.5",
        "current_quantity": "10.52",
        "status": "staked",
        "apy": "3.85",
        "total_rewards_earned": "0.02",
        "created_at": CREATED,
        "activated_at": "2026-03-02T10:00:00Z",
        "validator_info": {"provider": "X", "validator_id": "validator_abc123"},
    }
    return {**stake, **overrides}


def wrapped(message: Any, **extra: Any) -> dict[str, Any]:
    return {"request_id": "req-1", "message": message, **extra}


class Script:
    """Answers each request with the next response; records the requests."""

    def __init__(
        self, *answers: httpx.Response | Callable[[httpx.Request], Any]
    ) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if callable(answer):
            return answer(request)
        return answer

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


def ok(payload: Any) -> httpx.Response:
    return httpx.Response(200, json=payload)


def adapter_for(client: httpx.AsyncClient) -> ZerohashAdapter:
    return ZerohashAdapter(client, config(), retry_base_delay=0)


def mock_client(script: Script) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.MockTransport(script), base_url="http://zh"
    )
