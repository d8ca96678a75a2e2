"""Hostile providers: whatever a provider answers, an adapter returns a correct result
or raises a `ProviderError`, never another exception and never a wrong amount.

Every adapter operation is recorded once against its sandbox, then replayed with one
answer mutated by hypothesis: status codes, garbage bodies, JSON with fields removed or
retyped, absurd amounts, redirects.
"""

import asyncio
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.domain.enums import Provider
from gateway.domain.models import Stake
from providers.base import MAX_SANE_AMOUNT, ProviderError
from tests.security.provider_tape import (
    Answer,
    Recording,
    decimals,
    json_or_none,
    record,
    replay,
)

FUZZ = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

AMOUNT_KEY = re.compile(
    r"amount|yield|apy|balance|reward|quantity|total|value|rate", re.I
)
# Values no honest provider sends for an amount: using any of them is a wrong amount.
GARBAGE_AMOUNTS = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "abc",
    "",
    "1.2.3",
    "0x10",
    "1,000",
    "9" * 80,
    True,
    False,
    3.14,
    10**30,
    [],
    {},
    {"value": "1"},
]
HOSTILE_VALUES = [
    None,
    True,
    0,
    -1,
    1e308,
    "",
    "x" * 10_000,
    [],
    {},
    [[[[[]]]]],
    "2026-13-45T99:99:99Z",
    "\u0000",
    "\ud800",
]
STATUSES = [
    200,
    201,
    202,
    204,
    301,
    302,
    307,
    308,
    400,
    401,
    403,
    404,
    409,
    418,
    422,
    429,
    500,
    502,
    503,
    504,
]
GARBAGE_BODIES = [
    b"",
    b"null",
    b"[]",
    b"{}",
    b"<html><body>Bad gateway</body></html>",
    b"\xff\xfe\xfa",
    b'{"data": ',
    b"[" * 40 + b"]" * 40,
    json.dumps({"data": None, "items": None, "message": None}).encode(),
]


@pytest.fixture(scope="module")
def recording() -> Recording:
    return asyncio.run(record())


CASES = [
    (provider, name)
    # Dfns' products are a static catalog: no request to answer.
    for provider in (Provider.CROCANTE, Provider.ZEROHASH, Provider.DFNS)
    for name in (
        *(["list_products"] if provider is not Provider.DFNS else []),
        "list_stakes",
        "list_rewards",
        "get_stake",
        "create_stake",
        *(["list_allocations"] if provider is Provider.DFNS else []),
    )
]
IDS = [f"{p.value.lower()}-{n}" for p, n in CASES]


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _lookup(document: Any, path: tuple) -> Any:
    for step in path:
        document = document[step]
    return document


def _amount_paths(document: Any) -> list[tuple]:
    """Leaves that hold a number under an amount-like name."""
    return [
        p
        for p in _paths(document)
        if p
        and isinstance(p[-1], str)
        and AMOUNT_KEY.search(p[-1])
        and isinstance(_lookup(document, p), str | int | float)
        and not isinstance(_lookup(document, p), bool)
    ]


def _edit(document: Any, path: tuple, value: Any, *, delete: bool = False) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        copy = dict(document)
        if delete and not rest:
            copy.pop(head, None)
        else:
            copy[head] = _edit(document[head], rest, value, delete=delete)
        return copy
    copy_list = list(document)
    if delete and not rest:
        del copy_list[head]
    else:
        copy_list[head] = _edit(document[head], rest, value, delete=delete)
    return copy_list


def _with_body(answer: Answer, document: Any) -> Answer:
    body = json.dumps(document, allow_nan=True).encode()
    return Answer(answer.status, answer.headers, body)


