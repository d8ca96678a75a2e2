"""The Zerohash sandbox: a Starlette app speaking the live staking API."""

from providers.zerohash.sandbox.sandbox import ZerohashSandbox

__all__ = ["ZerohashSandbox"]
