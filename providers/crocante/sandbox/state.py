"""The sandbox's in-memory Crocante: products, users with balances, staking positions.

Nothing is stored that time changes: yield and redeemability are computed from the
simulated clock whenever a position is read, so a clock jump shows at once.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal, localcontext

from providers.sandbox_kit import SimulatedClock

YEAR = timedelta(days=365)
YIELD_QUANTUM = Decimal("1e-18")
# A positive decimal string as a person types it: no sign, no exponent, ≤ 18 decimals.
AMOUNT_PATTERN = re.compile(r"(0|[1-9][0-9]{0,17})(\.[0-9]{1,18})?")


class SandboxError(Exception):
    """A refusal in Crocante's seed shape: `{"error": message, "status": status}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    currency_id: str
    mode: str  # FIXED | VARIABLE
    apy: Decimal
    min_amount: Decimal
    duration_days: int | None = None
    # A withdrawn product still names old positions but takes no new stakes.
    active: bool = True

    @property
    def fixed(self) -> bool:
        return self.mode == "FIXED"


@dataclass(slots=True)
class User:
    username: str
    user_id: str
    balances: dict[str, Decimal]


@dataclass(slots=True)
class Position:
    op_id: str
    user: User
    product: Product
    amount: Decimal
    apy: Decimal
    opened_at: datetime
    closed_at: datetime | None = None
    # The operation's word once closed. The seed says `Redeemed`; the backend's own data
    # says `COMPLETED` of finished operations (PROVIDERS.md 3): both are heard.
    closed_word: str = "REDEEMED"

    @property
    def redeemable_at(self) -> datetime | None:
        if not self.product.fixed or self.product.duration_days is None:
            return None
        return self.opened_at + timedelta(days=self.product.duration_days)

    def accrued_until(self, now: datetime) -> datetime:
        """Yield runs until now, the close or the end of a fixed term, if sooner."""
        end = self.closed_at or now
        maturity = self.redeemable_at
        return min(end, maturity) if maturity is not None else end

    def yield_at(self, now: datetime) -> Decimal:
        return accrue(self.amount, self.apy, self.accrued_until(now) - self.opened_at)

    def est_redeem_yield(self, now: datetime) -> Decimal:
        maturity = self.redeemable_at
        if self.closed_at is None and maturity is not None:
            return accrue(self.amount, self.apy, maturity - self.opened_at)
        return self.yield_at(now)


def accrue(amount: Decimal, apy: Decimal, elapsed: timedelta) -> Decimal:
    """amount * apy * elapsed / 365 days, exact to 1e-18, rounded down."""
    if elapsed <= timedelta(0):
        return Decimal(0)
    micros = elapsed // timedelta(microseconds=1)
    year_micros = YEAR // timedelta(microseconds=1)
    with localcontext() as ctx:
        ctx.prec = 60
        value = amount * apy * Decimal(micros) / Decimal(year_micros)
        return value.quantize(YIELD_QUANTUM, rounding=ROUND_DOWN)


def parse_amount(value: object) -> Decimal:
    if not isinstance(value, str) or not AMOUNT_PATTERN.fullmatch(value):
        raise SandboxError(400, "Invalid amount")
    amount = Decimal(value)
    if amount <= 0:
        raise SandboxError(400, "Invalid amount")
    return amount


@dataclass
class CrocanteState:
    clock: SimulatedClock
    products: dict[str, Product]
    starting_balances: dict[str, Decimal]
    users: dict[str, User] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)

    def user(self, username: str) -> User:
        """The user, created with the starting balances when first seen."""
        user = self.users.get(username)
        if user is None:
            user = User(
                username=username,
                user_id=f"user_{len(self.users) + 1}",
                balances=dict(self.starting_balances),
            )
            self.users[username] = user
        return user

    def open_products(self) -> list[Product]:
        return [product for product in self.products.values() if product.active]

    def create_stake(
        self, username: str, type_id: object, amount_text: object
    ) -> Position:
        product = self.products.get(type_id) if isinstance(type_id, str) else None
        if product is None or not product.active:
            raise SandboxError(404, "Invalid typeId")
        amount = parse_amount(amount_text)
        if amount < product.min_amount:
            raise SandboxError(400, "Amount below minimum")
        return self.open_position(username, product, amount, self.clock.now())

    def open_position(
        self, username: str, product: Product, amount: Decimal, opened_at: datetime
    ) -> Position:
        user = self.user(username)
        balance = user.balances.get(product.currency_id, Decimal(0))
        if amount > balance:
            raise SandboxError(400, "Insufficient balance")
        user.balances[product.currency_id] = balance - amount
        position = Position(
            op_id=f"op_stake_{len(self.positions) + 1:06d}",
            user=user,
            product=product,
            amount=amount,
            apy=product.apy,
            # Whole seconds, as Crocante writes its times.
            opened_at=opened_at.replace(microsecond=0),
        )
        self.positions[position.op_id] = position
        return position

    def redeem(self, username: str, op_id: str, at: datetime | None = None) -> Position:
        now = at or self.clock.now()
        position = self.positions.get(op_id)
        if position is None or position.user.username != username:
            raise SandboxError(404, "Invalid opId")
        if position.closed_at is not None:
            raise SandboxError(400, "Stake is not active")
        maturity = position.redeemable_at
        if maturity is not None and now < maturity:
            raise SandboxError(400, "Not redeemable yet")
        position.closed_at = now.replace(microsecond=0)
        currency = position.product.currency_id
        balances = position.user.balances
        balances[currency] = balances.get(currency, Decimal(0)) + (
            position.amount + position.yield_at(now)
        )
        return position

    def positions_of(self, username: str, *, open_: bool) -> list[Position]:
        """Newest first: active by opening, redeemed by closing."""
        mine = [
            p
            for p in self.positions.values()
            if p.user.username == username and (p.closed_at is None) == open_
        ]
        if open_:
            return sorted(mine, key=lambda p: (p.opened_at, p.op_id), reverse=True)
        return sorted(
            mine, key=lambda p: (p.closed_at or p.opened_at, p.op_id), reverse=True
        )
