"""Security headers on every response: no sniffing, no framing, same-origin referrers, and a CSP.

The pages load their scripts and styles from /static only (no inline <script>, style="..." or
hx-on), so the policy needs no 'unsafe-inline'. A route may set its own policy (the sandboxed
mail preview does); the API docs page gets one that admits its inline start-up script.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from web.kit.asgi import HttpMiddleware

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
# Swagger UI (/docs, from our own static copy) starts with an inline script.
DOCS_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "worker-src 'self' blob:",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
DOCS_PATHS = ("/docs",)
STATIC = "/static/"


def security_headers(path: str) -> dict[str, str]:
    """Returns the security headers of a response to `path`."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": DOCS_CSP if path in DOCS_PATHS else CSP,
    }
    if not path.startswith(STATIC):
        # Pages and API answers carry names, phone numbers and addresses: no cache keeps them.
        headers["Cache-Control"] = "no-store"
    return headers


class SecurityHeaders(HttpMiddleware):
    """ASGI middleware adding security_headers() to each response that lacks them."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        wanted = security_headers(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI) -> None:
    """Adds the security headers to every response of the app."""
    app.add_middleware(SecurityHeaders)
