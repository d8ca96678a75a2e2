"""The sandbox's HTTP surface: Dfns' auth, staking and allocation routes, plus the
sandbox-only policy decisions at `/_sandbox/approvals`."""

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from providers.dfns.sandbox.allocation_requests import (
    parse_allocation_action,
    parse_create_allocation,
)
from providers.dfns.sandbox.allocations import AllocationBook
from providers.dfns.sandbox.auth import UserActionSigning
from providers.dfns.sandbox.body import Body, parse_json
from providers.dfns.sandbox.errors import DfnsApiError, bad_request, not_found
from providers.dfns.sandbox.pagination import page
from providers.dfns.sandbox.stake_requests import parse_create_stake, parse_stake_action
from providers.dfns.sandbox.stakes import SandboxStake, StakeBook
from providers.dfns.sandbox.views import (
    allocation_action_json,
    allocation_json,
    stake_action_json,
    stake_json,
)
from providers.sandbox_kit import SimulatedClock

Handler = Callable[[Request, bytes], Awaitable[Response]]
USER_ACTION_HEADER = "x-dfns-useraction"


def relative_path(request: Request) -> str:
    """The path as Dfns sees it: without the prefix the sandbox is mounted under."""
    path: str = request.scope["path"]
    root: str = request.scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class DfnsRoutes:
    def __init__(
        self,
        *,
        clock: SimulatedClock,
        signing: UserActionSigning,
        stakes: StakeBook,
        allocations: AllocationBook,
        requester: dict[str, str],
        held_status: int = 200,
    ) -> None:
        self.clock = clock
        self.signing = signing
        self.stakes = stakes
        self.allocations = allocations
        self.requester = requester
        self.held_status = held_status

    def _written(self, stake: SandboxStake) -> Response:
        """A stake write's answer: the full stake; `held_status` when its newest action
        waits for policy approval (200 as the docs show, 202 as older Dfns did)."""
        held = bool(stake.actions) and (
            stake.actions[-1].status == "PendingPolicyApproval"
        )
        status = self.held_status if held else 200
        return JSONResponse(stake_json(stake, self.requester), status_code=status)

    def _guard(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Bearer on every call; on a write, a user action bound to exactly it."""

        async def endpoint(request: Request) -> Response:
            try:
                self.signing.check_bearer(request.headers.get("authorization"))
                raw = await request.body()
                if request.method not in ("GET", "HEAD"):
                    try:
                        payload = raw.decode("utf-8")
                    except UnicodeDecodeError:
                        raise bad_request("Request body is not UTF-8") from None
                    self.signing.consume(
                        request.headers.get(USER_ACTION_HEADER),
                        request.method,
                        relative_path(request),
                        payload,
                    )
                return await handler(request, raw)
            except DfnsApiError as exc:
                return exc.response()

        return endpoint

    def _open(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Bearer only: the user-action endpoints themselves."""

        async def endpoint(request: Request) -> Response:
            try:
                self.signing.check_bearer(request.headers.get("authorization"))
                return await handler(request, await request.body())
            except DfnsApiError as exc:
                return exc.response()

        return endpoint

    async def action_init(self, request: Request, raw: bytes) -> Response:
        return JSONResponse(self.signing.init(parse_json(raw)))

    async def action_complete(self, request: Request, raw: bytes) -> Response:
        return JSONResponse(self.signing.complete(parse_json(raw)))

    async def stakes_root(self, request: Request, raw: bytes) -> Response:
        now = self.clock.now()
        if request.method == "POST":
            stake = self.stakes.create(parse_create_stake(parse_json(raw)), now)
            return self._written(stake)
        listed = self.stakes.all(now)
        return JSONResponse(
            page(
                listed,
                lambda s: s.id,
                lambda s: stake_json(s, self.requester, with_actions=False),
                request.query_params,
            )
        )

    async def stake(self, request: Request, raw: bytes) -> Response:
        stake = self.stakes.get(request.path_params["stake_id"], self.clock.now())
        return JSONResponse(stake_json(stake, self.requester))

    async def stake_actions(self, request: Request, raw: bytes) -> Response:
        now = self.clock.now()
        stake = self.stakes.get(request.path_params["stake_id"], now)
        if request.method == "POST":
            action = parse_stake_action(parse_json(raw), stake.rules.protocol)
            return self._written(self.stakes.act(stake.id, action, now))
        newest_first = list(reversed(stake.actions))
        return JSONResponse(
            page(
                newest_first,
                lambda a: a.id,
                lambda a: stake_action_json(a, self.requester),
                request.query_params,
            )
        )

    async def stake_rewards(self, request: Request, raw: bytes) -> Response:
        now = self.clock.now()
        stake = self.stakes.get(request.path_params["stake_id"], now)
        earned = self.stakes.rewards(stake, now)
        if earned is None:
            # No rewards yet: Dfns answers 200 with no body (SDK: `... | undefined`).
            return Response(status_code=200)
        return JSONResponse(
            {"symbol": stake.rules.asset.symbol, "balance": str(earned)}
        )

    async def allocations_root(self, request: Request, raw: bytes) -> Response:
        now = self.clock.now()
        if request.method == "POST":
            allocation = self.allocations.create(
                parse_create_allocation(parse_json(raw)), now
            )
            return JSONResponse(allocation_json(allocation, self.requester, now))
        return JSONResponse(
            page(
                self.allocations.all(now),
                lambda a: a.id,
                lambda a: allocation_json(a, self.requester, now, with_actions=False),
                request.query_params,
            )
        )

    async def allocation(self, request: Request, raw: bytes) -> Response:
        now = self.clock.now()
        allocation = self.allocations.get(request.path_params["allocation_id"], now)
        return JSONResponse(allocation_json(allocation, self.requester, now))

    async def allocation_actions(self, request: Request, raw: bytes) -> Response:
        now = self.clock.now()
        allocation = self.allocations.get(request.path_params["allocation_id"], now)
        if request.method == "POST":
            action = parse_allocation_action(parse_json(raw), allocation.rules)
            updated = self.allocations.act(
                allocation.id, action.kind, action.movement, now
            )
            return JSONResponse(allocation_json(updated, self.requester, now))
        return JSONResponse(
            page(
                list(reversed(allocation.actions)),
                lambda a: a.id,
                lambda a: allocation_action_json(a, self.requester),
                request.query_params,
            )
        )

    async def approvals(self, request: Request) -> Response:
        now = self.clock.now()
        pending = [
            stake_action_json(a, self.requester)
            for a in self.stakes.pending_approvals(now)
        ]
        pending += [
            allocation_action_json(a, self.requester)
            for a in self.allocations.pending_approvals(now)
        ]
        return JSONResponse({"items": pending})

    async def decide(self, request: Request) -> Response:
        """Sandbox only: what an approver would decide in the Dfns dashboard."""
        try:
            body = Body(parse_json(await request.body()), frozenset({"decision"}))
            approved = (
                body.literal("decision", frozenset({"Approved", "Denied"}))
                == "Approved"
            )
            action_id = request.path_params["action_id"]
            now = self.clock.now()
            stake = self.stakes.decide(action_id, approved, now)
            if stake is not None:
                return JSONResponse(stake_json(stake, self.requester))
            allocation = self.allocations.decide(action_id, approved, now)
            if allocation is None:
                raise not_found("Pending action")
            return JSONResponse(allocation_json(allocation, self.requester, now))
        except DfnsApiError as exc:
            return exc.response()

    def routes(self) -> list[BaseRoute]:
        g, o = self._guard, self._open
        return [
            Route("/auth/action/init", o(self.action_init), methods=["POST"]),
            Route("/auth/action", o(self.action_complete), methods=["POST"]),
            Route("/staking/stakes", g(self.stakes_root), methods=["GET", "POST"]),
            Route("/staking/stakes/{stake_id}", g(self.stake), methods=["GET"]),
            Route(
                "/staking/stakes/{stake_id}/actions",
                g(self.stake_actions),
                methods=["GET", "POST"],
            ),
            Route(
                "/staking/stakes/{stake_id}/rewards",
                g(self.stake_rewards),
                methods=["GET"],
            ),
            Route("/allocations", g(self.allocations_root), methods=["GET", "POST"]),
            Route("/allocations/{allocation_id}", g(self.allocation), methods=["GET"]),
            Route(
                "/allocations/{allocation_id}/actions",
                g(self.allocation_actions),
                methods=["GET", "POST"],
            ),
            Route("/_sandbox/approvals", self.approvals, methods=["GET"]),
            Route("/_sandbox/approvals/{action_id}", self.decide, methods=["POST"]),
        ]
