"""The map's base layer: a tile URL from the settings, and the Content-Security-Policy that lets
the page load its images (only when one is configured; without it, grids on a plain ground)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from core.config import Settings
from web.kit.headers import CSP

IMG_SRC = "img-src 'self'"


@dataclass(frozen=True)
class TileLayer:
    """A Leaflet tile URL template, its credit, and the origin its images come from."""

    url: str
    attribution: str
    origin: str


def tile_layer(settings: Settings) -> TileLayer | None:
    """Returns the configured base layer, or None without one (or with a URL that is not an
    http(s) URL of a host)."""
    url = settings.map_tile_url
    if not url:
        return None
    parts = urlsplit(url.replace("{s}", "s-placeholder"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    # Leaflet's {s} stands for subdomains a, b, c: the policy admits them all.
    host = parts.netloc.replace("s-placeholder", "*")
    return TileLayer(
        url=url, attribution=settings.map_tile_attribution, origin=f"{parts.scheme}://{host}"
    )


def map_headers(settings: Settings) -> dict[str, str]:
    """Returns the headers of a page with a map: a policy admitting the tiles' origin, if any."""
    layer = tile_layer(settings)
    if layer is None:
        return {}
    return {"Content-Security-Policy": CSP.replace(IMG_SRC, f"{IMG_SRC} {layer.origin}")}
