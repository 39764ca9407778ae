"""The project's own system checks (config/checks.py) on production settings."""

from django.core.checks import run_checks
from django.test import SimpleTestCase, override_settings

from config.checks import MAIL_KEPT_ON_THE_SERVER, UNKNOWN_TWO_FACTOR_GROUP

CONSOLE = "django.core.mail.backends.console.EmailBackend"
FILE = "django.core.mail.backends.filebased.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def deploy_check_ids():
    return {message.id for message in run_checks(include_deployment_checks=True)}


class OutgoingMailCheckTests(SimpleTestCase):
    def test_production_printing_mail_to_the_console_fails_the_deploy_check(self):
        for backend in (CONSOLE, FILE):
            with (
                self.subTest(backend=backend),
                override_settings(DEBUG=False, EMAIL_BACKEND=backend),
            ):
                assert MAIL_KEPT_ON_THE_SERVER in deploy_check_ids()

    @override_settings(DEBUG=False, EMAIL_BACKEND=SMTP)
    def test_production_sending_through_smtp_passes(self):
        assert MAIL_KEPT_ON_THE_SERVER not in deploy_check_ids()

    @override_settings(DEBUG=True, EMAIL_BACKEND=CONSOLE)
    def test_development_may_print_mail(self):
        assert MAIL_KEPT_ON_THE_SERVER not in deploy_check_ids()

    @override_settings(DEBUG=False, EMAIL_BACKEND=CONSOLE)
    def test_only_the_deploy_check_looks(self):
        assert MAIL_KEPT_ON_THE_SERVER not in {message.id for message in run_checks()}


class TwoFactorGroupCheckTests(SimpleTestCase):
    def messages(self):
        return [message for message in run_checks() if message.id == UNKNOWN_TWO_FACTOR_GROUP]

    @override_settings(OTP_REQUIRED_GROUPS=["Editors", "Moderator"])
    def test_a_misspelt_role_is_named(self):
        [warning] = self.messages()

        assert "Editors" in warning.msg
        assert "Moderator" not in warning.msg
        assert "Contributor, Editor, Moderator" in warning.hint

    @override_settings(OTP_REQUIRED_GROUPS=["Editor", "Moderator"])
    def test_roles_pass(self):
        assert self.messages() == []
