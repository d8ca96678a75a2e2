"""Typed calls to the Zerohash staking API on an injected `httpx.AsyncClient`.

The caller sets the client's base URL (it may carry a mount prefix); every call here is
signed by `ZerohashAuth` except `GET /time`. Bodies are serialized once, compactly, and
sent as those exact bytes. Each call carries an X-REQUEST-ID, reused on every retry so a
replayed mutation is not acted on twice.
"""

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from gateway.domain.enums import UserErrorCode
from providers.base import (
    ProviderAuthError,
    ProviderRejected,
    ProviderUnavailable,
    translate_transport_errors,
    unavailable_for_status,
)
from providers.zerohash import parsing as p
from providers.zerohash.auth import ZerohashAuth
from providers.zerohash.config import ZerohashConfig
from providers.zerohash.models import (
    AssetInfo,
    Balance,
    ErrorBody,
    Pagination,
    ParticipantInfo,
    RewardRecord,
    StakeRecord,
    StakingInfo,
    UnstakeRecord,
)
from providers.zerohash.rules import user_error_code

PAGE_LIMIT = 100
# A provider that keeps saying "more pages" past this is answering garbage.
MAX_PAGES = 1000
MAX_RETRY_DELAY = 5.0
Params = Mapping[str, str | int]


def segment(value: str) -> str:
    return quote(value, safe="")


def unwrap(payload: Mapping[str, Any]) -> Any:
    """The `message` of a `{request_id, message}` answer (the beta shows some bare)."""
    message = payload.get("message")
    return payload if message is None or isinstance(message, str) else message


class ZerohashClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        config: ZerohashConfig,
        *,
        attempts: int = 3,
        retry_base_delay: float = 0.25,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = http
        self._auth = ZerohashAuth(
            config.api_key,
            config.api_secret,
            config.passphrase,
            mount_path=http.base_url.raw_path,
            wall_clock=wall_clock,
        )
        self._attempts = max(1, attempts)
        self._retry_base_delay = retry_base_delay
        self._sleep = sleep

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Mapping[str, Any] | None = None,
        request_id: str | None = None,
        signed: bool = True,
        missing_ok: bool = False,
    ) -> dict[str, Any] | None:
        headers = {"X-REQUEST-ID": request_id or str(uuid.uuid4())}
        content = None
        if method != "GET":
            content = json.dumps(body or {}, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(self._attempts):
            try:
                with translate_transport_errors(p.PROVIDER):
                    response = await self._http.request(
                        method,
                        path,
                        params=params,
                        content=content,
                        headers=headers,
                        auth=self._auth if signed else None,
                    )
                return self._read(response, missing_ok=missing_ok)
            except ProviderUnavailable as exc:
                if attempt + 1 >= self._attempts:
                    raise
                delay = exc.retry_after
                if delay is None:
                    delay = self._retry_base_delay * 2**attempt
                await self._sleep(min(delay, MAX_RETRY_DELAY))
        raise AssertionError("unreachable")  # pragma: no cover

    def _read(
        self, response: httpx.Response, *, missing_ok: bool
    ) -> dict[str, Any] | None:
        status = response.status_code
        if status == 429 or status >= 500:
            raise unavailable_for_status(p.PROVIDER, response)
        try:
            payload = response.json()
        except (ValueError, RecursionError):  # deeply nested JSON too
            payload = None
        if 200 <= status < 300:
            return dict(p.as_object(payload, "response body"))
        if status == 404 and missing_ok:
            return None
        error = ErrorBody.from_json(payload)
        if status in (401, 403):
            reason = error.message if error else f"HTTP {status}"
            raise ProviderAuthError(p.PROVIDER, f"credentials refused: {reason}")
        if error is None:
            code = {404: "NOT_FOUND", 409: "CONFLICT"}.get(status, "PROVIDER_REJECTED")
            error = ErrorBody(code, f"HTTP {status}", {}, {})
        # 409: this request id was already used for another request (or a lock failed).
        user_code = (
            UserErrorCode.IDEMPOTENCY_CONFLICT
            if status == 409
            else user_error_code(error)
        )
        raise ProviderRejected(
            p.PROVIDER, user_code, error.message, provider_code=error.error_code
        )

    async def _pages(
        self, path: str, key: str, params: Mapping[str, str | int]
    ) -> list[Any]:
        """Every item under `key` across the `page`/`limit` pages of a list."""
        items: list[Any] = []
        for page in range(1, MAX_PAGES + 1):
            payload = await self._call(
                "GET", path, params={**params, "page": page, "limit": PAGE_LIMIT}
            )
            assert payload is not None
            message = unwrap(payload)
            batch = message.get(key) if isinstance(message, dict) else message
            batch = p.as_list(batch, key)
            items.extend(batch)
            pagination = Pagination.from_json(
                payload.get("pagination")
                or (message.get("pagination") if isinstance(message, dict) else None)
            )
            if (
                pagination is None
                or not batch
                or pagination.page >= pagination.total_pages
            ):
                return items
            if pagination.page != page:
                raise p.protocol_error(
                    f"{path} answered page {pagination.page} for {page}"
                )
        raise p.protocol_error(f"{path} never ends its pages")

    async def server_time(self) -> None:
        await self._call("GET", "/time", signed=False)

    async def stakeable_assets(self) -> list[AssetInfo]:
        payload = await self._call("GET", "/assets", params={"staking_enabled": "true"})
        assert payload is not None
        message = unwrap(payload)
        if isinstance(message, dict):
            message = message.get("assets")
        assets = [AssetInfo.from_json(a) for a in p.as_list(message, "assets")]
        return [a for a in assets if a.staking_enabled]

    async def staking_info(self, asset: str) -> StakingInfo:
        payload = await self._call("GET", f"/assets/{segment(asset)}/staking_info")
        assert payload is not None
        message = p.as_object(unwrap(payload), "staking info")
        if "stakeable_assets" not in message:
            return StakingInfo.from_json(message)
        infos = [
            StakingInfo.from_json(i)
            for i in p.as_list(message["stakeable_assets"], "stakeable_assets")
        ]
        for info in infos:
            if info.asset == asset:
                return info
        raise p.protocol_error(f"staking_info for {asset} does not describe {asset}")

    async def participant(self, code: str) -> ParticipantInfo:
        payload = await self._call("GET", f"/participant/{segment(code)}/full_info")
        assert payload is not None
        return ParticipantInfo.from_json(unwrap(payload))

    async def accept_terms(
        self, code: str, *, region: str, now_ms: int, request_id: str
    ) -> None:
        body = {
            "platform_updated_at": now_ms,
            "signed_agreements": [
                {"type": "staking", "region": region, "signed_timestamp": now_ms}
            ],
        }
        await self._call(
            "PATCH",
            f"/participants/customers/{segment(code)}",
            body=body,
            request_id=request_id,
        )

    async def balances(self, code: str, *, asset: str | None = None) -> list[Balance]:
        params: dict[str, str | int] = {
            "account_owner": code,
            "account_type": "available",
        }
        if asset is not None:
            params["asset"] = asset
        items = await self._pages("/accounts", "accounts", params)
        return [Balance.from_json(i) for i in items]

    async def stakes(self, code: str) -> list[StakeRecord]:
        items = await self._pages(f"/stakes/{segment(code)}", "stakes", {})
        return [StakeRecord.from_json(i) for i in items]

    async def stake(self, stake_id: str) -> StakeRecord | None:
        payload = await self._call(
            "GET", f"/stakes/{segment(stake_id)}/status", missing_ok=True
        )
        return None if payload is None else StakeRecord.from_json(unwrap(payload))

    async def rewards(self, code: str, params: Params) -> list[RewardRecord]:
        items = await self._pages(f"/stakes/{segment(code)}/rewards", "rewards", params)
        return [RewardRecord.from_json(i) for i in items]

    async def create_stake(
        self, body: Mapping[str, str], request_id: str
    ) -> dict[str, Any]:
        """The answer's message as sent: it may be the full record or only an id."""
        payload = await self._call("POST", "/stakes", body=body, request_id=request_id)
        assert payload is not None
        return dict(p.as_object(unwrap(payload), "stake answer"))

    async def cancel_stake(self, stake_id: str, request_id: str) -> StakeRecord:
        path = f"/stakes/{segment(stake_id)}/cancel"
        payload = await self._call("POST", path, request_id=request_id)
        assert payload is not None
        return StakeRecord.from_json(unwrap(payload))

    async def unstake(self, body: Mapping[str, str], request_id: str) -> dict[str, Any]:
        """The answer's message as sent: it may be the full record or only an id."""
        payload = await self._call(
            "POST", "/stakes/unstake", body=body, request_id=request_id
        )
        assert payload is not None
        return dict(p.as_object(unwrap(payload), "unstake answer"))

    async def unstake_status(self, unstake_id: str) -> UnstakeRecord | None:
        path = f"/stakes/unstake/{segment(unstake_id)}/status"
        payload = await self._call("GET", path, missing_ok=True)
        return None if payload is None else UnstakeRecord.from_json(unwrap(payload))

    async def cancel_unstake(self, unstake_id: str, request_id: str) -> UnstakeRecord:
        path = f"/stakes/unstake/{segment(unstake_id)}/cancel"
        payload = await self._call("POST", path, request_id=request_id)
        assert payload is not None
        return UnstakeRecord.from_json(unwrap(payload))
