"""The web server: the only place that builds the FastAPI app."""

from __future__ import annotations

import uvicorn

from core.config import load_settings
from web.app import create_app

app = create_app()


def main() -> None:
    """Serves the app on LIANDONG_HOST:LIANDONG_PORT."""
    settings = load_settings()
    # Forwarded headers are believed only behind our own proxy (LIANDONG_TRUST_PROXY=1);
    # otherwise a client could pick its own address and slip past the sign-in limits.
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        proxy_headers=settings.trust_proxy,
    )


if __name__ == "__main__":
    main()
