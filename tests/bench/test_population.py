"""The bench's many clients: each one's identities are its own, seeded once."""

from bench.population import HOLDINGS, Population
from providers.crocante.sandbox import CrocanteSandbox
from providers.dfns.sandbox import DfnsSandbox
from providers.zerohash.sandbox import ZerohashSandbox


def _sandboxes() -> tuple[DfnsSandbox, ZerohashSandbox, CrocanteSandbox]:
    return DfnsSandbox(), ZerohashSandbox(), CrocanteSandbox()


def test_each_client_holds_its_own_stakes_on_every_provider() -> None:
    dfns, zerohash, crocante = _sandboxes()
    clients = Population(
        {"dfns": dfns, "zerohash": zerohash, "crocante": crocante}
    ).ensure(3)["clients"]
    owners = {p: [c[p][0] for c in clients] for p in HOLDINGS}
    assert all(len(set(ids)) == 3 for ids in owners.values())
    dfns_stakes = dfns.stakes.all(dfns.clock.now())
    for wallet in owners["dfns"]:
        mine = [s for s in dfns_stakes if s.wallet_id == wallet]
        assert len(mine) == HOLDINGS["dfns"]
        assert {s.status for s in mine} == {"Active"}
    for code in owners["zerohash"]:
        mine = [s for s in zerohash.state.stakes.values() if s.participant_code == code]
        assert len(mine) == HOLDINGS["zerohash"]
        assert {s.status for s in mine} == {"staked"}
    for user in owners["crocante"]:
        active = crocante.state.positions_of(user, open_=True)
        redeemed = crocante.state.positions_of(user, open_=False)
        assert (len(active), len(redeemed)) == (2, 1)
        assert len(active) + len(redeemed) == HOLDINGS["crocante"]


def test_asking_again_returns_the_same_clients_and_seeds_only_new_ones() -> None:
    dfns, zerohash, crocante = _sandboxes()
    population = Population({"dfns": dfns, "zerohash": zerohash, "crocante": crocante})
    first = population.ensure(2)["clients"]
    more = population.ensure(3)["clients"]
    assert population.ensure(2)["clients"] == first == more[:2]
    wallets = [s.wallet_id for s in dfns.stakes.all(dfns.clock.now())]
    assert all(wallets.count(c["dfns"][0]) == HOLDINGS["dfns"] for c in more)
