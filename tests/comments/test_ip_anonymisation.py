"""IP addresses are masked once the retention period is over, by the command or the task."""

import datetime
from io import StringIO
from unittest import mock

import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from comments.commenters import retention
from comments.commenters.retention import anonymise_ip, anonymise_old_comments
from comments.models import Comment, DiscussionSettings
from comments.signals import comment_received
from tests.factories import CommentFactory
from tests.helpers import days_ago

NOW = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)


class AnonymiseIpTests(TestCase):
    def test_ipv4_keeps_its_24_bit_network(self):
        assert anonymise_ip("203.0.113.77") == "203.0.113.0"

    def test_ipv6_keeps_its_48_bit_network(self):
        assert anonymise_ip("2001:db8:85a3:8d3:1319:8a2e:370:7348") == "2001:db8:85a3::"
        assert anonymise_ip("2001:db8:85a3:8d3::") == "2001:db8:85a3::"

    def test_an_ipv4_mapped_address_is_masked_as_ipv4(self):
        assert anonymise_ip("::ffff:203.0.113.77") == "203.0.113.0"

    def test_a_masked_address_is_its_own_mask(self):
        for address in ("203.0.113.0", "2001:db8:85a3::", "::"):
            assert anonymise_ip(address) == address


@time_machine.travel(NOW, tick=False)
class AnonymiseOldCommentsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        settings_row = DiscussionSettings.current()
        settings_row.ip_retention_days = 30
        settings_row.save()
        agent = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"
        cls.old_v4 = CommentFactory(
            ip_address="203.0.113.77", user_agent=agent, created_at=days_ago(30, hours=1)
        )
        cls.old_v6 = CommentFactory(
            ip_address="2001:db8:85a3:8d3:1319:8a2e:370:7348",
            user_agent=agent,
            created_at=days_ago(400),
        )
        cls.old_same_ip = CommentFactory(ip_address="203.0.113.77", created_at=days_ago(31))
        cls.old_without_ip = CommentFactory(ip_address=None, created_at=days_ago(90))
        cls.recent = CommentFactory(
            ip_address="198.51.100.23", user_agent=agent, created_at=days_ago(29, hours=23)
        )
        cls.recent_same_ip = CommentFactory(ip_address="203.0.113.77", created_at=days_ago(1))

    def stored(self, comment):
        comment.refresh_from_db()
        return comment.ip_address, comment.user_agent

    def test_comments_past_the_retention_period_are_masked_and_lose_their_user_agent(self):
        count = anonymise_old_comments()

        assert count == 3
        assert self.stored(self.old_v4) == ("203.0.113.0", "")
        assert self.stored(self.old_v6) == ("2001:db8:85a3::", "")
        assert self.stored(self.old_same_ip) == ("203.0.113.0", "")
        assert self.stored(self.old_without_ip) == (None, "")

    def test_recent_comments_keep_their_address_and_user_agent(self):
        anonymise_old_comments()

        assert self.stored(self.recent) == ("198.51.100.23", self.recent.user_agent)
        assert self.stored(self.recent_same_ip)[0] == "203.0.113.77"

    def test_running_again_changes_nothing(self):
        anonymise_old_comments()
        before = list(Comment.objects.values_list("pk", "ip_address", "user_agent"))

        assert anonymise_old_comments() == 0
        assert list(Comment.objects.values_list("pk", "ip_address", "user_agent")) == before

    def test_comments_past_the_retention_period_lose_their_browser_digest(self):
        Comment.objects.update(browser_digest="b" * 64)

        anonymise_old_comments()

        for old in (self.old_v4, self.old_v6, self.old_same_ip, self.old_without_ip):
            old.refresh_from_db()
            assert old.browser_digest == ""
        for recent in (self.recent, self.recent_same_ip):
            recent.refresh_from_db()
            assert recent.browser_digest == "b" * 64

    def test_the_period_comes_from_the_discussion_settings(self):
        settings_row = DiscussionSettings.current()
        settings_row.ip_retention_days = 365
        settings_row.save()

        assert anonymise_old_comments() == 1
        assert self.stored(self.old_v6)[0] == "2001:db8:85a3::"
        assert self.stored(self.old_v4)[0] == "203.0.113.77"

    def test_a_comment_is_masked_once_it_ages_past_the_period(self):
        anonymise_old_comments()
        assert self.stored(self.recent)[0] == "198.51.100.23"

        with time_machine.travel(NOW + datetime.timedelta(hours=2), tick=False):
            assert anonymise_old_comments() == 1

        assert self.stored(self.recent) == ("198.51.100.0", "")

    def test_the_management_command_reports_what_it_did(self):
        out = StringIO()

        call_command("anonymise_comment_ips", stdout=out)
        call_command("anonymise_comment_ips", stdout=out)

        assert out.getvalue().splitlines() == [
            "Anonymised the IP address of 3 comments older than 30 days.",
            "Anonymised the IP address of 0 comments older than 30 days.",
        ]
        assert self.stored(self.old_v4)[0] == "203.0.113.0"

    def test_the_task_does_the_same(self):
        result = retention.anonymise_comment_ips.enqueue()

        assert result.return_value == 3
        assert self.stored(self.old_v6)[0] == "2001:db8:85a3::"

    def test_arriving_comments_queue_the_task_at_most_once_per_period(self):
        cache.delete(retention.AUTO_RUN_CACHE_KEY)

        comment_received.send(sender=Comment, comment=self.recent_same_ip)
        assert self.stored(self.old_v4)[0] == "203.0.113.0"

        late = CommentFactory(ip_address="192.0.2.9", created_at=timezone.now())
        Comment.objects.filter(pk=late.pk).update(created_at=days_ago(60))
        comment_received.send(sender=Comment, comment=self.recent_same_ip)
        assert self.stored(late)[0] == "192.0.2.9"  # queued less than six hours ago

        # The gate expires after AUTO_RUN_EVERY. Moving the clock would not expire it in a
        # Redis cache (CACHE_URL), which keeps its own time: the gate's timeout is checked,
        # and its expiry stood for by deleting it.
        with mock.patch.object(cache, "add", wraps=cache.add) as gate:
            comment_received.send(sender=Comment, comment=self.recent_same_ip)
        assert gate.call_args.kwargs["timeout"] == retention.AUTO_RUN_EVERY.total_seconds()
        cache.delete(retention.AUTO_RUN_CACHE_KEY)
        comment_received.send(sender=Comment, comment=self.recent_same_ip)
        assert self.stored(late)[0] == "192.0.2.0"
