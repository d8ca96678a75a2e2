"""Dfns: staking and DeFi allocations behind User Action Signing."""

from providers.dfns.adapter import DfnsAdapter
from providers.dfns.config import DfnsConfig

__all__ = ["DfnsAdapter", "DfnsConfig"]
