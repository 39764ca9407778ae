"""The Redis cache, made to degrade rather than fail while Redis is unreachable.

Django's `RedisCache` raises from every call when the server is down, so a stopped Redis would
turn each request that touches the cache (every comment posting, through the flood counters)
into a 500. `ResilientRedisCache` logs the outage once and answers as an empty cache that
forgets what it is told:

- `get`, `get_many`, `has_key`: a miss; `set`, `set_many`, `touch`, `delete`: nothing kept;
- `add`: False, "already there". Byline uses `add` as a do-this-once gate (the confirmation
  mail resend limit, the moderators' follow-up notice, the automatic IP anonymisation run), so
  while the cache is down those once-only actions are skipped rather than repeated without
  limit: no address can be flooded with mail while the limiter is away;
- `incr`/`decr`: `ValueError`, as for a missing key. `comments.moderation.flood_wait` then
  counts the posting as the first of its window: **the flood limits fail open**. Comments keep
  being taken (and go through every moderation rule, the duplicate check and the honeypot),
  only the per-IP and per-address counters are off until Redis answers again.

Counting a posting against a flood limit (`count_in_window`) is one round trip to Redis (a
small script: increment, and set the window's expiry on a new counter), not the three of
Django's `add` and `incr` (which asks whether the key exists before incrementing it).

After a failure Redis is left alone for `RETRY_AFTER_SECONDS` (per process), so an unreachable
server costs one short timeout every few seconds, not one per call. Outage and recovery are
logged once each. `cache_settings` turns a `CACHE_URL` into the `CACHES` entry, with short
socket timeouts unless the URL sets its own.
"""

import logging
import threading
import time

import environ
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

DJANGO_REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"
#: Seconds to wait for Redis to accept a connection or answer, unless CACHE_URL says otherwise
#: (`?socket_timeout=…&socket_connect_timeout=…`). A healthy Redis answers in a millisecond.
REDIS_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
#: How long a process serves without Redis after a failure before asking it again.
RETRY_AFTER_SECONDS = 5.0

#: Add one to a counter, giving a new one its expiry, atomically: a counter never outlives its
#: window, even when it expires between two commands.
COUNT_IN_WINDOW_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('TTL', KEYS[1]) < 0 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
"""

_outages = {}  # servers -> time.monotonic() of the last failure, while unreachable
_outages_lock = threading.Lock()
_UNREACHABLE = object()


def cache_settings(url):
    """The `CACHES["default"]` entry for a django-environ cache URL.

    `rediscache://` gets `ResilientRedisCache` with short socket timeouts; any other URL
    (local memory, files, the database) is left as django-environ parses it.
    """
    config = environ.Env.cache_url_config(url)
    if config["BACKEND"] == DJANGO_REDIS_BACKEND:
        config["BACKEND"] = f"{__name__}.ResilientRedisCache"
        config["OPTIONS"] = {**REDIS_TIMEOUTS, **config.get("OPTIONS", {})}
    return config


def _connection_errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, serving as an empty cache while Redis cannot be reached."""

    @property
    def _outage_key(self):
        return tuple(self._servers)

    def _call(self, operation, *args, **kwargs):
        """Run `operation`, or return `_UNREACHABLE` when Redis cannot be reached."""
        errors = _connection_errors()
        with _outages_lock:
            failed_at = _outages.get(self._outage_key)
        if failed_at is not None and time.monotonic() - failed_at < RETRY_AFTER_SECONDS:
            return _UNREACHABLE
        try:
            result = operation(*args, **kwargs)
        except errors as error:
            self._record_outage(error)
            return _UNREACHABLE
        if failed_at is not None:
            with _outages_lock:
                recovered = _outages.pop(self._outage_key, None) is not None
            if recovered:  # said once per process, whichever thread sees it first
                logger.warning("Cache reachable again: caching and comment flood limits resumed.")
        return result

    def _record_outage(self, error):
        with _outages_lock:
            already_down = self._outage_key in _outages
            _outages[self._outage_key] = time.monotonic()
        if not already_down:
            logger.error(
                "Cache unreachable (%s: %s): serving without it, comment flood limits are off "
                "until it answers again.",
                type(error).__name__,
                error,
            )

    @staticmethod
    def _or(result, fallback):
        return fallback if result is _UNREACHABLE else result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(self._call(super().add, key, value, timeout, version=version), False)

    def get(self, key, default=None, version=None):
        return self._or(self._call(super().get, key, default, version=version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call(super().set, key, value, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(self._call(super().touch, key, timeout, version=version), False)

    def delete(self, key, version=None):
        return self._or(self._call(super().delete, key, version=version), False)

    def get_many(self, keys, version=None):
        return self._or(self._call(super().get_many, keys, version=version), {})

    def has_key(self, key, version=None):
        return self._or(self._call(super().has_key, key, version=version), False)

    def incr(self, key, delta=1, version=None):
        result = self._call(super().incr, key, delta, version=version)
        if result is _UNREACHABLE:
            raise ValueError(f"Key {key!r} cannot be counted: the cache is unreachable.")
        return result

    def count_in_window(self, key, timeout, version=None):
        """Add one to the counter `key` and return its new value; a new counter expires after
        `timeout` seconds. One round trip, atomic. While Redis is unreachable, `ValueError`
        (as `incr`): comments.moderation.flood_wait then fails open.

        The counter is stored as Django's Redis cache stores an integer, so `get` reads it.
        """
        key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(key, write=True)
        result = self._call(client.eval, COUNT_IN_WINDOW_SCRIPT, 1, key, int(timeout))
        if result is _UNREACHABLE:
            raise ValueError(f"Key {key!r} cannot be counted: the cache is unreachable.")
        return int(result)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(self._call(super().set_many, data, timeout, version=version), list(data))

    def delete_many(self, keys, version=None):
        self._call(super().delete_many, keys, version=version)

    def clear(self):
        """Delete this cache's keys: those under its KEY_PREFIX when it has one (other users of
        the same Redis database keep theirs), else the whole database, as Django does."""
        return self._or(self._call(self._clear), False)

    def _clear(self):
        if not self.key_prefix:
            return super().clear()
        client = self._cache.get_client(None, write=True)
        pattern = "".join(f"\\{c}" if c in "*?[]\\" else c for c in self.key_prefix) + ":*"
        batch = []
        for key in client.scan_iter(match=pattern, count=500):
            batch.append(key)
            if len(batch) == 500:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        return True
