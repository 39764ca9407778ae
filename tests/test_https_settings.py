"""HTTPS and proxy settings as config.settings derives them from the environment.

Each runs the settings in a fresh interpreter (tests/test_settings.py) with the variables given;
the header behaviour they lead to is tested in-process in tests/test_security_headers.py.
"""

import json

from django.test import SimpleTestCase

from tests.sites import settings_output, unless_dot_env_sets

HTTPS_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "TRUSTED_PROXY",
]
PRINT_SETTINGS = (
    "import json\n"
    "from django.conf import settings\n"
    f"print(json.dumps({{name: getattr(settings, name, None) for name in {HTTPS_SETTINGS!r}}}))"
)
# Set explicitly, so that a developer's .env cannot change what these tests see.
NO_PROXY = {"TRUSTED_PROXY_COUNT": "0", "TRUSTED_PROXY_NETWORKS": ""}
defaults_from_dot_env = unless_dot_env_sets(
    *HTTPS_SETTINGS, reason="the local .env sets an HTTPS setting, as it may"
)


def https_settings(**env):
    environment = {"SECRET_KEY": "a-real-key", "SITE_URL": "https://news.example", **NO_PROXY}
    output = settings_output(PRINT_SETTINGS, **{**environment, **env})
    return json.loads(output)


def assert_https(settings, *, redirect, hsts_seconds, subdomains, preload):
    """The redirect to HTTPS and the HSTS header's three parts are as given."""
    assert settings["SECURE_SSL_REDIRECT"] is redirect
    assert settings["SECURE_HSTS_SECONDS"] == hsts_seconds
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is subdomains
    assert settings["SECURE_HSTS_PRELOAD"] is preload


class HttpsSettingsTests(SimpleTestCase):
    @defaults_from_dot_env
    def test_with_debug_off_https_is_enforced_and_remembered_for_a_year(self):
        settings = https_settings(DEBUG="0")

        assert_https(
            settings, redirect=True, hsts_seconds=31_536_000, subdomains=True, preload=True
        )

    def test_each_https_setting_is_overridden_under_djangos_own_name(self):
        settings = https_settings(
            DEBUG="0",
            SECURE_SSL_REDIRECT="0",
            SECURE_HSTS_SECONDS="3600",
            SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
            SECURE_HSTS_PRELOAD="0",
        )

        assert_https(settings, redirect=False, hsts_seconds=3600, subdomains=False, preload=False)

    @defaults_from_dot_env
    def test_with_debug_on_there_is_no_redirect_and_no_hsts(self):
        settings = https_settings(DEBUG="1")

        assert_https(settings, redirect=False, hsts_seconds=0, subdomains=False, preload=False)

    def test_without_a_trusted_proxy_the_forwarded_scheme_is_not_believed(self):
        settings = https_settings(DEBUG="0")

        assert settings["TRUSTED_PROXY"] is False
        assert settings["SECURE_PROXY_SSL_HEADER"] is None

    def test_a_proxy_count_trusts_the_forwarded_scheme(self):
        settings = https_settings(DEBUG="0", TRUSTED_PROXY_COUNT="1")

        assert settings["TRUSTED_PROXY"] is True
        assert settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]

    def test_proxy_networks_trust_the_forwarded_scheme(self):
        settings = https_settings(DEBUG="0", TRUSTED_PROXY_NETWORKS="10.0.0.0/8,fd00::/8")

        assert settings["TRUSTED_PROXY"] is True
        assert settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
