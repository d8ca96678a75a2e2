"""The fake Crocante: a Starlette app over in-memory state on a simulated clock."""

from providers.crocante.sandbox.sandbox import CrocanteSandbox

__all__ = ["CrocanteSandbox"]