@st.composite
def mutations(draw) -> tuple[str, Any]:
    """A mutation of one answer, and whether it planted a garbage amount."""
    kind = draw(
        st.sampled_from(["status", "body", "delete", "retype", "amount", "redirect"])
    )
    pick = draw(st.integers(min_value=0, max_value=10_000))
    if kind == "status":
        status = draw(st.sampled_from(STATUSES))
        return kind, lambda a: Answer(status, a.headers, a.body)
    if kind == "body":
        body = draw(st.sampled_from(GARBAGE_BODIES))
        return kind, lambda a: Answer(
            a.status, [("content-type", "application/json")], body
        )
    if kind == "redirect":
        status = draw(st.sampled_from([301, 302, 303, 307, 308]))
        headers = [("location", "https://attacker.example/steal")]
        return kind, lambda a: Answer(status, headers, a.body)
    hostile = draw(
        st.sampled_from(GARBAGE_AMOUNTS if kind == "amount" else HOSTILE_VALUES)
    )

    def edit(answer: Answer) -> Answer:
        document = json_or_none(answer.body)
        if document is None:
            return answer
        paths = [p for p in _paths(document) if p]
        if kind == "amount":
            paths = _amount_paths(document)
        if not paths:
            return answer
        path = paths[pick % len(paths)]
        return _with_body(
            answer, _edit(document, path, hostile, delete=kind == "delete")
        )

    return kind, edit


def _check_sane(result: Any) -> None:
    for amount in decimals(result):
        assert amount.is_finite() and abs(amount) <= MAX_SANE_AMOUNT, amount
    stakes = result if isinstance(result, list) else [result]
    for stake in stakes:
        if isinstance(stake, Stake):
            assert stake.amount >= 0, stake


@pytest.mark.parametrize(("provider", "name"), CASES, ids=IDS)
def test_any_answer_yields_a_result_or_a_provider_error(recording, provider, name):
    tape = recording.tapes[(provider, name)]
    baseline = decimals(recording.baselines[(provider, name)])

    @FUZZ
    @given(mutation=mutations(), at=st.integers(min_value=0, max_value=20))
    def run(mutation, at) -> None:
        kind, mutate = mutation
        handler = tape.player(mutate_at=at % max(1, len(tape.order)), mutation=mutate)
        try:
            result = asyncio.run(replay(recording, provider, name, handler))
        except ProviderError:
            return
        _check_sane(result)
        if kind == "amount":
            # A garbage amount was planted: used, it must be refused; unused, it
            # must change nothing.
            assert decimals(result) == baseline

    run()


@pytest.mark.parametrize(("provider", "name"), CASES, ids=IDS)
def test_the_untouched_tape_replays_to_the_recorded_result(recording, provider, name):
    result = asyncio.run(
        replay(recording, provider, name, recording.tapes[(provider, name)].player())
    )
    assert decimals(result) == decimals(recording.baselines[(provider, name)])


SWEEP_AMOUNTS = ["NaN", "1e400", "abc", "9" * 80, True, 3.14, [], {"value": "1"}]


@pytest.mark.parametrize(("provider", "name"), CASES, ids=IDS)
def test_a_garbage_amount_anywhere_is_refused_or_changes_nothing(
    recording, provider, name
):
    """Exhaustive where the fuzz samples: every amount field of every answer."""
    tape = recording.tapes[(provider, name)]
    baseline = decimals(recording.baselines[(provider, name)])
    answers = [a for key in tape.order for a in tape.answers[key][:1]]
    checked = 0
    for index, answer in enumerate(answers):
        document = json_or_none(answer.body)
        paths = _amount_paths(document)
        for path in paths[:: max(1, len(paths) // 12)]:
            for garbage in SWEEP_AMOUNTS:
                planted = _with_body(answer, _edit(document, path, garbage))
                handler = tape.player(mutate_at=index, mutation=lambda _, a=planted: a)
                try:
                    result = asyncio.run(replay(recording, provider, name, handler))
                except ProviderError:
                    continue
                finally:
                    checked += 1
                assert decimals(result) == baseline, (path, garbage)
    assert checked > 0


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(("provider", "name"), CASES, ids=IDS)
def test_deeply_nested_json_is_a_protocol_error(recording, provider, name):
    tape = recording.tapes[(provider, name)]
    hostile = Answer(200, [("content-type", "application/json")], _deep(100_000))
    handler = tape.player(mutate_at=len(tape.order) - 1, mutation=lambda _: hostile)
    with pytest.raises(ProviderError):
        asyncio.run(replay(recording, provider, name, handler))
