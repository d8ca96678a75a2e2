"""Subscribers with the same key share one execution; each still falls behind alone."""

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import orjson
import pytest
from graphql import GraphQLError
from strawberry.types.execution import ExecutionResult, PreExecutionError

from gateway.schema.shared_streams import Frame, Member, SharedStreams

KEY = ("client", "subscription { s }", "{}", None)


class Source:
    """A subscription's result stream, fed by the test."""

    def __init__(self) -> None:
        self.opened = 0
        self.closed = 0
        self.queue: asyncio.Queue[Any] = asyncio.Queue()

    async def open(self) -> AsyncGenerator[Any, None]:
        self.opened += 1
        return self._results()

    async def _results(self) -> AsyncGenerator[Any, None]:
        try:
            while (item := await self.queue.get()) is not None:
                yield item
        finally:
            self.closed += 1

    def emit(self, cursor: str) -> None:
        self.queue.put_nowait(
            ExecutionResult(data={"s": {"cursor": cursor}}, errors=None)
        )


async def frame(member: Member) -> Frame:
    return await asyncio.wait_for(member.frames.get(), 2)


def cursor(frame: Frame) -> str:
    return orjson.loads(frame.text)["data"]["s"]["cursor"]


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_members_of_one_key_share_one_execution_and_each_encoded_result() -> None:
    streams, source = SharedStreams(), Source()
    async with streams.member(KEY, source.open) as a:
        async with streams.member(KEY, source.open) as b:
            await settle()
            source.emit("1")
            first_a, first_b = await frame(a), await frame(b)
            assert first_a is first_b  # encoded once, sent to both
            assert cursor(first_a) == "1" and first_a.cursor == "1"
            assert streams.stream_count == 1 and streams.member_count == 2
    assert source.opened == 1


async def test_a_later_member_gets_what_happens_after_it_joined() -> None:
    streams, source = SharedStreams(), Source()
    async with streams.member(KEY, source.open) as early:
        await settle()
        source.emit("1")
        assert cursor(await frame(early)) == "1"
        async with streams.member(KEY, source.open) as late:
            source.emit("2")
            assert cursor(await frame(early)) == "2"
            assert cursor(await frame(late)) == "2"
            assert late.frames.empty()


async def test_the_last_member_leaving_closes_the_source_and_the_next_opens_anew() -> (
    None
):
    streams, source = SharedStreams(), Source()
    async with streams.member(KEY, source.open):
        await settle()
    await settle()
    assert source.closed == 1 and streams.stream_count == 0
    async with streams.member(KEY, source.open) as again:
        await settle()
        source.emit("3")
        assert cursor(await frame(again)) == "3"
    assert source.opened == 2


async def test_different_keys_never_share() -> None:
    streams, source, other = SharedStreams(), Source(), Source()
    async with streams.member(KEY, source.open) as mine:
        async with streams.member(("other", *KEY[1:]), other.open) as theirs:
            await settle()
            other.emit("9")
            assert cursor(await frame(theirs)) == "9"
            assert mine.frames.empty()
            assert streams.stream_count == 2


async def test_a_member_that_does_not_read_falls_behind_alone() -> None:
    streams, source = SharedStreams(member_queue=3), Source()
    async with streams.member(KEY, source.open) as reader:
        async with streams.member(KEY, source.open) as stuck:
            await settle()
            for n in range(10):
                source.emit(str(n))
                assert cursor(await frame(reader)) == str(n)
            kinds = [
                stuck.frames.get_nowait().kind for _ in range(stuck.frames.qsize())
            ]
            assert kinds == ["next", "next", "next", "behind"]
            assert stuck.behind and stuck.dropped == 7


async def test_the_end_of_the_source_completes_every_member() -> None:
    streams, source = SharedStreams(), Source()
    async with streams.member(KEY, source.open) as a:
        async with streams.member(KEY, source.open) as b:
            await settle()
            source.queue.put_nowait(None)
            assert (await frame(a)).kind == (await frame(b)).kind == "complete"
    assert streams.stream_count == 0


@pytest.mark.parametrize("kind", ["pre-execution", "error result"])
async def test_errors_reach_every_member(kind: str) -> None:
    streams, source = SharedStreams(), Source()
    async with streams.member(KEY, source.open) as a:
        async with streams.member(KEY, source.open) as b:
            await settle()
            error = GraphQLError("refused")
            if kind == "pre-execution":
                source.queue.put_nowait(PreExecutionError(data=None, errors=[error]))
                got = await frame(a), await frame(b)
                assert [f.kind for f in got] == ["errors", "errors"]
                assert orjson.loads(got[0].text)[0]["message"] == "refused"
            else:
                source.queue.put_nowait(ExecutionResult(data=None, errors=[error]))
                got = await frame(a), await frame(b)
                assert [f.kind for f in got] == ["next", "next"]
                assert orjson.loads(got[0].text)["errors"][0]["message"] == "refused"
