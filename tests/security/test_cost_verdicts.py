"""The cost rules' verdict is remembered per document and variables, never across them."""

from graphql import GraphQLError

from gateway.security.extensions import CostVerdicts

QUERY = "query($n: Int) { stakes(first: $n) { edges { cursor } } }"


def judge_counting(calls: list[dict], errors: list[GraphQLError]):
    def judge(variables: dict):
        def run() -> list[GraphQLError]:
            calls.append(variables)
            return errors

        return run

    return judge


def test_the_same_document_and_variables_are_judged_once() -> None:
    verdicts, calls = CostVerdicts(), []
    judge = judge_counting(calls, [])
    for _ in range(3):
        assert verdicts.cost_errors(QUERY, {"n": 5}, judge({"n": 5})) == ()
    # Key order in the variables does not make a new document.
    assert verdicts.cost_errors(QUERY, {"n": 5}, judge({"n": 5})) == ()
    assert calls == [{"n": 5}]


def test_other_variables_are_judged_on_their_own() -> None:
    verdicts, calls = CostVerdicts(), []
    refused = [GraphQLError("too large")]
    fine = verdicts.cost_errors(QUERY, {"n": 5}, judge_counting(calls, [])({"n": 5}))
    large = verdicts.cost_errors(
        QUERY, {"n": 500}, judge_counting(calls, refused)({"n": 500})
    )
    assert fine == () and [e.message for e in large] == ["too large"]
    again = verdicts.cost_errors(QUERY, {"n": 500}, judge_counting(calls, [])({}))
    assert [e.message for e in again] == ["too large"]
    assert len(calls) == 2


def test_it_forgets_the_oldest_beyond_its_size() -> None:
    verdicts, calls = CostVerdicts(size=2), []
    judge = judge_counting(calls, [])
    for n in (1, 2, 3, 1):
        verdicts.cost_errors(QUERY, {"n": n}, judge({"n": n}))
    assert [c["n"] for c in calls] == [1, 2, 3, 1]
