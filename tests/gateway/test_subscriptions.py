"""Subscriptions: live events, resume by cursor without gap or duplicate, both WebSocket
subprotocols, server pings, and nobody else's events."""

import pytest
import websockets

from gateway.domain.enums import Provider
from tests.gateway.clients import new_client
from tests.gateway.conftest import start_gateway
from tests.gateway.ws import subscriber
from tests.waiting import eventually

PRODUCTS = """query { stakingProducts(provider: CROCANTE) { id providerProductId } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id status } userErrors { code } } }"""
UNSTAKE = """mutation($input: UnstakeInput!) { unstake(input: $input) {
  stake { status } userErrors { code } } }"""
WATCH = """subscription($after: String, $provider: Provider) {
  stakeStatusChanged(after: $after, provider: $provider) {
    cursor status previousStatus source stake { id providerStakeId status } } }"""
ACTIONS = """subscription($after: String) {
  actionStatusChanged(provider: CROCANTE, after: $after) {
    cursor status action { kind } } }"""
# A new client's history starts empty: from the first cursor, a subscriber gets every
# event of its own, whether it came before the subscription was live or after (no
# sleep before the mutation, so nothing to miss on a loaded machine).
FROM_THE_START = {"after": "0"}


async def variable_product(gateway, key) -> str:
    products = (await gateway.graphql(PRODUCTS, key=key))["stakingProducts"]
    return next(
        p["id"] for p in products if p["providerProductId"] == "stake_eth_variable"
    )


async def stake_and_redeem(gateway, key, product) -> str:
    created = await gateway.graphql(
        CREATE, {"input": {"productId": product, "amount": "1"}}, key=key
    )
    stake_id = created["createStake"]["stake"]["id"]
    redeemed = await gateway.graphql(UNSTAKE, {"input": {"stakeId": stake_id}}, key=key)
    assert redeemed["unstake"]["userErrors"] == []
    return stake_id


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_a_subscriber_sees_each_change_of_its_stakes_live(gateway, protocol):
    key = await new_client(gateway, "live", {Provider.CROCANTE: ["live-user"]})
    product = await variable_product(gateway, key)
    async with subscriber(gateway.url, key, protocol) as client:
        await client.subscribe(WATCH, {"provider": "CROCANTE", **FROM_THE_START})
        stake_id = await stake_and_redeem(gateway, key, product)
        first = (await client.next_data())["stakeStatusChanged"]
        second = (await client.next_data())["stakeStatusChanged"]
    assert first["stake"]["id"] == second["stake"]["id"] == stake_id
    assert (first["status"], first["source"]) == ("ACTIVE", "MUTATION")
    assert (second["previousStatus"], second["status"]) == ("ACTIVE", "WITHDRAWN")
    assert int(second["cursor"]) > int(first["cursor"])


async def test_resuming_after_a_cursor_replays_what_was_missed_once_in_order(gateway):
    key = await new_client(gateway, "resume", {Provider.CROCANTE: ["resume-user"]})
    product = await variable_product(gateway, key)
    async with subscriber(gateway.url, key) as client:
        await client.subscribe(WATCH, {"provider": "CROCANTE", **FROM_THE_START})
        await stake_and_redeem(gateway, key, product)
        seen = [(await client.next_data())["stakeStatusChanged"] for _ in range(2)]
    mark = seen[0]["cursor"]
    # While disconnected, more happens.
    missed_stake = await stake_and_redeem(gateway, key, product)
    async with subscriber(gateway.url, key) as client:
        await client.subscribe(WATCH, {"after": mark, "provider": "CROCANTE"})
        replayed = [(await client.next_data())["stakeStatusChanged"] for _ in range(3)]
        await stake_and_redeem(gateway, key, product)
        live = [(await client.next_data())["stakeStatusChanged"] for _ in range(2)]
        with pytest.raises(TimeoutError):
            await client.next_data(within=0.5)
    cursors = [int(e["cursor"]) for e in replayed + live]
    assert cursors == sorted(set(cursors)), "no duplicate, in order"
    assert replayed[0]["cursor"] == seen[1]["cursor"]
    assert [e["stake"]["id"] for e in replayed[1:]] == [missed_stake, missed_stake]


