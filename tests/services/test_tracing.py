"""A request's upstream report reads the same however its provider calls raced."""

from gateway.domain.enums import Provider
from gateway.services.tracing import RequestTrace, current_trace, trace_call


def test_providers_are_reported_in_one_order_whichever_answered_first() -> None:
    trace = RequestTrace()
    token = current_trace.set(trace)
    try:
        trace_call(Provider.CROCANTE, 0.003, failed=False)
        trace_call(Provider.ZEROHASH, 0.002, failed=True)
        trace_call(Provider.DFNS, 0.001, failed=False)
    finally:
        current_trace.reset(token)

    report = trace.as_dict()

    assert list(report) == ["DFNS", "ZEROHASH", "CROCANTE"]
    assert report["ZEROHASH"] == {
        "calls": 1,
        "sharedWithInFlight": 0,
        "failures": 1,
        "latencyMs": 2.0,
    }
