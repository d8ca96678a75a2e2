"""Log lines are JSON objects carrying the request id; slow operations are warnings."""

import logging

import httpx
import orjson
import pytest
import strawberry

from gateway.logs import JsonFormatter, TextFormatter, configure_logging
from gateway.request_id import current_request_id, request_id_from
from gateway.schema.operation_log import operation_log


def record(message: str, **extra: object) -> logging.LogRecord:
    made = logging.makeLogRecord({"name": "gateway.test", "levelname": "WARNING"})
    made.msg = message
    for key, value in extra.items():
        setattr(made, key, value)
    return made


def test_a_json_line_has_the_request_id_and_the_extra_fields() -> None:
    token = current_request_id.set("req-abcdef123")
    try:
        line = orjson.loads(
            JsonFormatter().format(record("upstream answer", status=503))
        )
    finally:
        current_request_id.reset(token)
    assert line["message"] == "upstream answer" and line["level"] == "warning"
    assert line["request_id"] == "req-abcdef123" and line["status"] == 503
    assert line["logger"] == "gateway.test" and line["time"].endswith("+00:00")


def test_uvicorns_coloured_copy_of_its_message_is_left_out() -> None:
    line = orjson.loads(
        JsonFormatter().format(record("Started", color_message="\x1b[36mStarted"))
    )
    assert "color_message" not in line and line["message"] == "Started"


def test_outside_a_request_there_is_no_request_id() -> None:
    assert "request_id" not in orjson.loads(JsonFormatter().format(record("started")))
    assert "request_id" not in TextFormatter().format(record("started"))


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("client-id-0001", True),
        ("a" * 64, True),
        ("short", False),
        ("a" * 65, False),
        ("has spaces in it", False),
        ('"quoted"\r\nInjected: 1', False),
        (None, False),
    ],
)
def test_a_clients_own_request_id_is_kept_only_when_it_is_a_plain_token(
    incoming: str | None, kept: bool
) -> None:
    chosen = request_id_from(incoming)
    assert (chosen == incoming) is kept
    assert 8 <= len(chosen) <= 64


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "hi"


async def test_a_slow_operation_is_a_warning_naming_it(caplog) -> None:
    schema = strawberry.Schema(query=Query, extensions=[operation_log(0.0)])
    with caplog.at_level(logging.WARNING, logger="gateway.operations"):
        result = await schema.execute("query Greeting { hello }")
    assert not result.errors
    [line] = [r for r in caplog.records if r.name == "gateway.operations"]
    assert line.levelno == logging.WARNING and line.getMessage() == "slow operation"
    assert (line.operation, line.type, line.errors) == ("Greeting", "query", 0)


async def test_a_fast_operation_logs_only_at_debug_level(caplog) -> None:
    schema = strawberry.Schema(query=Query, extensions=[operation_log(60.0)])
    with caplog.at_level(logging.INFO, logger="gateway.operations"):
        await schema.execute("{ hello }")
    assert not [r for r in caplog.records if r.name == "gateway.operations"]


@pytest.mark.parametrize(("level", "lines"), [("info", 0), ("debug", 1)])
async def test_a_provider_call_is_logged_only_at_debug(level, lines, capfd) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging(level, "json")
    try:
        transport = httpx.MockTransport(lambda _: httpx.Response(200))
        async with httpx.AsyncClient(transport=transport) as http:
            await http.get("http://provider.test/stakes")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
        logging.getLogger("httpx").setLevel(logging.NOTSET)
    logged = [x for x in capfd.readouterr().err.splitlines() if "provider.test" in x]
    assert len(logged) == lines
