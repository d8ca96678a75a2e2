"""Typed calls on Crocante's staking API over an injected `httpx.AsyncClient`.

Each call is made as one Crocante user, whose `CrocanteAuth` signs it. Paths come from
the config and stay relative (no leading slash), so the client's base path is kept.
"""

import dataclasses
import json
from decimal import Decimal
from urllib.parse import quote

import httpx

from gateway.domain.enums import Provider
from providers.base import ProviderProtocolError, translate_transport_errors
from providers.crocante.auth import CrocanteAuth
from providers.crocante.config import CrocanteConfig
from providers.crocante.errors import error_for_response
from providers.crocante.models import (
    CrocantePosition,
    CrocanteStakingType,
    PositionList,
    envelope_data,
    parse_list,
    parse_position,
    parse_staking_type,
)
from providers.crocante.totp import decode_secret

P = Provider.CROCANTE
# A provider that ignores `page` would otherwise be walked forever.
MAX_PAGES = 1000


def _relative(path: str) -> str:
    return path.lstrip("/")


class CrocanteClient:
    def __init__(self, http: httpx.AsyncClient, config: CrocanteConfig) -> None:
        self._http = http
        self._config = config
        secret = config.totp_secret
        self._totp_key = decode_secret(secret.get_secret_value()) if secret else None

    def auth_for(self, username: str) -> CrocanteAuth:
        """A fresh session for `username`; it logs in on its first request."""
        return CrocanteAuth(
            login_url=self._http.base_url.join(_relative(self._config.login_path)),
            username=username,
            password=self._config.password,
            totp_key=self._totp_key,
        )

    async def list_types(self, auth: CrocanteAuth) -> list[CrocanteStakingType]:
        body = await self._call("GET", self._config.types_path, auth)
        return parse_list(body, parse_staking_type, "staking types")

    async def list_positions(
        self, auth: CrocanteAuth, which: PositionList
    ) -> list[CrocantePosition]:
        """Every position in the list, walking pages until a short one."""
        path = (
            self._config.active_path
            if which is PositionList.ACTIVE
            else self._config.redeemed_path
        )
        size = self._config.page_size
        positions: dict[str, CrocantePosition] = {}
        for page in range(MAX_PAGES):
            body = await self._call(
                "GET", path, auth, params={"page": page, "size": size}
            )
            batch = parse_list(body, parse_position, f"{which.value} stakes")
            for position in batch:
                # A position created mid-walk shifts the pages: keep the first copy.
                listed = dataclasses.replace(position, listed_in=which)
                positions.setdefault(position.operation.id, listed)
            if len(batch) < size:
                return list(positions.values())
        raise ProviderProtocolError(P, f"{which.value} stakes never end")

    async def create_stake(
        self, auth: CrocanteAuth, type_id: str, amount: Decimal
    ) -> None:
        body = {"typeId": type_id, "amount": format(amount, "f")}
        data = envelope_data(
            await self._call("POST", self._config.create_path, auth, body)
        )
        if not isinstance(data, dict):
            raise ProviderProtocolError(P, "create stake answer is not an object")

    async def redeem(self, auth: CrocanteAuth, op_id: str) -> None:
        path = self._config.redeem_path.replace("%OPID", quote(op_id, safe=""))
        data = envelope_data(await self._call("POST", path, auth, {}))
        if not isinstance(data, dict):
            raise ProviderProtocolError(P, "redeem answer is not an object")

    async def _call(
        self,
        method: str,
        path: str,
        auth: CrocanteAuth,
        body: dict[str, str] | None = None,
        params: dict[str, int] | None = None,
    ) -> object:
        """The decoded JSON of a 2xx answer; any other answer as a provider error."""
        with translate_transport_errors(P):
            response = await self._http.request(
                method,
                _relative(path),
                json=body,
                params=params,
                auth=auth,
                headers={"Accept": "application/json"},
            )
        if not response.is_success:
            raise error_for_response(response)
        try:
            return json.loads(response.content)
        except (ValueError, RecursionError):  # deeply nested JSON too
            raise ProviderProtocolError(P, f"{path} answered with non-JSON") from None
