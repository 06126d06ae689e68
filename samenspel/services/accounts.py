"""Accounts: password hashing with argon2 (argon2-cffi: a maintained, memory-hard hash)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session, *, username: str, password: str, demo_mode: bool):
    """The user with this name and password, or None. Demo accounts only in demo mode."""
    from sqlmodel import select

    from samenspel.models import User

    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None or not user.password_hash:
        return None
    if user.is_demo and not demo_mode:
        return None
    return user if verify_password(user.password_hash, password) else None
