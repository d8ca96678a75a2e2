"""Counts the requests each sandbox serves, by endpoint: the upstream call counters."""

import re
from collections import Counter

from starlette.types import ASGIApp, Receive, Scope, Send

# Path segments that are ids (stake ids, wallet ids, uuids) collapse to one endpoint.
_ID = re.compile(r"^(?=.*\d)[\w.:-]{6,}$")


def endpoint_of(method: str, path: str) -> str:
    parts = ["{id}" if _ID.match(part) else part for part in path.split("/") if part]
    return f"{method} /" + "/".join(parts)


class CallCounter:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def reset(self) -> None:
        self.calls.clear()

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def counted(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and "/_sandbox/" not in scope["path"]:
                self.calls[endpoint_of(scope["method"], scope["path"])] += 1
            await app(scope, receive, send)

        return counted
