"""Who may call the gateway, and how much: authentication (API keys and JWTs), query
limits, rate limits, connection caps, trusted documents and production hardening.
"""

from gateway.security.extensions import security_extensions
from gateway.security.guard import Guard, secured_lifespan
from gateway.security.middleware import SecurityMiddleware
from gateway.security.rate_limit import RateLimited
from gateway.security.settings import SecuritySettings
from gateway.security.tokens import JwtConfig, JwtVerifier

__all__ = [
    "Guard",
    "JwtConfig",
    "JwtVerifier",
    "RateLimited",
    "SecurityMiddleware",
    "SecuritySettings",
    "secured_lifespan",
    "security_extensions",
]
