"""The web server: the only place that builds the FastAPI app."""

from __future__ import annotations

import uvicorn

from core.config import load_settings
from web.app import create_app

app = create_app()


def main() -> None:
    """Serves the app on LIANDONG_HOST:LIANDONG_PORT."""
    settings = load_settings()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", proxy_headers=True)


if __name__ == "__main__":
    main()
