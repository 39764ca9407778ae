"""The Redis cache: the documented CACHE_URL works, and a Redis that stops breaks nothing.

Every test runs a redis-server of its own (tests/servers.py), started and stopped for real.
"""

from unittest import mock

from django.core import mail
from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from comments.commenters import retention, verification
from comments.models import Comment, DiscussionSettings
from comments.signals import comment_received
from config import cache as resilient
from config.cache import cache_settings
from tests.comments.posting import valid_data
from tests.factories import ArticleFactory, CommentFactory, HeldCommentFactory
from tests.servers import RedisServer


class RedisTestCase(TestCase):
    """The default cache is a Redis of the test's own, through the documented CACHE_URL."""

    def setUp(self):
        self.redis = RedisServer().start()
        self.addCleanup(self.redis.close)
        caches = {"default": cache_settings(self.redis.cache_url)}
        self.enterContext(override_settings(CACHES=caches))
        self.addCleanup(resilient._outages.clear)

    def redis_keys(self):
        import redis

        client = redis.Redis.from_url(self.redis.url)
        try:
            return [key.decode() for key in client.keys("*")]
        finally:
            client.close()

    def command_calls(self):
        """How many times each Redis command ran on the test's server ({"eval": 2, ...})."""
        import redis

        client = redis.Redis.from_url(self.redis.url)
        try:
            stats = client.info("commandstats")
        finally:
            client.close()
        return {name.removeprefix("cmdstat_"): row["calls"] for name, row in stats.items()}

    def redis_ttl(self, key):
        import redis

        client = redis.Redis.from_url(self.redis.url)
        try:
            return client.ttl(cache.make_key(key))
        finally:
            client.close()

    def post(self, article, **overrides):
        return self.client.post(
            reverse("comments:post", kwargs={"slug": article.slug}),
            valid_data(**overrides),
            REMOTE_ADDR="203.0.113.7",
        )


class CacheUrlTests(TestCase):
    def test_a_redis_url_gets_the_resilient_backend_with_short_timeouts(self):
        config = cache_settings("rediscache://127.0.0.1:6379/1")

        assert config["BACKEND"] == "config.cache.ResilientRedisCache"
        assert config["LOCATION"] == "redis://127.0.0.1:6379/1"
        assert config["OPTIONS"] == {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}

    def test_timeouts_given_in_the_url_win(self):
        config = cache_settings("rediscache://127.0.0.1:6379/1?socket_timeout=2")

        assert config["OPTIONS"]["socket_timeout"] == 2
        assert config["OPTIONS"]["socket_connect_timeout"] == 0.5

    def test_other_caches_are_left_as_django_environ_reads_them(self):
        assert cache_settings("locmemcache://") == {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "",
        }


class PostingThroughRedisTests(RedisTestCase):
    def test_a_comment_posts_through_the_documented_redis_cache(self):
        article = ArticleFactory()

        response = self.post(article)

        assert response.status_code == 302
        assert Comment.objects.get().body == valid_data()["body"]
        assert any(":comments:flood:ip:" in key for key in self.redis_keys())

    def test_the_flood_limit_counts_in_redis(self):
        article = ArticleFactory()
        DiscussionSettings.objects.update(comments_per_ip_per_minute=2)

        statuses = [self.post(article, body=f"Point number {n}.").status_code for n in range(3)]

        assert statuses == [302, 302, 429]
        assert Comment.objects.count() == 2

    def test_each_flood_limit_counts_a_posting_in_one_round_trip(self):
        article = ArticleFactory()
        assert self.post(article).status_code == 302
        before = self.command_calls()

        assert self.post(article, body="A second point.").status_code == 302

        after = self.command_calls()
        # The IP's counter and the address's: one script each, not add + exists + incr.
        assert after.get("eval", 0) - before.get("eval", 0) == 2
        assert after.get("exists", 0) == before.get("exists", 0)

    def test_a_counter_counts_in_its_window_and_expires_with_it(self):
        assert cache.count_in_window("window", 65) == 1
        assert cache.count_in_window("window", 65) == 2

        assert cache.get("window") == 2  # stored as the cache stores any integer
        assert 0 < self.redis_ttl("window") <= 65

    def test_a_counter_left_without_expiry_gets_one(self):
        cache.set("window", 7, timeout=None)

        assert cache.count_in_window("window", 65) == 8
        assert 0 < self.redis_ttl("window") <= 65


