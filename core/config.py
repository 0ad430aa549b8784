"""Settings from environment variables, so that two copies can run side by side."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from core.naming import TASK_QUEUE


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    """Runtime settings of one Liandong installation."""

    data_dir: Path
    port: int
    host: str
    temporal_port: int
    temporal_ui_port: int
    temporal_address: str
    temporal_namespace: str
    task_queue: str
    database_url: str
    demo: bool
    public_url: str
    # Outgoing mail (LIANDONG_SMTP_*): tls is none, starttls or tls; no host means no sending.
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_tls: str = "none"
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_sender: str = "联动 Liandong <noreply@liandong.local>"
    # LIANDONG_TRUST_PROXY=1: a reverse proxy of ours sets X-Forwarded-For (rate limits use it).
    trust_proxy: bool = False
    # LIANDONG_ENV=production: no generated secret key, no demo mode.
    production: bool = False
    # The map's base layer (LIANDONG_MAP_TILE_URL, a Leaflet URL template such as
    # https://{s}.tile.example.cn/{z}/{x}/{y}.png) and its credit; without one, grids on a plain
    # background.
    map_tile_url: str | None = None
    map_tile_attribution: str = ""

    @property
    def secret_key(self) -> str:
        """Returns the signing key: LIANDONG_SECRET_KEY, else one kept in the data directory."""
        key = os.environ.get("LIANDONG_SECRET_KEY")
        if key:
            return key
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def load_settings() -> Settings:
    """Reads the settings from the environment."""
    data_dir = Path(_env("LIANDONG_DATA_DIR", "var")).resolve()
    port = int(_env("LIANDONG_PORT", "8000"))
    host = _env("LIANDONG_HOST", "127.0.0.1")
    temporal_port = int(_env("LIANDONG_TEMPORAL_PORT", "7233"))
    temporal_ui_port = int(_env("LIANDONG_TEMPORAL_UI_PORT", str(temporal_port + 1000)))
    return Settings(
        data_dir=data_dir,
        port=port,
        host=host,
        temporal_port=temporal_port,
        temporal_ui_port=temporal_ui_port,
        temporal_address=_env("LIANDONG_TEMPORAL_ADDRESS", f"127.0.0.1:{temporal_port}"),
        temporal_namespace=_env("LIANDONG_TEMPORAL_NAMESPACE", "default"),
        task_queue=_env("LIANDONG_TASK_QUEUE", TASK_QUEUE),
        database_url=_env("LIANDONG_DATABASE_URL", f"sqlite:///{data_dir / 'liandong.db'}"),
        demo=_env("LIANDONG_DEMO", "0") == "1",
        public_url=_env("LIANDONG_PUBLIC_URL", f"http://{host}:{port}"),
        smtp_host=_env("LIANDONG_SMTP_HOST", "localhost"),
        smtp_port=int(_env("LIANDONG_SMTP_PORT", "25")),
        smtp_tls=_env("LIANDONG_SMTP_TLS", "none").lower(),
        smtp_user=_env("LIANDONG_SMTP_USER", ""),
        smtp_password=_env("LIANDONG_SMTP_PASSWORD", ""),
        smtp_sender=_env("LIANDONG_SMTP_SENDER", "联动 Liandong <noreply@liandong.local>"),
        trust_proxy=_env("LIANDONG_TRUST_PROXY", "0") == "1",
        production=_env("LIANDONG_ENV", "") == "production",
        map_tile_url=_env("LIANDONG_MAP_TILE_URL", "").strip() or None,
        map_tile_attribution=_env("LIANDONG_MAP_TILE_ATTRIBUTION", ""),
    )


# Keys seen in examples and templates: a server signing sessions with one of them is open to all.
KNOWN_KEYS = {"", "secret", "changeme", "change-me", "dev", "development", "test", "liandong"}
MIN_KEY_LENGTH = 32


def production_problems(settings: Settings) -> list[str]:
    """Returns why this installation may not start in production (empty when it may)."""
    if not settings.production:
        return []
    problems = []
    key = os.environ.get("LIANDONG_SECRET_KEY", "")
    if key.strip().lower() in KNOWN_KEYS or len(key) < MIN_KEY_LENGTH:
        problems.append(
            f"LIANDONG_SECRET_KEY is missing, a default or shorter than {MIN_KEY_LENGTH} characters"
        )
    if settings.demo:
        problems.append("LIANDONG_DEMO=1: demo accounts must not exist in production")
    return problems
