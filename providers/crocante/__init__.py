"""Crocante: password (+TOTP) login, fixed and variable staking types, redeem."""

from providers.crocante.adapter import CrocanteAdapter
from providers.crocante.config import CrocanteConfig

__all__ = ["CrocanteAdapter", "CrocanteConfig"]
