"""Two-factor sign-in for staff with an authenticator app (config/twofactor.py)."""

import re
import time

import time_machine
from django.conf import settings
from django.contrib import admin
from django.test import TestCase, override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.authenticator import code_for, key_from_secret, wrong_code_for
from tests.factories import StaffFactory, UserFactory

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
TWO_FACTOR = reverse("admin:two_factor")
REMOVE = reverse("admin:two_factor_remove")
PASSWORD = "correct horse battery staple"
REQUIRED_FOR_EDITORS = override_settings(
    OTP_REQUIRED_GROUPS=["Editor"], OTP_REQUIRED_FOR_SUPERUSERS=True
)


def key_from_page(response):
    """The hex key behind the secret the set-up page shows for typing into an app."""
    match = re.search(r'<code id="two-factor-secret">([A-Z2-7 ]+)</code>', response.text)
    assert match, "the set-up page shows no secret"
    return key_from_secret(match.group(1))


def add_app(user):
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


class TwoFactorTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = StaffFactory(username="desk-editor", role="Editor")
        cls.contributor = StaffFactory(username="contributor", role="Contributor")

    def sign_in(self, code="", username="desk-editor", password=PASSWORD, next_url=INDEX):
        return self.client.post(
            LOGIN,
            {"username": username, "password": password, "otp_token": code, "next": next_url},
        )

    def signed_in_user_id(self):
        value = self.client.session.get("_auth_user_id")
        return int(value) if value else None

    def assert_sign_in_refused(self, response):
        """The sign-in page came back, and nobody is signed in."""
        assert response.status_code == 200
        assert self.signed_in_user_id() is None


class SignInWithACodeTests(TwoFactorTestCase):
    def test_staff_without_an_app_sign_in_with_the_password_alone(self):
        response = self.sign_in()

        assert response.status_code == 302
        assert self.signed_in_user_id() == self.editor.pk
        assert self.client.get(INDEX).status_code == 200

    def test_the_sign_in_page_offers_the_code_field(self):
        page = self.client.get(LOGIN).text

        assert 'name="otp_token"' in page
        assert 'autocomplete="one-time-code"' in page
        assert "Two-factor code" in page

    def test_an_app_owner_without_a_code_is_asked_for_one(self):
        add_app(self.editor)

        response = self.sign_in(code="")

        self.assert_sign_in_refused(response)
        assert "Enter the six-digit code from your authenticator app" in response.text

    def test_a_wrong_code_is_refused(self):
        device = add_app(self.editor)
        response = self.sign_in(code=wrong_code_for(device.key))

        self.assert_sign_in_refused(response)
        assert "That two-factor code is not right" in response.text

    def test_the_right_code_signs_in_and_verifies_the_session(self):
        device = add_app(self.editor)

        response = self.sign_in(code=code_for(device.key))

        assert response.status_code == 302
        assert self.signed_in_user_id() == self.editor.pk
        assert self.client.session["otp_device_id"] == device.persistent_id
        assert self.client.get(INDEX).status_code == 200

    def test_a_code_with_a_space_in_the_middle_is_accepted(self):
        device = add_app(self.editor)
        code = code_for(device.key)

        assert self.sign_in(code=f"{code[:3]} {code[3:]}").status_code == 302

    def test_a_code_signs_in_only_once(self):
        device = add_app(self.editor)
        code = code_for(device.key)
        assert self.sign_in(code=code).status_code == 302
        self.client.logout()

        response = self.sign_in(code=code)

        self.assert_sign_in_refused(response)

    def test_a_code_does_not_replace_the_password(self):
        device = add_app(self.editor)

        response = self.sign_in(code=code_for(device.key), password="not-the-password")

        self.assert_sign_in_refused(response)

    def test_another_users_code_is_refused(self):
        other_device = add_app(self.contributor)
        add_app(self.editor)

        response = self.sign_in(code=code_for(other_device.key))

        self.assert_sign_in_refused(response)

    def test_wrong_codes_count_towards_the_sign_in_lockout(self):
        device = add_app(self.editor)
        responses = [
            self.sign_in(code=wrong_code_for(device.key))
            for _ in range(settings.AXES_FAILURE_LIMIT)
        ]

        assert responses[-1].status_code == 429
        # Locked out now, even with the password and the right code.
        assert self.sign_in(code=code_for(device.key, steps_ahead=1)).status_code == 429
        assert self.signed_in_user_id() is None

    def test_a_session_opened_before_the_app_was_added_must_sign_in_again(self):
        self.client.force_login(self.editor)
        assert self.client.get(INDEX).status_code == 200
        add_app(self.editor)

        response = self.client.get(INDEX)

        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        page = self.client.get(response["Location"]).text
        assert "sign in again with your password and the code" in page


