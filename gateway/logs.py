"""Log lines as JSON objects, each with the request id it was written for.

`LOG_FORMAT=json` (the default of `serve`) or `text`; `LOG_LEVEL` as usual. Anything a
caller passes in `extra=` becomes a field of the line.
"""

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

from gateway.request_id import current_request_id

# What every LogRecord has: anything else on a record came from `extra=` (but for
# uvicorn's terminal-coloured copy of its message).
_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id.get()
        if request_id is not None:
            line["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = current_request_id.get()
        return f"{text} request_id={request_id}" if request_id else text


def configure_logging(level: str = "info", fmt: str = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx writes a line at info for every provider call (5 per fan-out request, 4.6 %
    # of the CPU at 16 connections). Our own "upstream answer" line says more (provider,
    # status, ms, request id) at debug, and a 5xx at warning; httpx's returns at debug.
    logging.getLogger("httpx").setLevel(
        logging.WARNING if root.level > logging.DEBUG else logging.NOTSET
    )
    # uvicorn's loggers write through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
