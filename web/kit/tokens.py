"""Bearer tokens for the JSON API: signed JWTs naming the user, role and department."""

from __future__ import annotations

from datetime import timedelta

import jwt

from core.config import load_settings
from models.db import utcnow

ALGORITHM = "HS256"
TOKEN_LIFETIME = timedelta(hours=12)


def issue_token(*, username: str, role: str, department: str | None) -> str:
    """Returns a signed access token for a user."""
    now = utcnow()
    claims = {
        "sub": username,
        "role": role,
        "dept": department,
        "iat": now,
        "exp": now + TOKEN_LIFETIME,
    }
    return jwt.encode(claims, load_settings().secret_key, algorithm=ALGORITHM)


def read_token(token: str) -> str | None:
    """Returns the username a valid token names, or None."""
    try:
        claims = jwt.decode(token, load_settings().secret_key, algorithms=[ALGORITHM])
    except jwt.PyJWTError:
        return None
    sub = claims.get("sub")
    return sub if isinstance(sub, str) else None
