"""Sign-ins bound to a browser: a random token in an HttpOnly cookie, its hash in the store.

Why (issue 20, finding 1): a sign-in that lives only in the dashboard's session is taken over by
anyone who resumes that session by its id, and the id travels in every upload URL. A sign-in is
therefore a token the browser holds in a cookie it never shows to scripts (``HttpOnly``,
``SameSite=Strict``); the store keeps the token's SHA-256 only, so a leaked database file signs
nobody in. A sign-in ends at sign-out, when the account is disabled, after ``SHEBAO_IDLE_MINUTES``
(default 30) without a click, and ``SHEBAO_SESSION_HOURS`` (default 12) after it began.

This module keeps the table and its rules; the dashboard sets and reads the cookie.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from compliance import accounts, config, store
from compliance.dates import now_utc

TOUCH_EVERY = dt.timedelta(seconds=60)  # last_seen is written at most once a minute per sign-in
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)

sign_ins = sa.Table(
    "sign_ins", store.metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen", sa.DateTime, nullable=False),
    sa.Column("ended_at", sa.DateTime),
)


def idle_limit() -> dt.timedelta:
    """How long a sign-in lasts without a click: ``SHEBAO_IDLE_MINUTES``, default 30."""
    return dt.timedelta(minutes=config.number("SHEBAO_IDLE_MINUTES"))


def absolute_limit() -> dt.timedelta:
    """How long a sign-in lasts at most: ``SHEBAO_SESSION_HOURS``, default 12."""
    return dt.timedelta(hours=config.number("SHEBAO_SESSION_HOURS"))


def token_hash(token: str) -> str | None:
    """The stored form of a cookie's token; None for anything that is not a token of ours
    (a cookie is attacker-supplied text: it is never hashed or looked up unless well-formed)."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def begin(engine: Engine, username: str, now: dt.datetime | None = None) -> str:
    """A new sign-in of ``username``: returns the token for the cookie (the store keeps its hash).

    Sign-ins that ended or expired more than a day ago are deleted on the way, so the table holds
    about one row per sign-in of the last half day.
    """
    now = now or now_utc()
    token = secrets.token_urlsafe(32)
    stale = now - absolute_limit() - dt.timedelta(days=1)
    with engine.begin() as conn:
        conn.execute(sign_ins.delete().where(sa.or_(sign_ins.c.last_seen < stale, sign_ins.c.ended_at < stale)))
        conn.execute(sign_ins.insert().values(token_hash=token_hash(token), username=username, created_at=now,
                                              last_seen=now))
    return token


@dataclass(frozen=True)
class SignIn:
    """What a token stands for now: the user, or why it no longer signs anyone in."""

    username: str | None
    reason: str | None = None  # "expired" (idle or absolute), "ended" (signed out, disabled), "unknown"


def check(engine: Engine, hashed: str | None, now: dt.datetime | None = None) -> SignIn:
    """Whether the sign-in with token hash ``hashed`` still holds, touching its last use.

    It holds while not ended, less than the idle limit since the last click, less than the absolute
    limit since it began, and while its account exists and is not disabled. A sign-in found expired
    is ended in the store, so it cannot come back when the limits are raised.
    """
    if not hashed:
        return SignIn(None, "unknown")
    now = now or now_utc()
    with engine.connect() as conn:
        row = conn.execute(sa.select(sign_ins, accounts.users.c.disabled)
                           .join(accounts.users, accounts.users.c.username == sign_ins.c.username)
                           .where(sign_ins.c.token_hash == hashed)).first()
    if row is None:
        return SignIn(None, "unknown")
    if row.ended_at is not None or row.disabled:
        return SignIn(None, "ended")
    if now - row.last_seen >= idle_limit() or now - row.created_at >= absolute_limit():
        end(engine, hashed, now)
        return SignIn(None, "expired")
    if now - row.last_seen >= TOUCH_EVERY:
        with engine.begin() as conn:
            conn.execute(sign_ins.update().where(sign_ins.c.token_hash == hashed).values(last_seen=now))
    return SignIn(row.username)


def end(engine: Engine, hashed: str | None, now: dt.datetime | None = None) -> None:
    """End one sign-in (sign-out, expiry): its cookie signs nobody in any more, in any tab."""
    if not hashed:
        return
    with engine.begin() as conn:
        conn.execute(sign_ins.update().where(sign_ins.c.token_hash == hashed, sign_ins.c.ended_at.is_(None))
                     .values(ended_at=now or now_utc()))


def disable_account(engine: Engine, username: str, by: str = "cli") -> None:
    """Disable ``username`` and end its sign-ins, so that re-enabling the account later does not bring
    an old browser's sign-in back."""
    accounts.disable_user(engine, username, by=by)
    end_user(engine, accounts.canonical_username(username))


def end_user(engine: Engine, username: str, now: dt.datetime | None = None) -> int:
    """End every sign-in of ``username`` (disabled, role or employers changed); returns how many."""
    with engine.begin() as conn:
        return conn.execute(sign_ins.update().where(sign_ins.c.username == username,
                                                    sign_ins.c.ended_at.is_(None))
                            .values(ended_at=now or now_utc())).rowcount