class RedisStoppedTests(RedisTestCase):
    def test_posting_and_pages_keep_working_when_redis_stops(self):
        article = ArticleFactory()
        assert self.post(article, body="Before the outage.").status_code == 302

        self.redis.stop()
        with self.assertLogs("config.cache", "ERROR") as logs:
            page = self.client.get(article.get_absolute_url())
            posted = self.post(article, body="During the outage.")
            again = self.post(article, body="Still during the outage.")

        assert page.status_code == 200
        assert posted.status_code == 302
        assert again.status_code == 302
        assert sorted(Comment.objects.values_list("body", flat=True)) == [
            "Before the outage.",
            "During the outage.",
            "Still during the outage.",
        ]
        [message] = logs.output  # the outage is logged once, not once per call
        assert "Cache unreachable (ConnectionError" in message
        assert "flood limits are off" in message

    def test_flood_limits_fail_open_while_redis_is_down(self):
        article = ArticleFactory()
        DiscussionSettings.objects.update(comments_per_ip_per_minute=1)
        self.redis.stop()

        with self.assertLogs("config.cache", "ERROR"):
            statuses = [self.post(article, body=f"Point {n}.").status_code for n in range(3)]

        assert statuses == [302, 302, 302]
        assert Comment.objects.count() == 3

    def test_the_cache_answers_as_an_empty_forgetful_cache_while_down(self):
        cache.set("kept", "before")
        self.redis.stop()

        with self.assertLogs("config.cache", "ERROR"):
            assert cache.get("kept") is None
            assert cache.get("kept", "default") == "default"
            assert cache.set("new", 1) is None
            assert cache.add("new", 1) is False
            assert cache.get_many(["kept", "new"]) == {}
            assert cache.has_key("kept") is False
            assert cache.delete("kept") is False
            assert cache.touch("kept") is False
            assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
            assert cache.delete_many(["a", "b"]) is None
            assert cache.clear() is False
            with self.assertRaises(ValueError):
                cache.incr("counter")
            with self.assertRaises(ValueError):
                cache.count_in_window("counter", 60)

    def test_redis_is_left_alone_for_a_few_seconds_then_used_again(self):
        self.redis.stop()
        with self.assertLogs("config.cache", "ERROR"):
            cache.set("key", "lost")
        self.redis.start()

        cache.set("key", "still skipped")  # within RETRY_AFTER_SECONDS of the failure
        assert self.redis_keys() == []

        with (
            mock.patch.object(resilient, "RETRY_AFTER_SECONDS", 0),
            self.assertLogs("config.cache", "WARNING") as logs,
        ):
            cache.set("key", "kept")
        assert cache.get("key") == "kept"
        assert logs.output == [
            "WARNING:config.cache:Cache reachable again: caching and comment flood limits resumed."
        ]

    def test_a_restarted_redis_is_used_again_without_an_outage(self):
        cache.set("key", "before")
        self.redis.stop()
        self.redis.start()  # the pooled connection is stale now

        cache.set("key", "after")

        assert cache.get("key") == "after"


class OtherCacheUsersWhileRedisIsDownTests(RedisTestCase):
    """The once-only gates built on `cache.add` skip their action rather than repeat it."""

    def test_no_confirmation_mail_is_sent_while_the_resend_limit_cannot_be_checked(self):
        comment = HeldCommentFactory()
        self.redis.stop()

        with self.captureOnCommitCallbacks(execute=True), self.assertLogs("config.cache"):
            sent = verification.request_confirmation(comment)

        assert sent is False
        assert mail.outbox == []

    def test_arriving_comments_do_not_queue_the_ip_anonymisation_while_down(self):
        old = CommentFactory(ip_address="192.0.2.9")
        Comment.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - retention.AUTO_RUN_EVERY * 1000
        )
        self.redis.stop()

        with self.assertLogs("config.cache"):
            comment_received.send(sender=Comment, comment=old)

        old.refresh_from_db()
        assert old.ip_address == "192.0.2.9"  # left to `manage.py anonymise_comment_ips`


class ScopedClearTests(RedisTestCase):
    def test_clear_deletes_only_the_keys_under_the_cache_key_prefix(self):
        import redis

        other = redis.Redis.from_url(self.redis.url)
        self.addCleanup(other.close)
        other.set("someone-else:1:key", "theirs")
        other.set("unprefixed", "theirs")
        config = {**cache_settings(self.redis.cache_url), "KEY_PREFIX": "byline[1]"}
        with override_settings(CACHES={"default": config}):
            for n in range(1200):
                cache.set(f"key-{n}", n)

            assert cache.clear() is True

            assert cache.get("key-1") is None
        assert sorted(self.redis_keys()) == ["someone-else:1:key", "unprefixed"]
