"""Client webhooks through the real HTTP stack: registered by mutation, delivered signed
and in order to a receiver on loopback, retried after a 500, pinged, redelivered,
replayed; SSRF URLs refused; another client sees and touches nothing of ours."""

from collections import defaultdict

import pytest

from gateway.domain.enums import (
    ACTION_STATUS_RANK,
    STAKE_STATUS_RANK,
    ActionStatus,
    Provider,
    StakeStatus,
)
from tests.gateway.clients import new_client
from tests.gateway.conftest import DEMO_KEY, start_gateway
from tests.gateway.receiver import Answer, webhook_receiver
from tests.waiting import eventually

REGISTER = """mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    endpoint { id url eventTypes enabled } secret userErrors { code message field } } }"""
PRODUCTS = """query { stakingProducts(provider: CROCANTE) { id providerProductId } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id providerStakeId } userErrors { code } } }"""
LOG = """query { webhookEndpoints { id failingSince deliveries(first: 100) {
  eventId type cursor state attempts
  attemptLog { attempt statusCode latencyMs error attemptedAt } } } }"""
TEST = """mutation($id: ID!) { testWebhook(endpointId: $id) {
  delivered attempt { statusCode latencyMs } userErrors { code } } }"""
REDELIVER = """mutation($eventId: String!) { redeliverWebhook(eventId: $eventId) {
  queued userErrors { code } } }"""
REPLAY = """mutation($after: String!) { replayWebhooks(after: $after) {
  queued lastCursor userErrors { code } } }"""
DELETE = """mutation($id: ID!) { deleteWebhookEndpoint(id: $id) {
  deleted userErrors { code } } }"""
ONE = """query($id: ID!) { webhookEndpoint(id: $id) { id } }"""
ALL_TYPES = ["STAKE_STATUS_CHANGED", "ACTION_STATUS_CHANGED", "REWARD_RECEIVED"]


@pytest.fixture
async def gateway(tmp_path):
    async for running in start_gateway(
        tmp_path,
        WATCHER_FAST_SECONDS=0.3,
        GATEWAY_WEBHOOK_POLL_SECONDS=0.2,
        GATEWAY_WEBHOOK_RETRY_BASE_SECONDS=0.3,
    ):
        yield running


async def register(gateway, key, url, types=ALL_TYPES) -> dict:
    answer = await gateway.graphql(
        REGISTER, {"input": {"url": url, "eventTypes": types}}, key=key
    )
    return answer["createWebhookEndpoint"]


async def crocante_stake(gateway, key) -> dict:
    products = (await gateway.graphql(PRODUCTS, key=key))["stakingProducts"]
    product = next(
        p["id"] for p in products if p["providerProductId"] == "stake_eth_variable"
    )
    created = await gateway.graphql(
        CREATE, {"input": {"productId": product, "amount": "1"}}, key=key
    )
    assert created["createStake"]["userErrors"] == []
    return created["createStake"]["stake"]


def about(received, stake_id: str):
    return [
        r for r in received if (r.json["data"].get("stake") or {}).get("id") == stake_id
    ]


async def test_signed_deliveries_arrive_in_order_and_a_500_is_retried(gateway):
    key = await new_client(gateway, "shop", {Provider.CROCANTE: ["hooks-user"]})
    async with webhook_receiver() as receiver:
        registered = await register(gateway, key, receiver.url)
        assert registered["userErrors"] == [] and registered["secret"].startswith(
            "whsec_"
        )
        receiver.secret = registered["secret"]
        receiver.script.append(Answer(status=500))
        stake = await crocante_stake(gateway, key)
        await gateway.advance("crocante", 2 * 86400)

        def active(got):
            return any(
                r.answered == 200
                and r.json["type"] == "stake.status_changed"
                and r.json["data"]["status"] == "ACTIVE"
                for r in about(got, stake["id"])
            )

        got = about(await receiver.wait_for(active), stake["id"])
        # Asked while the receiver still answers: everything queued gets delivered.
        await eventually(lambda: settled_log(gateway, key), within=20, every=0.1)
        # Read again: the endpoint and its log were two reads, a retry may fall between.
        [endpoint] = (await gateway.graphql(LOG, key=key))["webhookEndpoints"]
    assert got[0].answered == 500
    assert got[1].event_id == got[0].event_id and got[1].answered == 200
    assert all(receiver.signed(r) for r in got)
    delivered = [r.json for r in got if r.answered == 200]
    assert len({d["id"] for d in delivered}) == len(delivered), "each event once"
    ranks: dict[str, list[int]] = defaultdict(list)
    for body in delivered:
        if body["type"] == "stake.status_changed":
            ranks["stake"].append(
                STAKE_STATUS_RANK[StakeStatus(body["data"]["status"])]
            )
        else:
            action = body["data"]["action"]
            ranks[action["id"]].append(
                ACTION_STATUS_RANK[ActionStatus(action["status"])]
            )
    assert all(r == sorted(r) for r in ranks.values()), ranks
    cursors = [int(d["cursor"]) for d in delivered]
    assert cursors == sorted(cursors), "in order per stake"
    assert delivered[0]["data"]["stake"]["providerStakeId"] == stake["providerStakeId"]

    first = next(d for d in endpoint["deliveries"] if d["eventId"] == got[0].event_id)
    assert [a["statusCode"] for a in first["attemptLog"]] == [500, 200]
    assert endpoint["failingSince"] is None, "a success ends the failing streak"


