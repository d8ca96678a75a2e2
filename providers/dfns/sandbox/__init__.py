"""The fake Dfns: staking and allocations behind real User Action Signing checks."""

from providers.dfns.sandbox.sandbox import DfnsSandbox

__all__ = ["DfnsSandbox"]
