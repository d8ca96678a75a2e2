"""A receiver for the gateway's webhooks, with the standard library only.

    python examples/webhook_receiver.py --secret whsec_… [--port 9000]

It refuses a request whose signature does not match or whose timestamp is more than five
minutes off, and acknowledges a repeated event id without acting on it again (deliveries
are at least once). Register it (sandbox mode allows loopback):

    staking-gateway webhooks add --client <client id> --url http://127.0.0.1:9000/
"""

import argparse
import hashlib
import hmac
import json
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE_SECONDS = 300


def verified(secret: str, timestamp: str, signature: str, body: bytes) -> bool:
    """`Webhook-Signature` is v1=<hex HMAC-SHA256 of "<Webhook-Timestamp>.<body>">."""
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    digest = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return any(
        hmac.compare_digest(f"v1={digest}", s.strip()) for s in signature.split(",")
    )


def handler(secret: str) -> type[BaseHTTPRequestHandler]:
    seen: set[str] = set()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if not verified(
                secret,
                self.headers.get("Webhook-Timestamp", ""),
                self.headers.get("Webhook-Signature", ""),
                body,
            ):
                self.send_response(401)
                self.end_headers()
                return
            event = json.loads(body)
            if event["id"] not in seen:  # keep this in your database, not in memory
                seen.add(event["id"])
                stake = (event["data"].get("stake") or {}).get("providerStakeId")
                print(event["type"], event["cursor"], stake, flush=True)
            # Answer fast: anything but a 2xx is retried, with backoff, for 24 h.
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return Receiver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--secret", required=True)
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args()
    HTTPServer(("127.0.0.1", args.port), handler(args.secret)).serve_forever()


if __name__ == "__main__":
    main()
