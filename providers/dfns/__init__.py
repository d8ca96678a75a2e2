"""Dfns: staking and DeFi allocations behind User Action Signing, and its sandbox."""

from providers.dfns.adapter import DfnsAdapter
from providers.dfns.config import DfnsConfig
from providers.dfns.sandbox import DfnsSandbox

__all__ = ["DfnsAdapter", "DfnsConfig", "DfnsSandbox"]
