"""The client's address behind reverse proxies (config/proxy.py).

Without TRUSTED_PROXY_COUNT or TRUSTED_PROXY_NETWORKS nothing in X-Forwarded-For is believed;
with them, the address is the right-most hop no trusted proxy wrote, so a client cannot choose
its own address by sending the header itself.
"""

import datetime

import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, DiscussionSettings
from config.proxy import ClientAddressMiddleware
from tests.comments.posting import valid_data
from tests.factories import ArticleFactory

PROXY = "10.0.0.2"
CLIENT = "203.0.113.7"


def client_address(remote_addr=PROXY, forwarded_for=None, **headers):
    """REMOTE_ADDR as the views see it after the middleware, for one request."""
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)
    middleware = ClientAddressMiddleware(lambda request: HttpResponse())
    middleware(request)
    return request.META["REMOTE_ADDR"]


class WithoutATrustedProxyTests(SimpleTestCase):
    def test_forwarded_for_is_ignored(self):
        assert client_address(remote_addr=CLIENT, forwarded_for="198.51.100.9") == CLIENT

    def test_a_request_without_the_header_keeps_its_address(self):
        assert client_address(remote_addr=CLIENT) == CLIENT


@override_settings(TRUSTED_PROXY_COUNT=1)
class OneProxyTests(SimpleTestCase):
    def test_the_address_the_proxy_saw_is_the_clients(self):
        assert client_address(forwarded_for=CLIENT) == CLIENT

    def test_hops_the_client_prepends_are_ignored(self):
        assert client_address(forwarded_for=f"198.51.100.9, 192.0.2.1, {CLIENT}") == CLIENT

    def test_headers_sent_twice_are_read_as_one_list(self):
        # WSGI servers join repeated headers with commas; the proxy's hop is still the last.
        assert client_address(forwarded_for=f"198.51.100.9,{CLIENT}") == CLIENT

    def test_without_the_header_the_request_came_straight_in(self):
        assert client_address(remote_addr=CLIENT) == CLIENT
        assert client_address(remote_addr=CLIENT, forwarded_for="") == CLIENT

    def test_a_malformed_hop_is_ignored(self):
        for value in ["unknown", "not-an-address", "203.0.113.300", "_hidden", " , "]:
            assert client_address(forwarded_for=value) == PROXY, value

    def test_a_port_after_the_address_is_dropped(self):
        assert client_address(forwarded_for=f"{CLIENT}:4711") == CLIENT
        assert client_address(forwarded_for="[2001:db8::7]:4711") == "2001:db8::7"

    def test_ipv6_addresses_are_written_in_their_short_form(self):
        assert client_address(forwarded_for="2001:DB8:0:0:0:0:0:7") == "2001:db8::7"

    def test_an_ipv4_client_seen_over_ipv6_keeps_its_ipv4_address(self):
        assert client_address(forwarded_for=f"::ffff:{CLIENT}") == CLIENT


@override_settings(TRUSTED_PROXY_COUNT=2)
class TwoProxiesTests(SimpleTestCase):
    def test_the_address_the_outer_proxy_saw_is_the_clients(self):
        header = f"198.51.100.9, {CLIENT}, 10.0.0.3"

        assert client_address(forwarded_for=header) == CLIENT

    def test_too_few_hops_leave_the_address_alone(self):
        # Only one proxy wrote the header: the request skipped the outer one.
        assert client_address(forwarded_for=CLIENT) == PROXY


