"""The id of the request being served: in every log line, on the response, and on the
calls made to providers, so one id follows a request from the client to the provider."""

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
# A client's own id is kept when it is a plain token; anything else is replaced.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")

current_request_id: ContextVar[str | None] = ContextVar(
    "gateway_request_id", default=None
)


def request_id_from(incoming: str | None) -> str:
    if incoming is not None and _ACCEPTABLE.match(incoming):
        return incoming
    return uuid.uuid4().hex
