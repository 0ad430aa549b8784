"""Users and their roles; passwords are kept as bcrypt hashes."""

from __future__ import annotations

import bcrypt
from sqlmodel import Field, SQLModel

ROLES = ("coordinator", "supervisor", "liaison", "inspector", "admin")


class User(SQLModel, table=True):
    """A person who signs in, with one role; a liaison belongs to one department."""

    username: str = Field(primary_key=True, max_length=64)
    display_name: str = Field(max_length=64)
    role: str = Field(max_length=16)
    department: str | None = Field(default=None, foreign_key="department.code")
    password_hash: str = Field(max_length=128)
    email: str | None = Field(default=None, max_length=254)
    active: bool = True


def hash_password(password: str) -> str:
    """Returns the bcrypt hash of a password."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=10)).decode()


def verify_password(password: str, hashed: str) -> bool:
    """Tells whether `password` matches the stored hash."""
    try:
        return bcrypt.checkpw(password.encode(), hashed.encode())
    except ValueError:
        return False
