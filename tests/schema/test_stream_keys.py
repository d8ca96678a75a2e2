"""Which subscriptions may share a stream: same client, same document, no replay."""

from types import SimpleNamespace
from typing import Any

import pytest

from gateway.domain.caller import Caller
from gateway.domain.enums import Provider
from gateway.schema.transport_ws import stream_key

LIVE = "subscription($p: Provider) { stakeStatusChanged(provider: $p) { cursor } }"
WITH_AFTER = """subscription($after: String, $p: Provider) {
  stakeStatusChanged(after: $after, provider: $p) { cursor } }"""


def context(client: str | None = "c1") -> Any:
    caller = None if client is None else Caller(client, client, {Provider.DFNS: ("w",)})
    return SimpleNamespace(caller_or_none=caller)


def operation(
    query: str, variables: dict | None = None, name: str | None = None
) -> Any:
    return SimpleNamespace(query=query, variables=variables, operation_name=name)


def test_the_same_client_document_and_variables_make_the_same_key() -> None:
    one = stream_key(context(), operation(LIVE, {"p": "DFNS"}))
    assert one is not None
    assert one == stream_key(context(), operation(LIVE, {"p": "DFNS"}))
    assert one != stream_key(context("c2"), operation(LIVE, {"p": "DFNS"}))
    assert one != stream_key(context(), operation(LIVE, {"p": "CROCANTE"}))


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (WITH_AFTER, {"after": "41"}),
        ('subscription { stakeStatusChanged(after: "41") { cursor } }', None),
        (
            'subscription($a: String = "41") { stakeStatusChanged(after: $a) { c } }',
            None,
        ),
        ("subscription { ...F } fragment F on Subscription { stakeStatusChanged }", {}),
        ("query { stakes { edges { cursor } } }", None),
        ("subscription { oops", None),
    ],
)
def test_replays_other_operations_and_broken_documents_run_on_their_own(
    query: str, variables: dict | None
) -> None:
    assert stream_key(context(), operation(query, variables)) is None


def test_after_left_null_replays_nothing_and_may_share() -> None:
    assert stream_key(context(), operation(WITH_AFTER, {"after": None})) is not None
    assert stream_key(context(), operation(WITH_AFTER, {})) is not None


def test_an_unauthenticated_socket_never_shares() -> None:
    assert stream_key(context(None), operation(LIVE)) is None
