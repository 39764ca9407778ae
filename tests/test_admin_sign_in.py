"""Admin sign-in is throttled per (username, IP address) pair by django-axes (config/lockout.py)."""

import datetime

import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from tests.factories import StaffFactory, UserFactory

LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery staple"
ATTACKER = "203.0.113.66"
NEWSROOM = "198.51.100.10"


class SignInThrottleTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = StaffFactory(username="desk-editor", role="Editor")

    def sign_in(self, password, username="desk-editor", ip=NEWSROOM):
        return self.client.post(
            LOGIN,
            {"username": username, "password": password, "next": reverse("admin:index")},
            REMOTE_ADDR=ip,
        )

    def fail_until_locked(self, username="desk-editor", ip=ATTACKER):
        responses = [
            self.sign_in(f"guess-{n}", username=username, ip=ip)
            for n in range(settings.AXES_FAILURE_LIMIT)
        ]
        assert [response.status_code for response in responses[:-1]] == [200] * (
            settings.AXES_FAILURE_LIMIT - 1
        )
        return responses[-1]

    def assert_signed_in(self, response):
        assert response.status_code == 302, response.status_code
        assert response["Location"] == reverse("admin:index")
        assert int(self.client.session["_auth_user_id"]) == self.editor.pk


class LockoutTests(SignInThrottleTestCase):
    def test_repeated_wrong_passwords_lock_the_account_at_that_address(self):
        response = self.fail_until_locked()

        assert response.status_code == 429
        assert "_auth_user_id" not in self.client.session

    def test_the_right_password_is_refused_from_the_locked_address(self):
        self.fail_until_locked()

        response = self.sign_in(PASSWORD, ip=ATTACKER)

        assert response.status_code == 429
        assert "_auth_user_id" not in self.client.session

    def test_the_editor_still_signs_in_from_the_newsroom_while_an_attacker_is_locked_out(self):
        self.fail_until_locked(ip=ATTACKER)

        self.assert_signed_in(self.sign_in(PASSWORD, ip=NEWSROOM))

    def test_colleagues_behind_the_same_address_are_not_locked_out(self):
        colleague = StaffFactory(username="night-editor", role="Editor")
        self.fail_until_locked(ip=NEWSROOM)

        response = self.sign_in(PASSWORD, username="night-editor", ip=NEWSROOM)

        assert response.status_code == 302
        assert int(self.client.session["_auth_user_id"]) == colleague.pk

    def test_the_lock_lifts_after_the_cool_off(self):
        self.fail_until_locked(ip=NEWSROOM)

        later = timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=5)
        with time_machine.travel(later):
            self.assert_signed_in(self.sign_in(PASSWORD))

    def test_signing_in_clears_earlier_failures(self):
        for n in range(settings.AXES_FAILURE_LIMIT - 1):
            self.sign_in(f"typo-{n}")
        self.assert_signed_in(self.sign_in(PASSWORD))
        self.client.logout()

        for n in range(settings.AXES_FAILURE_LIMIT - 1):
            assert self.sign_in(f"typo-again-{n}").status_code == 200
        self.assert_signed_in(self.sign_in(PASSWORD))

    def test_no_password_tried_is_stored(self):
        self.sign_in("my-old-password-2019", ip=ATTACKER)

        attempt = AccessAttempt.objects.get()
        assert (attempt.username, attempt.ip_address) == ("desk-editor", ATTACKER)
        assert "my-old-password-2019" not in attempt.post_data

    def test_no_code_or_csrf_token_is_stored_either(self):
        self.client.post(
            LOGIN,
            {
                "username": "desk-editor",
                "password": "wrong",
                "otp_token": "493817",
                "csrfmiddlewaretoken": "the-browsers-own-csrf-token",
            },
            REMOTE_ADDR=ATTACKER,
        )

        post_data = AccessAttempt.objects.get().post_data
        assert "493817" not in post_data
        assert "the-browsers-own-csrf-token" not in post_data


class LockoutPageTests(SignInThrottleTestCase):
    def test_the_lockout_page_is_in_the_admin_design_and_says_when_to_try_again(self):
        with time_machine.travel(
            datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC), tick=False
        ):
            response = self.fail_until_locked()

        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        assert response.status_code == 429
        assert response["Retry-After"] == str(minutes * 60)
        assert "admin/lockout.html" in [template.name for template in response.templates]
        page = response.text
        assert f"{settings.SITE_NAME} newsroom" in page  # the admin's header
        assert "Too many failed sign-ins" in page
        assert f"{minutes} minutes" in page
        assert "09:45" in page  # the time the wait ends, in the newsroom's time zone
        assert reverse("admin:login") in page

    def test_the_lockout_page_is_never_cached(self):
        response = self.fail_until_locked()

        assert response.status_code == 429
        assert "no-store" in response["Cache-Control"]


class UnlockTests(SignInThrottleTestCase):
    def test_an_administrator_unlocks_an_account_with_the_management_command(self):
        self.fail_until_locked(ip=NEWSROOM)

        call_command("axes_reset_username", "desk-editor", verbosity=0)

        self.assert_signed_in(self.sign_in(PASSWORD))

    def test_an_administrator_unlocks_an_account_in_the_admin(self):
        self.fail_until_locked(ip=NEWSROOM)
        administrator = UserFactory(username="chief", is_staff=True, is_superuser=True)
        admin_client = self.client_class()
        admin_client.force_login(administrator)
        attempt = AccessAttempt.objects.get(username="desk-editor")

        listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
        assert "desk-editor" in listing.text
        response = admin_client.post(
            reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
        )

        assert response.status_code == 302
        self.assert_signed_in(self.sign_in(PASSWORD))

    def test_editors_cannot_see_or_clear_the_attempts(self):
        self.fail_until_locked(ip=ATTACKER)
        self.client.force_login(self.editor)

        response = self.client.get(reverse("admin:axes_accessattempt_changelist"))

        assert response.status_code == 403


class IPv6Tests(SignInThrottleTestCase):
    """An IPv6 client usually holds a whole /64: failures count against the network."""

    def test_failures_from_one_ipv6_network_add_up(self):
        for n in range(settings.AXES_FAILURE_LIMIT - 1):
            self.sign_in(f"guess-{n}", ip=f"2001:db8:1:2::{n + 1:x}")

        response = self.sign_in("one-more-guess", ip="2001:db8:1:2:ffff:ffff:ffff:ffff")

        assert response.status_code == 429
        assert self.sign_in(PASSWORD, ip="2001:db8:1:2::9999").status_code == 429

    def test_the_editor_signs_in_from_another_ipv6_network(self):
        for n in range(settings.AXES_FAILURE_LIMIT):
            self.sign_in(f"guess-{n}", ip=f"2001:db8:1:2::{n + 1:x}")

        self.assert_signed_in(self.sign_in(PASSWORD, ip="2001:db8:1:3::1"))

    def test_ipv4_addresses_count_one_by_one(self):
        for n in range(settings.AXES_FAILURE_LIMIT):
            self.sign_in(f"guess-{n}", ip=f"203.0.113.{n + 1}")

        self.assert_signed_in(self.sign_in(PASSWORD, ip="203.0.113.200"))

    def test_an_ipv4_address_written_as_ipv6_counts_as_itself(self):
        for n in range(settings.AXES_FAILURE_LIMIT - 1):
            self.sign_in(f"guess-{n}", ip="203.0.113.5")

        assert self.sign_in("one-more", ip="::ffff:203.0.113.5").status_code == 429
