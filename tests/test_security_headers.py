"""The security headers on every response: Content-Security-Policy, Permissions-Policy,
Cross-Origin-Opener-Policy, HSTS and the HTTPS redirect.

Reader pages are cached for anonymous readers, so their policy must be the same for everyone:
no nonce. Only the article editor's form carries one (its import map is an inline script). The
browser test (tests/e2e/test_content_security_policy.py) shows the pages working under it.
"""

import base64
import datetime
import hashlib
import re
from pathlib import Path

import time_machine
from django.test import Client, SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from comments.models import DiscussionSettings
from tests.broken_urls import get_broken_page
from tests.comments.posting import valid_data
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    StaffFactory,
)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
READER_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def directives(response):
    """The response's Content-Security-Policy as {directive: [sources]}."""
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


def sha256_source(text):
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


class ContentSecurityPolicyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        author = AuthorFactory(name="Amara Okafor", slug="amara-okafor")
        cls.article = ArticleFactory(slug="tariff-talks", authors=[author], tags=["Trade"])
        CommentFactory(article=cls.article, body="When is the next round?")

    def reader_paths(self):
        return [
            "/",
            self.article.get_absolute_url(),
            "/tags/trade/",
            "/authors/amara-okafor/",
            "/search/?q=tariff",
            "/archive/",
            "/no-such-page/",
        ]

    def test_reader_pages_allow_only_the_sites_own_files_and_no_nonce(self):
        for path_ in self.reader_paths():
            response = self.client.get(path_)

            policy = directives(response)
            upgrade = policy.pop("upgrade-insecure-requests", None)
            assert policy == READER_DIRECTIVES, path_
            assert upgrade in (None, []), path_

    def test_the_reader_policy_is_the_same_for_every_reader(self):
        headers = {
            Client().get(self.article.get_absolute_url())["Content-Security-Policy"]
            for _ in range(3)
        }

        assert len(headers) == 1

    def test_a_signed_in_reader_of_the_admin_gets_the_same_reader_policy(self):
        self.client.force_login(StaffFactory(role="Editor"))

        response = self.client.get(self.article.get_absolute_url())

        assert "nonce-" not in response["Content-Security-Policy"]

    def test_the_article_editor_gets_a_nonce_for_its_import_map(self):
        self.client.force_login(StaffFactory(role="Editor"))

        response = self.client.get(reverse("admin:articles_article_add"))

        policy = directives(response)
        nonce_sources = [s for s in policy["script-src"] if s.startswith("'nonce-")]
        assert len(nonce_sources) == 1
        nonce = nonce_sources[0][len("'nonce-") : -1]
        assert policy["style-src"] == ["'self'", f"'nonce-{nonce}'"]
        content = response.content.decode()
        import_map = re.search(r"<script[^>]*type=\"importmap\"[^>]*>", content).group(0)
        assert f'nonce="{nonce}"' in import_map
        for tag in re.findall(r"<script\b[^>]*>", content):
            if "src=" not in tag and 'type="application/json"' not in tag:
                assert f'nonce="{nonce}"' in tag, tag

    def test_the_admin_pages_without_the_editor_get_no_nonce(self):
        self.client.force_login(StaffFactory(role="Editor"))

        for url in [reverse("admin:index"), reverse("admin:articles_article_changelist")]:
            response = self.client.get(url)

            assert response.status_code == 200
            assert "nonce-" not in response["Content-Security-Policy"], url


def assert_inline_styles_allowed_by_hash(response):
    """The standalone error pages keep their styles inline (nothing else may be working), let
    through by the hash of exactly those styles, never by 'unsafe-inline'."""
    styles = re.findall(r"<style>(.*?)</style>", response.content.decode(), re.S)
    assert styles
    style_sources = directives(response)["style-src"]
    assert "'unsafe-inline'" not in style_sources
    assert style_sources == ["'self'", *(sha256_source(style) for style in styles)]


@override_settings(ROOT_URLCONF="tests.broken_urls")
class ServerErrorPagePolicyTests(TestCase):
    def test_the_server_error_page_may_use_its_own_styles(self):
        response = get_broken_page(self.client)

        assert response.status_code == 500
        assert "Something went wrong" in response.content.decode()
        assert_inline_styles_allowed_by_hash(response)


class ExpiredFormPagePolicyTests(TestCase):
    def test_the_expired_form_page_may_use_its_own_styles(self):
        client = Client(enforce_csrf_checks=True)

        # Any form Django's CSRF check guards (a reader's comment posting has its own check,
        # comments/form_check.py).
        response = client.post(reverse("comments:request_confirmation"), {})

        assert response.status_code == 403
        assert "Your form has expired" in response.content.decode()
        assert_inline_styles_allowed_by_hash(response)