class SetUpTests(TwoFactorTestCase):
    def setUp(self):
        self.client.force_login(self.editor)

    def test_every_admin_page_links_to_the_two_factor_page(self):
        assert f'href="{TWO_FACTOR}"' in self.client.get(INDEX).text

    def test_the_page_shows_a_qr_code_and_the_key_to_type(self):
        response = self.client.get(TWO_FACTOR)

        assert response.status_code == 200
        assert "<svg" in response.text
        assert "QR code to scan with your authenticator app" in response.text
        assert len(key_from_page(response)) == 40  # 20 random bytes
        assert not TOTPDevice.objects.exists()

    def test_the_key_stays_the_same_until_it_is_confirmed(self):
        first = key_from_page(self.client.get(TWO_FACTOR))

        assert key_from_page(self.client.get(TWO_FACTOR)) == first

    def test_each_user_gets_their_own_key(self):
        mine = key_from_page(self.client.get(TWO_FACTOR))
        other = self.client_class()
        other.force_login(self.contributor)

        assert key_from_page(other.get(TWO_FACTOR)) != mine

    def test_a_wrong_first_code_saves_nothing(self):
        key = key_from_page(self.client.get(TWO_FACTOR))

        response = self.client.post(TWO_FACTOR, {"otp_token": wrong_code_for(key)})

        assert response.status_code == 200
        assert "That code does not match" in response.text
        assert not TOTPDevice.objects.exists()
        assert key_from_page(response) == key

    def test_the_right_first_code_saves_the_app_and_verifies_this_session(self):
        key = key_from_page(self.client.get(TWO_FACTOR))

        response = self.client.post(TWO_FACTOR, {"otp_token": code_for(key)})

        assert response.status_code == 302
        assert response["Location"] == INDEX
        device = TOTPDevice.objects.get(user=self.editor)
        assert (device.key, device.confirmed) == (key, True)
        assert self.client.get(INDEX).status_code == 200
        assert (
            "Two-factor authentication is <strong>on</strong>" in self.client.get(TWO_FACTOR).text
        )

    def test_after_setting_up_the_password_alone_no_longer_signs_in(self):
        key = key_from_page(self.client.get(TWO_FACTOR))
        self.client.post(TWO_FACTOR, {"otp_token": code_for(key)})
        self.client.logout()

        assert self.sign_in(code="").status_code == 200
        assert self.signed_in_user_id() is None
        assert self.sign_in(code=code_for(key, steps_ahead=1)).status_code == 302

    def test_the_confirming_code_cannot_sign_in_again(self):
        key = key_from_page(self.client.get(TWO_FACTOR))
        code = code_for(key)
        self.client.post(TWO_FACTOR, {"otp_token": code})
        self.client.logout()

        assert self.sign_in(code=code).status_code == 200

    def test_going_on_to_the_page_that_was_asked_for(self):
        key = key_from_page(self.client.get(TWO_FACTOR))
        wanted = reverse("admin:articles_article_changelist")

        response = self.client.post(TWO_FACTOR, {"otp_token": code_for(key), "next": wanted})

        assert response["Location"] == wanted

    def test_a_next_address_off_the_site_is_ignored(self):
        key = key_from_page(self.client.get(TWO_FACTOR))

        response = self.client.post(
            TWO_FACTOR, {"otp_token": code_for(key), "next": "https://evil.example/"}
        )

        assert response["Location"] == INDEX

    def test_signed_out_visitors_are_sent_to_sign_in(self):
        self.client.logout()

        response = self.client.get(TWO_FACTOR)

        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)

    def test_readers_without_staff_status_cannot_use_it(self):
        self.client.force_login(UserFactory(username="reader"))

        assert self.client.get(TWO_FACTOR)["Location"].startswith(LOGIN)


