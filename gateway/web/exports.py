"""`GET /exports/rewards.csv` and `/exports/rewards.json`: the caller's rewards ledger.

Authenticated with the same bearer key as GraphQL and scoped the same way: only the
rewards of the caller's linked identities. The CSV streams as it is read, one identity's
rewards at a time; the JSON pages by cursor. A provider failing before the first byte is
a 502; failing mid-stream, the transfer is cut short rather than ending as if complete.
"""

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from gateway.domain.caller import Caller
from gateway.domain.enums import Provider
from gateway.domain.errors import UserFacingError
from gateway.domain.ledger import LedgerQuery, LedgerRow
from gateway.schema.context import Services
from gateway.schema.scalars import parse_datetime, serialize_datetime
from gateway.schema.view import bearer_key
from gateway.security.guard import Guard
from gateway.services.ledger import RewardsLedger
from providers.base import ProviderError

CSV_COLUMNS = (
    "date",
    "provider",
    "stake",
    "asset",
    "amount",
    "usd_value",
    "usd_source",
    "running_total",
)
# Rows per chunk written to the socket.
CSV_CHUNK_ROWS = 500
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "@", "\t", "\r")


class BadRequest(Exception):
    pass


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _amount(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _time(value: datetime | None) -> str:
    return "" if value is None else serialize_datetime(value)


def csv_fields(row: LedgerRow) -> list[str]:
    return [
        _time(row.credited_at),
        row.provider.value,
        _cell(row.provider_stake_id or ""),
        _cell(row.asset),
        _amount(row.amount),
        _amount(row.usd_value),
        row.usd_source,
        "true" if row.running_total else "false",
    ]


def json_row(row: LedgerRow) -> dict[str, object]:
    return {
        "date": _time(row.credited_at) or None,
        "provider": row.provider.value,
        "stake": row.provider_stake_id,
        "rewardId": row.provider_reward_id,
        "owner": row.owner,
        "asset": row.asset,
        "amount": _amount(row.amount),
        "usdValue": _amount(row.usd_value) or None,
        "usdSource": row.usd_source or None,
        "runningTotal": row.running_total,
    }


def ledger_query(request: Request) -> LedgerQuery:
    params = request.query_params
    try:
        start = parse_datetime(params["from"]) if params.get("from") else None
        end = parse_datetime(params["to"]) if params.get("to") else None
    except ValueError as error:
        raise BadRequest(str(error)) from None
    providers: list[Provider] = []
    for value in params.getlist("provider"):
        for name in value.split(","):
            try:
                providers.append(Provider(name.strip().upper()))
            except ValueError:
                raise BadRequest(f"unknown provider {name!r}") from None
    return LedgerQuery(
        start=start,
        end=end,
        providers=tuple(providers),
        asset=params.get("asset") or None,
    )


async def _caller(request: Request) -> Caller | None:
    guard: Guard = request.app.state.guard
    services: Services = request.state.services
    key = bearer_key(request.headers.get("authorization"))
    caller = await guard.authenticate(services, key) if key else None
    if caller is not None:
        await guard.admit(caller)  # RateLimited: 429, as for GraphQL
    return caller


def _unauthorized() -> JSONResponse:
    return JSONResponse(
        {"error": "Unauthorized: send `Authorization: Bearer <api key or JWT>`."},
        status_code=401,
    )


def _ledger(request: Request) -> RewardsLedger:
    services: Services = request.state.services
    assert services.ledger is not None, "the ledger is wired in the lifespan"
    return services.ledger


async def rewards_csv(request: Request) -> Response:
    caller = await _caller(request)
    if caller is None:
        return _unauthorized()
    try:
        query = ledger_query(request)
    except BadRequest as error:
        return JSONResponse({"error": str(error)}, status_code=400)
    rows = _ledger(request).stream(caller, query).__aiter__()
    try:
        # Read before answering: a provider that is down now gets a clean 502.
        first = await anext(rows, None)
    except ProviderError as error:
        return JSONResponse(
            {"error": f"{error.provider.value} could not answer: {error.code}"},
            status_code=502,
        )

    async def body() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        pending = 0
        item = first
        while item is not None:
            writer.writerow(csv_fields(item[1]))
            pending += 1
            if pending >= CSV_CHUNK_ROWS:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
                pending = 0
            item = await anext(rows, None)
        yield buffer.getvalue()

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="rewards.csv"',
            "Cache-Control": "no-store",
        },
    )


async def rewards_json(request: Request) -> Response:
    caller = await _caller(request)
    if caller is None:
        return _unauthorized()
    params = request.query_params
    try:
        query = ledger_query(request)
        first = int(params["first"]) if params.get("first") else None
    except (BadRequest, ValueError) as error:
        return JSONResponse({"error": str(error)}, status_code=400)
    try:
        page = await _ledger(request).page(
            caller, query, first=first, after=params.get("after") or None
        )
    except UserFacingError as error:
        return JSONResponse({"error": error.error.message}, status_code=400)
    except ProviderError as error:
        return JSONResponse(
            {"error": f"{error.provider.value} could not answer: {error.code}"},
            status_code=502,
        )
    return Response(
        orjson.dumps(
            {
                "rows": [json_row(r) for r in page.rows],
                "pageInfo": {
                    "hasNextPage": page.has_next_page,
                    "endCursor": page.end_cursor,
                },
            }
        ),
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )
