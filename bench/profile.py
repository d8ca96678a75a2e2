"""How much each scenario does: the full run and the CI smoke run (`--quick`)."""

from dataclasses import dataclass

from gateway.domain.enums import Provider

# Fixed injected upstream latency (ms) for the latency scenarios; the floor is the
# slowest upstream's, per round of upstream calls.
LATENCY_MS = {Provider.DFNS: 20.0, Provider.ZEROHASH: 35.0, Provider.CROCANTE: 50.0}
FLOOR_MS = max(LATENCY_MS.values())
P99_BUDGET_MS = 25.0


@dataclass(frozen=True)
class Profile:
    name: str
    quick: bool
    repeats: int
    s1_seconds: float
    s1_connections: int
    s2_single_seconds: float
    s2_rates: tuple[int, ...]
    s2_rate_seconds: float
    s2_saturation_connections: int
    s3_sizes: tuple[int, ...]
    s3_requests: int
    s4_sizes: tuple[int, ...]
    s4_repeats: int
    s5_sizes: tuple[int, ...]
    s5_idle: int
    s5_events: int
    s5_cycles: int
    s6_events: int
    s6_duplicates: int
    s6_connections: int
    s8_events: int


FULL = Profile(
    name="full",
    quick=False,
    repeats=3,
    s1_seconds=5,
    s1_connections=16,
    s2_single_seconds=6,
    s2_rates=(10, 25, 50, 75, 100, 150, 200, 250, 300, 400),
    s2_rate_seconds=6,
    s2_saturation_connections=64,
    s3_sizes=(10, 50, 200),
    s3_requests=5,
    s4_sizes=(1000, 10000),
    s4_repeats=5,
    s5_sizes=(100, 1000, 5000),
    s5_idle=10000,
    s5_events=5,
    s5_cycles=3,
    s6_events=3000,
    s6_duplicates=300,
    s6_connections=16,
    s8_events=3000,
)

QUICK = Profile(
    name="quick",
    quick=True,
    repeats=1,
    s1_seconds=2,
    s1_connections=8,
    s2_single_seconds=2,
    s2_rates=(10,),
    s2_rate_seconds=2,
    s2_saturation_connections=16,
    s3_sizes=(10, 50),
    s3_requests=2,
    s4_sizes=(1000,),
    s4_repeats=2,
    s5_sizes=(100,),
    s5_idle=0,
    s5_events=3,
    s5_cycles=1,
    s6_events=300,
    s6_duplicates=30,
    s6_connections=8,
    s8_events=300,
)

# `--compare`: S1 and S2 only, shorter, for before/after figures of candidate changes.
COMPARE = Profile(
    name="compare",
    quick=False,
    repeats=3,
    s1_seconds=3,
    s1_connections=16,
    s2_single_seconds=3,
    s2_rates=(25, 50, 75, 100, 150, 200),
    s2_rate_seconds=3,
    s2_saturation_connections=64,
    s3_sizes=(),
    s3_requests=0,
    s4_sizes=(),
    s4_repeats=0,
    s5_sizes=(),
    s5_idle=0,
    s5_events=0,
    s5_cycles=0,
    s6_events=0,
    s6_duplicates=0,
    s6_connections=0,
    s8_events=0,
)