class ReplaceAndRemoveTests(TwoFactorTestCase):
    def setUp(self):
        self.device = add_app(self.editor)
        self.sign_in(code=code_for(self.device.key))

    def test_replacing_needs_the_password_and_a_code_from_the_new_app(self):
        new_key = key_from_page(self.client.get(TWO_FACTOR + "?replace=1"))
        assert new_key != self.device.key

        refused = self.client.post(
            TWO_FACTOR, {"otp_token": code_for(new_key), "password": "not-it"}
        )
        assert "That is not your password" in refused.text
        assert list(TOTPDevice.objects.values_list("key", flat=True)) == [self.device.key]

        response = self.client.post(
            TWO_FACTOR, {"otp_token": code_for(new_key), "password": PASSWORD}
        )

        assert response.status_code == 302
        assert list(TOTPDevice.objects.values_list("key", flat=True)) == [new_key]
        assert self.client.get(INDEX).status_code == 200

    def test_the_old_app_stops_working_once_replaced(self):
        new_key = key_from_page(self.client.get(TWO_FACTOR + "?replace=1"))
        self.client.post(TWO_FACTOR, {"otp_token": code_for(new_key), "password": PASSWORD})
        self.client.logout()

        assert self.sign_in(code=code_for(self.device.key, steps_ahead=1)).status_code == 200
        # After a wrong code the app must wait a moment (django-otp's throttling).
        with time_machine.travel(time.time() + 5):
            assert self.sign_in(code=code_for(new_key, steps_ahead=1)).status_code == 302

    def test_removing_needs_the_password(self):
        refused = self.client.post(REMOVE, {"password": "not-it"})

        assert refused.status_code == 200
        assert "That is not your password" in refused.text
        assert TOTPDevice.objects.filter(user=self.editor).exists()

        response = self.client.post(REMOVE, {"password": PASSWORD})

        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=self.editor).exists()
        assert self.client.get(INDEX).status_code == 200
        self.client.logout()
        assert self.sign_in(code="").status_code == 302

    def test_removing_is_only_by_post(self):
        assert self.client.get(REMOVE).status_code == 405


@REQUIRED_FOR_EDITORS
class RequiredTwoFactorTests(TwoFactorTestCase):
    def test_an_editor_without_an_app_is_sent_to_set_one_up_after_the_password(self):
        response = self.sign_in(next_url=INDEX)
        assert response["Location"] == INDEX

        response = self.client.get(INDEX)

        assert response.status_code == 302
        assert response["Location"] == f"{TWO_FACTOR}?next=%2Fadmin%2F"
        page = self.client.get(response["Location"]).text
        assert "Your role signs in with two-factor authentication" in page

    def test_nothing_else_in_the_admin_is_reachable_before_setting_up(self):
        self.client.force_login(self.editor)
        reachable = []

        for url in admin_urls():
            response = self.client.get(url)
            if not (response.status_code == 302 and response["Location"].startswith(TWO_FACTOR)):
                reachable.append((url, response.status_code))

        assert reachable == [
            (LOGIN, 302),  # on to the index, and from there to the two-factor page
            (reverse("admin:logout"), 405),  # signing out is by POST, and allowed
            (TWO_FACTOR, 200),
        ]

    def test_signing_out_works_before_setting_up(self):
        self.client.force_login(self.editor)

        self.client.post(reverse("admin:logout"))

        assert self.signed_in_user_id() is None

    def test_after_setting_up_the_admin_opens_on_the_page_asked_for(self):
        self.sign_in()
        enrolment = self.client.get(INDEX)["Location"]
        key = key_from_page(self.client.get(enrolment))

        response = self.client.post(TWO_FACTOR, {"otp_token": code_for(key), "next": INDEX})

        assert response["Location"] == INDEX
        assert self.client.get(INDEX).status_code == 200

    def test_superusers_must_set_it_up_too(self):
        self.client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))

        assert self.client.get(INDEX)["Location"].startswith(TWO_FACTOR)

    def test_roles_not_named_may_do_without(self):
        self.client.force_login(self.contributor)

        assert self.client.get(INDEX).status_code == 200

    def test_an_obliged_editor_cannot_turn_it_off(self):
        device = add_app(self.editor)
        self.sign_in(code=code_for(device.key))

        page = self.client.get(TWO_FACTOR).text
        assert "cannot be turned off" in page
        assert REMOVE not in page
        self.client.post(REMOVE, {"password": PASSWORD})

        assert TOTPDevice.objects.filter(user=self.editor).exists()


class OffByDefaultTests(TwoFactorTestCase):
    def test_no_role_must_use_it_unless_the_settings_say_so(self):
        assert settings.OTP_REQUIRED_GROUPS == []
        assert settings.OTP_REQUIRED_FOR_SUPERUSERS is False
        self.client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))

        assert self.client.get(INDEX).status_code == 200


def admin_urls():
    """One URL for each of the admin's views, with 1 for every parameter."""
    urls = []

    def walk(patterns, prefix_kwargs):
        for pattern in patterns:
            kwargs = {**prefix_kwargs, **dict.fromkeys(pattern.pattern.converters, "1")}
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, kwargs)
            elif isinstance(pattern, URLPattern) and pattern.name:
                try:
                    urls.append(reverse(f"admin:{pattern.name}", kwargs=kwargs))
                except NoReverseMatch:
                    continue

    walk(admin.site.get_urls(), {})
    urls.append(reverse("admin:app_list", args=["articles"]))
    return sorted(set(urls))