async def test_a_client_never_receives_another_clients_events(gateway):
    mine = await new_client(gateway, "mine", {Provider.CROCANTE: ["alice-sub"]})
    theirs = await new_client(gateway, "theirs", {Provider.CROCANTE: ["bob-sub"]})
    product = await variable_product(gateway, mine)
    async with subscriber(gateway.url, theirs) as spy:
        # From the first cursor, a leak would reach the spy whenever it attached.
        await spy.subscribe(WATCH, FROM_THE_START)
        await spy.subscribe(ACTIONS, FROM_THE_START, op_id="2")
        await stake_and_redeem(gateway, mine, product)
        with pytest.raises(TimeoutError):
            await spy.next_data(within=1.0)


async def test_a_websocket_without_a_key_is_refused(gateway):
    with pytest.raises(websockets.ConnectionClosed) as refused:
        async with subscriber(gateway.url, None):
            pass
    assert refused.value.rcvd is not None and refused.value.rcvd.code == 4403


async def test_the_server_pings_idle_graphql_transport_ws_clients(tmp_path):
    async for gateway in start_gateway(
        tmp_path, WS_PING_SECONDS=0.2, WATCHER_ENABLED=False
    ):
        key = await new_client(gateway, "idle", {Provider.CROCANTE: ["idle-user"]})
        async with subscriber(gateway.url, key) as client:
            await client.subscribe(WATCH)
            with pytest.raises(TimeoutError):
                await client.next_data(within=0.9)
            assert client.pings >= 2


async def test_nested_fields_of_each_pushed_event_are_read_after_the_change(gateway):
    key = await new_client(gateway, "fresh", {Provider.CROCANTE: ["fresh-user"]})
    product = await variable_product(gateway, key)
    watch = """subscription($after: String) {
      stakeStatusChanged(provider: CROCANTE, after: $after) {
        status stake { statusHistory { to } } } }"""
    async with subscriber(gateway.url, key) as client:
        await client.subscribe(watch, FROM_THE_START)
        await stake_and_redeem(gateway, key, product)
        first = (await client.next_data())["stakeStatusChanged"]
        second = (await client.next_data())["stakeStatusChanged"]
    assert [h["to"] for h in first["stake"]["statusHistory"]][-1] == "ACTIVE"
    assert [h["to"] for h in second["stake"]["statusHistory"]] == [
        "ACTIVE",
        "WITHDRAWN",
    ]


async def metric(gateway, name: str) -> float:
    text = (await gateway.http.get("/metrics")).text
    line = next(x for x in text.splitlines() if x.startswith(name + " "))
    return float(line.split()[1])


async def subscriptions_are(gateway, *, subscriptions: int, shared_streams: int):
    return (
        await metric(gateway, "gateway_subscriptions") == subscriptions
        and await metric(gateway, "gateway_shared_streams") == shared_streams
    )


async def test_subscribers_asking_the_same_thing_share_one_stream_yet_leave_alone(
    gateway,
):
    key = await new_client(gateway, "shared", {Provider.CROCANTE: ["shared-user"]})
    product = await variable_product(gateway, key)
    live = {"provider": "CROCANTE"}
    async with (
        subscriber(gateway.url, key) as first,
        subscriber(gateway.url, key) as second,
        subscriber(gateway.url, key) as replaying,
    ):
        await first.subscribe(WATCH, live)
        await second.subscribe(WATCH, live)
        # A replay from a cursor is its subscriber's own stream.
        await replaying.subscribe(WATCH, {**live, "after": "0"})
        await eventually(
            lambda: subscriptions_are(gateway, subscriptions=3, shared_streams=1)
        )
        stake_id = await stake_and_redeem(gateway, key, product)
        for client in (first, second):
            events = [
                (await client.next_data())["stakeStatusChanged"] for _ in range(2)
            ]
            assert [e["status"] for e in events] == ["ACTIVE", "WITHDRAWN"]
            assert {e["stake"]["id"] for e in events} == {stake_id}
        # One member leaves; the other still follows, on the same stream.
        await first.socket.send('{"id": "1", "type": "complete"}')
        await eventually(
            lambda: subscriptions_are(gateway, subscriptions=2, shared_streams=1)
        )
        again = await stake_and_redeem(gateway, key, product)
        followed = (await second.next_data())["stakeStatusChanged"]
        assert followed["stake"]["id"] == again
        with pytest.raises(TimeoutError):
            await first.next_data(within=0.5)
