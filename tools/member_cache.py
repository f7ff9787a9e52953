"""Who a Slack user is, kept for a short while. Every Slack request asks before its ack, and members
change rarely: a change made through Tally in this process (tools.members) is seen at once, one made
by another process (`app.py members ...` on the command line) within `TTL_SECONDS`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from db.session import Database

TTL_SECONDS = 30.0


@dataclass(frozen=True)
class Known:
    """An active member as the front end needs it; None in the cache is "not an active member"."""

    role: str
    name: str
    timezone: str | None


class MemberCache:
    def __init__(self, ttl: float = TTL_SECONDS, monotonic: Callable[[], float] = time.monotonic):
        self.ttl, self.monotonic = ttl, monotonic
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Known | None]] = {}
        self._generation = 0  # bumped by every forget: a load that began before it is not kept

    def get(self, user_id: str, load: Callable[[str], Known | None]) -> Known | None:
        now = self.monotonic()
        with self._lock:
            entry = self._entries.get(user_id)
            if entry is not None and entry[0] > now:
                return entry[1]
            generation = self._generation
        known = load(user_id)
        with self._lock:
            if generation == self._generation:
                self._entries[user_id] = (now + self.ttl, known)
        return known

    def forget(self, user_id: str | None = None) -> None:
        """After a change to a member (None: to any member), so this process does not serve the old one."""
        with self._lock:
            self._generation += 1
            if user_id is None:
                self._entries.clear()
            else:
                self._entries.pop(user_id, None)


_CACHES: WeakKeyDictionary[Database, MemberCache] = WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def member_cache(db: Database) -> MemberCache:
    """The cache of one database, shared by every service object built on it in this process."""
    with _CACHES_LOCK:
        cache = _CACHES.get(db)
        if cache is None:
            cache = _CACHES[db] = MemberCache()
        return cache
