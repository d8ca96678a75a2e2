"""Typed calls on the Dfns API over an injected `httpx.AsyncClient` (base_url set by the
caller). Every body is serialized once, compactly, and sent as those exact bytes, which
`DfnsAuth` signs. Non-2xx answers become provider errors here."""

from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

import httpx

from gateway.domain.enums import Provider
from providers.base import ProviderProtocolError, translate_transport_errors
from providers.dfns.allocation_models import DfnsAllocation, parse_allocation
from providers.dfns.auth import DfnsAuth, compact_json, parse_json_or_protocol_error
from providers.dfns.config import DfnsConfig
from providers.dfns.errors import error_for_response
from providers.dfns.fields import protocol_error
from providers.dfns.models import (
    DfnsRewards,
    DfnsStake,
    DfnsStakeAction,
    Page,
    of_wallets,
    parse_page,
    parse_rewards,
    parse_stake,
    parse_stake_action,
)

T = TypeVar("T")

# Dfns' largest page; walking an org's list takes fewer round trips.
MAX_PAGE = 500
# A list longer than this many pages is a provider looping on its tokens.
MAX_PAGES = 1_000


class DfnsClient:
    def __init__(self, http: httpx.AsyncClient, config: DfnsConfig) -> None:
        self._http = http
        self._auth = DfnsAuth(config, root_path=http.base_url.path)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """A 2xx answer; any other as a provider error."""
        content = compact_json(body) if body is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else None
        with translate_transport_errors(Provider.DFNS):
            response = await self._http.request(
                method,
                path,
                params=params,
                content=content,
                headers=headers,
                auth=self._auth,
            )
        if not response.is_success:
            raise error_for_response(response)
        return response

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> object:
        response = await self._send(method, path, params=params, body=body)
        return parse_json_or_protocol_error(response)

    async def _walk(
        self,
        path: str,
        item: Callable[[object, str], T],
        what: str,
        wanted: Callable[[object], bool] | None = None,
    ) -> list[T]:
        items: list[T] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            params: dict[str, str | int] = {"limit": MAX_PAGE}
            if token:
                params["paginationToken"] = token
            page: Page[T] = parse_page(
                await self._call("GET", path, params=params), item, what, wanted
            )
            items.extend(page.items)
            if page.next_page_token is None or page.next_page_token == token:
                return items
            token = page.next_page_token
        raise protocol_error(f"{path} did not stop paging")

    # Staking

    async def list_stakes(
        self, wallets: Collection[str] | None = None
    ) -> list[DfnsStake]:
        """The organisation's stakes; with `wallets`, those of these wallets only."""
        wanted = None if wallets is None else of_wallets(frozenset(wallets))
        return await self._walk("/staking/stakes", parse_stake, "stakes", wanted)

    async def first_stakes_page(self) -> Page[DfnsStake]:
        return parse_page(
            await self._call("GET", "/staking/stakes", params={"limit": 1}),
            parse_stake,
            "stakes",
        )

    async def get_stake(self, stake_id: str) -> DfnsStake:
        return parse_stake(await self._call("GET", f"/staking/stakes/{stake_id}"))

    async def create_stake(self, body: Mapping[str, Any]) -> DfnsStake | None:
        """The stake as created; None when Dfns held the write for policy approval
        (HTTP 202) and answered with something other than the stake."""
        return _stake_or_held(await self._send("POST", "/staking/stakes", body=body))

    async def create_stake_action(
        self, stake_id: str, body: Mapping[str, Any]
    ) -> DfnsStake | None:
        """The stake with its new action; None as for `create_stake`."""
        path = f"/staking/stakes/{stake_id}/actions"
        return _stake_or_held(await self._send("POST", path, body=body))

    async def list_stake_actions(self, stake_id: str) -> list[DfnsStakeAction]:
        """Every action of the stake, oldest first (the order of `actions[]`)."""
        actions = await self._walk(
            f"/staking/stakes/{stake_id}/actions", parse_stake_action, "stake actions"
        )
        # The docs give no order for this list (the sandbox pages newest first).
        return sorted(actions, key=lambda a: a.date_created)

    async def get_stake_rewards(self, stake_id: str) -> DfnsRewards | None:
        """None: the stake has no rewards yet, and Dfns answered with an empty body
        (the SDK types this answer `GetStakeRewardsResponse | undefined`)."""
        response = await self._send("GET", f"/staking/stakes/{stake_id}/rewards")
        if not response.content.strip():
            return None
        return parse_rewards(parse_json_or_protocol_error(response))

    # Allocations

    async def list_allocations(self) -> list[DfnsAllocation]:
        return await self._walk("/allocations", parse_allocation, "allocations")

    async def get_allocation(self, allocation_id: str) -> DfnsAllocation:
        return parse_allocation(
            await self._call("GET", f"/allocations/{allocation_id}")
        )

    async def create_allocation(self, body: Mapping[str, Any]) -> DfnsAllocation:
        return parse_allocation(await self._call("POST", "/allocations", body=body))

    async def create_allocation_action(
        self, allocation_id: str, body: Mapping[str, Any]
    ) -> DfnsAllocation:
        return parse_allocation(
            await self._call("POST", f"/allocations/{allocation_id}/actions", body=body)
        )


def _stake_or_held(response: httpx.Response) -> DfnsStake | None:
    """A write's answer: the full stake (PROVIDERS.md 1.3). A 202 means Dfns held the
    write for policy approval (old SDK: `PolicyPendingError`); its body is not
    documented, so it is read as a stake only where it is one."""
    if response.status_code != 202:
        return parse_stake(parse_json_or_protocol_error(response))
    try:
        return parse_stake(parse_json_or_protocol_error(response))
    except ProviderProtocolError:
        return None