class OtherHeadersTests(TestCase):
    def test_browser_features_the_site_never_uses_are_switched_off(self):
        response = self.client.get("/")

        features = dict(
            part.strip().split("=", 1) for part in response["Permissions-Policy"].split(",")
        )
        for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
            assert features[feature] == "()", feature

    def test_other_sites_opened_from_ours_cannot_reach_back(self):
        assert self.client.get("/")["Cross-Origin-Opener-Policy"] == "same-origin"

    def test_pages_cannot_be_framed(self):
        response = self.client.get("/")

        assert response["X-Frame-Options"] == "DENY"
        assert directives(response)["frame-ancestors"] == ["'none'"]

    @override_settings(
        SECURE_HSTS_SECONDS=31_536_000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=True,
    )
    def test_https_responses_tell_browsers_to_stay_on_https(self):
        response = self.client.get("/", secure=True)

        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_plain_http_is_redirected_to_https(self):
        response = self.client.get("/archive/?page=2")

        assert response.status_code == 301
        assert response["Location"] == "https://testserver/archive/?page=2"

    @override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=None)
    def test_a_client_claiming_https_itself_is_still_redirected(self):
        response = self.client.get("/", headers={"x-forwarded-proto": "https"})

        assert response.status_code == 301
        assert response["Location"] == "https://testserver/"


class PolicyOnEveryResponseTests(TestCase):
    """The policies are set outside every other middleware but the health checks: answers
    given before any view runs (the HTTPS redirect, a refused Host) carry them too. The 503
    page during a real outage is checked in tests/test_database_outage.py."""

    def assert_policies(self, response):
        assert directives(response)["default-src"] == ["'self'"], response.status_code
        assert "camera=()" in response["Permissions-Policy"], response.status_code

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_the_https_redirect_carries_the_policies(self):
        response = self.client.get("/archive/")

        assert response.status_code == 301
        self.assert_policies(response)

    def test_a_refused_host_carries_the_policies(self):
        for redirect in (True, False):
            with (
                self.subTest(https_redirect=redirect),
                override_settings(SECURE_SSL_REDIRECT=redirect),
            ):
                response = self.client.get("/", headers={"host": "attacker.example"})

                assert response.status_code == 400
                self.assert_policies(response)

    def test_the_not_found_page_carries_the_policies(self):
        response = self.client.get("/no-such-page/")

        assert response.status_code == 404
        self.assert_policies(response)

    def test_the_too_many_comments_page_carries_the_policies(self):
        article = ArticleFactory()
        row = DiscussionSettings.current()
        row.comments_per_ip_per_minute = 1
        row.save()
        url = reverse("comments:post", kwargs={"slug": article.slug})
        start_of_a_minute = timezone.now().replace(second=0) + datetime.timedelta(minutes=1)

        with time_machine.travel(start_of_a_minute, tick=False):
            first = self.client.post(url, valid_data(email="first@mail.example"))
            response = self.client.post(url, valid_data(email="second@mail.example"))

        assert first.status_code == 302
        assert response.status_code == 429
        self.assert_policies(response)

    def test_health_checks_stay_bare(self):
        for url in ("/healthz", "/readyz"):
            response = self.client.get(url)

            assert "Content-Security-Policy" not in response, url


class DebugPagesTests(TestCase):
    """With DEBUG on (`make run`), Django's technical error pages carry inline styles and
    scripts: they are served without the policy, so that they stay readable. The site's own
    pages keep it."""

    @override_settings(DEBUG=True)
    def test_djangos_technical_not_found_page_has_no_policy(self):
        response = self.client.get("/no-such-page/")

        assert response.status_code == 404
        assert "<style" in response.content.decode()
        assert "Content-Security-Policy" not in response

    @override_settings(DEBUG=True, ROOT_URLCONF="tests.broken_urls")
    def test_djangos_technical_server_error_page_has_no_policy(self):
        response = get_broken_page(self.client)

        assert response.status_code == 500
        assert "<style" in response.content.decode()
        assert "Content-Security-Policy" not in response

    @override_settings(DEBUG=True)
    def test_djangos_technical_bad_request_page_has_no_policy(self):
        response = self.client.get("/", headers={"host": "attacker.example"})

        assert response.status_code == 400
        assert "DisallowedHost" in response.content.decode()
        assert "<style" in response.content.decode()
        assert "Content-Security-Policy" not in response

    @override_settings(DEBUG=True)
    def test_the_sites_own_pages_keep_the_policy_with_debug_on(self):
        article = ArticleFactory()
        refused_comment = self.client.post(
            reverse("comments:post", kwargs={"slug": article.slug}), valid_data(email="broken")
        )

        assert refused_comment.status_code == 400
        for response in [self.client.get("/"), refused_comment]:
            assert directives(response)["default-src"] == ["'self'"], response.status_code


class TemplatesTests(SimpleTestCase):
    INLINE_CODE = [r"\sstyle=", r"<script(?![^>]*\bsrc=)[^>]*>", r"\son[a-z]+=", r"javascript:"]
    # The standalone error pages keep a <style> element, allowed by its hash (config/errors.py).
    STANDALONE = {"500.html", "403_csrf.html"}

    def test_no_template_has_inline_script_style_or_event_handler(self):
        offenders = []
        for template in TEMPLATES.rglob("*.html"):
            patterns = self.INLINE_CODE
            if template.name not in self.STANDALONE:
                patterns = [*patterns, r"<style\b"]
            source = template.read_text()
            for pattern in patterns:
                offenders += [
                    f"{template.relative_to(TEMPLATES)}: {match}"
                    for match in re.findall(pattern, source)
                ]

        assert offenders == []
