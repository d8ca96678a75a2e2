"""Crocante: password (+TOTP) login, fixed and variable staking types, redeem."""

from providers.crocante.adapter import CrocanteAdapter
from providers.crocante.config import CrocanteConfig
from providers.crocante.sandbox import CrocanteSandbox

__all__ = ["CrocanteAdapter", "CrocanteConfig", "CrocanteSandbox"]