@override_settings(TRUSTED_PROXY_NETWORKS=["10.0.0.0/8", "fd00::/8"])
class TrustedNetworksTests(SimpleTestCase):
    def test_the_right_most_address_outside_the_networks_is_the_clients(self):
        header = f"198.51.100.9, {CLIENT}, 10.1.2.3, fd00::5"

        assert client_address(forwarded_for=header) == CLIENT

    def test_a_request_from_outside_the_networks_keeps_its_address(self):
        assert client_address(remote_addr=CLIENT, forwarded_for="198.51.100.9") == CLIENT

    def test_a_request_from_outside_the_networks_cannot_claim_https(self):
        request = RequestFactory().get(
            "/", REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR=CLIENT
        )
        ClientAddressMiddleware(lambda request: HttpResponse())(request)

        assert "HTTP_X_FORWARDED_PROTO" not in request.META

    def test_a_request_through_a_proxy_keeps_the_scheme_it_set(self):
        request = RequestFactory().get(
            "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR=CLIENT
        )
        ClientAddressMiddleware(lambda request: HttpResponse())(request)

        assert request.META["HTTP_X_FORWARDED_PROTO"] == "https"
        assert request.META["REMOTE_ADDR"] == CLIENT

    def test_a_request_made_inside_the_networks_is_from_the_first_hop(self):
        assert client_address(forwarded_for="10.9.9.9, 10.1.2.3") == "10.9.9.9"

    def test_a_malformed_hop_before_any_outside_address_is_ignored(self):
        assert client_address(forwarded_for="garbage, 10.1.2.3") == PROXY

    def test_a_malformed_hop_left_of_the_client_does_not_matter(self):
        assert client_address(forwarded_for=f"garbage, {CLIENT}") == CLIENT

    def test_single_addresses_count_as_networks(self):
        with override_settings(TRUSTED_PROXY_NETWORKS=[PROXY]):
            assert client_address(forwarded_for=CLIENT) == CLIENT
            assert client_address(remote_addr="10.0.0.3", forwarded_for=CLIENT) == "10.0.0.3"


class ProxySettingsTests(SimpleTestCase):
    def middleware(self):
        return ClientAddressMiddleware(lambda request: HttpResponse())

    def test_count_and_networks_together_are_refused(self):
        with (
            override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_NETWORKS=["10.0.0.0/8"]),
            self.assertRaisesMessage(
                ImproperlyConfigured,
                "Set TRUSTED_PROXY_COUNT or TRUSTED_PROXY_NETWORKS, not both.",
            ),
        ):
            self.middleware()

    def test_a_network_that_is_no_network_is_refused_by_name(self):
        with (
            override_settings(TRUSTED_PROXY_NETWORKS=["10.0.0.0/33"]),
            self.assertRaisesMessage(
                ImproperlyConfigured,
                "TRUSTED_PROXY_NETWORKS: '10.0.0.0/33' is not an IP network "
                "(e.g. 10.0.0.0/8 or fd00::/8).",
            ),
        ):
            self.middleware()

    def test_a_negative_count_is_refused(self):
        with (
            override_settings(TRUSTED_PROXY_COUNT=-1),
            self.assertRaisesMessage(
                ImproperlyConfigured, "TRUSTED_PROXY_COUNT must be 0 or more, not -1."
            ),
        ):
            self.middleware()


@override_settings(TRUSTED_PROXY_COUNT=1)
class CommentsBehindAProxyTests(TestCase):
    """The comment form sees the client's address: stored with the comment, and flood-limited."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()

    def post(self, forwarded_for, **overrides):
        return self.client.post(
            reverse("comments:post", kwargs={"slug": self.article.slug}),
            valid_data(**overrides),
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    def test_the_stored_address_is_the_clients_not_the_proxys(self):
        self.post(f"198.51.100.9, {CLIENT}")

        assert Comment.objects.get().ip_address == CLIENT

    def test_the_ip_limit_counts_each_client_and_cannot_be_dodged_with_fake_hops(self):
        rules = DiscussionSettings.current()
        rules.comments_per_ip_per_minute = 1
        rules.comments_per_address_per_hour = 0
        rules.save()
        next_minute = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(
            minutes=1, seconds=10
        )

        with time_machine.travel(next_minute, tick=False):
            first = self.post(CLIENT, body="First", email="a@mail.example")
            other_reader = self.post("198.51.100.2", body="Other", email="b@mail.example")
            spoofed = self.post(f"192.0.2.44, {CLIENT}", body="Spoof", email="c@mail.example")

        assert (first.status_code, other_reader.status_code) == (302, 302)
        assert spoofed.status_code == 429
        assert set(Comment.objects.values_list("body", flat=True)) == {"First", "Other"}