async def settled_log(gateway, key) -> dict | None:
    [endpoint] = (await gateway.graphql(LOG, key=key))["webhookEndpoints"]
    states = {d["state"] for d in endpoint["deliveries"]}
    return endpoint if states == {"DELIVERED"} else None


async def test_a_ping_a_redelivery_and_a_replay_are_signed_and_keep_event_ids(gateway):
    key = await new_client(gateway, "shop", {Provider.CROCANTE: ["replay-user"]})
    async with webhook_receiver() as receiver:
        registered = await register(gateway, key, receiver.url)
        receiver.secret = registered["secret"]
        endpoint_id = registered["endpoint"]["id"]

        pinged = (await gateway.graphql(TEST, {"id": endpoint_id}, key=key))[
            "testWebhook"
        ]
        assert pinged["delivered"] is True and pinged["attempt"]["statusCode"] == 200
        [ping] = receiver.received
        assert ping.json["type"] == "ping" and receiver.signed(ping)

        stake = await crocante_stake(gateway, key)
        first = await receiver.wait_for(lambda got: about(got, stake["id"]))
        event = about(first, stake["id"])[0]
        count = len(receiver.received)

        again = await gateway.graphql(REDELIVER, {"eventId": event.event_id}, key=key)
        assert again["redeliverWebhook"] == {"queued": 1, "userErrors": []}

        def copies(got):
            return [r for r in got[count:] if r.event_id == event.event_id]

        [copy] = copies(await receiver.wait_for(copies))
        assert copy.body == event.body

        before = str(int(event.json["cursor"]) - 1)
        replayed = (await gateway.graphql(REPLAY, {"after": before}, key=key))[
            "replayWebhooks"
        ]
        assert replayed["queued"] >= 1 and replayed["userErrors"] == []
        got = await receiver.wait_for(lambda got: len(copies(got)) == 2)
        assert copies(got)[1].json["cursor"] == event.json["cursor"]
        assert all(receiver.signed(r) for r in got)


REFUSED = [
    "http://10.1.2.3/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://192.168.0.10:8080/",
    "http://[::ffff:172.16.0.1]/",
    "http://[fe80::1]/",
    "http://0.0.0.0:9/",
    "ftp://example.com/",
    "http://user:pw@127.0.0.1/",
]


async def test_a_private_link_local_or_malformed_url_is_refused(gateway):
    for url in REFUSED:
        answer = await register(gateway, DEMO_KEY, url)
        assert answer["endpoint"] is None and answer["secret"] is None, url
        assert [e["code"] for e in answer["userErrors"]] == ["INVALID_INPUT"], url
    assert (await gateway.graphql(LOG))["webhookEndpoints"] == []


async def test_another_client_sees_and_touches_nothing_of_ours(gateway):
    ours = await new_client(gateway, "ours", {Provider.CROCANTE: ["our-user"]})
    theirs = await new_client(gateway, "theirs", {Provider.CROCANTE: ["their-user"]})
    async with webhook_receiver() as our_hook, webhook_receiver() as their_hook:
        mine = await register(gateway, ours, our_hook.url)
        await register(gateway, theirs, their_hook.url)
        endpoint_id = mine["endpoint"]["id"]
        our_stake = await crocante_stake(gateway, ours)
        their_stake = await crocante_stake(gateway, theirs)
        await our_hook.wait_for(lambda got: about(got, our_stake["id"]))
        await their_hook.wait_for(lambda got: about(got, their_stake["id"]))
        event_id = our_hook.received[0].event_id

        listed = (await gateway.graphql(LOG, key=theirs))["webhookEndpoints"]
        assert [e["id"] for e in listed] != [endpoint_id] and len(listed) == 1
        assert (await gateway.graphql(ONE, {"id": endpoint_id}, key=theirs)) == {
            "webhookEndpoint": None
        }
        tested = await gateway.graphql(TEST, {"id": endpoint_id}, key=theirs)
        assert tested["testWebhook"]["userErrors"] == [{"code": "NOT_FOUND"}]
        redelivered = await gateway.graphql(
            REDELIVER, {"eventId": event_id}, key=theirs
        )
        assert redelivered["redeliverWebhook"]["userErrors"] == [{"code": "NOT_FOUND"}]
        deleted = await gateway.graphql(DELETE, {"id": endpoint_id}, key=theirs)
        assert deleted["deleteWebhookEndpoint"]["deleted"] is False
        replayed = await gateway.graphql(REPLAY, {"after": "0"}, key=theirs)
        assert replayed["replayWebhooks"]["userErrors"] == []

        ours_seen = {r.json["data"]["stake"]["owner"] for r in our_hook.received}
        theirs_seen = {r.json["data"]["stake"]["owner"] for r in their_hook.received}
    assert ours_seen == {"our-user"} and theirs_seen == {"their-user"}
    assert (await gateway.graphql(ONE, {"id": endpoint_id}, key=ours))[
        "webhookEndpoint"
    ] == {"id": endpoint_id}
