"""Users' passwords set by the admin, and the sessions a retired user loses.

A password is refused when it is shorter than MIN_LENGTH, when it is one of the passwords
everyone tries first (or the demo's), a single repeated character, a run like 12345678 or
abcdefgh, or the username with little or only digits added. Users made by an import have no
usable password until one is set here (their hash is NO_PASSWORD, which no password matches).
"""

from __future__ import annotations

from sqlmodel import Session, col, update

from models.admin_checks import Actor
from models.admin_spec import FieldError, Invalid
from models.admin_specs import NO_PASSWORD
from models.audit import SET, record
from models.browser_session import BrowserSession
from models.db import utcnow
from models.user import User, hash_password

MIN_LENGTH = 10
MAX_LENGTH = 72  # bcrypt reads no further
RUNS = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm")
COMMON = frozenset(
    """
    password password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword
    1234567890 0987654321 1qaz2wsx3edc qwertyuiop 1q2w3e4r5t qwerty123 qwerty1234 abc123456
    abcd123456 a123456789 aa123456789 123456789a 123456abc iloveyou123 iloveyou1314 woaini1314
    5201314520 1314520520 admin12345 admin123456 administrator changeme123 welcome123 letmein123
    liandong123 liandong2026 demo123456 test123456 superman123 football123 monkey12345
    dragon12345 sunshine123 princess123 zhang123456 wang1234567 li123456789 888888888888
    666666666666 147258369 159357456 741852963 1234qwer 12345qwert qazwsxedc qazwsxedcrfv
    zaq12wsx zaq1xsw2 !qaz2wsx 1qaz@wsx
    """.split()
)


def password_problem(password: str, *, username: str) -> str | None:
    """Returns why a password is refused (password_short or password_common), or None."""
    if len(password) < MIN_LENGTH:
        return "password_short"
    lowered, name = password.lower(), username.lower()
    rest = lowered.replace(name, "") if name else lowered
    if (
        lowered in COMMON
        or (rest != lowered and (len(rest) < 4 or rest.isdigit()))  # the username and a number
        or len(set(lowered)) <= 2
        or any(lowered in run or lowered in run[::-1] for run in RUNS)
        or lowered in ("demo" * 3, "admin" * 2)
    ):
        return "password_common"
    return None


def revoke_sessions(*, session: Session, username: str) -> None:
    """Ends every browser session of a user (they sign in again, if they still may)."""
    session.exec(  # type: ignore[call-overload]
        update(BrowserSession)
        .where(col(BrowserSession.username) == username, col(BrowserSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def set_password(*, session: Session, username: str, password: str, actor: Actor) -> User:
    """Sets a user's password (the caller commits); their browser sessions end, and the audit
    log records that it was set, never the password. Raises Invalid or LookupError."""
    user = session.get(User, username)
    if user is None:
        raise LookupError(f"user {username}")
    if len(password) > MAX_LENGTH:
        raise Invalid([FieldError(None, "password", "too_long", {"max": MAX_LENGTH})])
    problem = password_problem(password, username=username)
    if problem:
        raise Invalid([FieldError(None, "password", problem, {"min": MIN_LENGTH})])
    had = user.password_hash
    user.password_hash = hash_password(password)
    session.add(user)
    revoke_sessions(session=session, username=username)
    record(
        session=session,
        actor=actor.username,
        role=actor.role,
        subject="user",
        key=username,
        action=SET,
        before={"password": "set" if had and had != NO_PASSWORD else "none"},
        after={"password": "set"},
    )
    return user
