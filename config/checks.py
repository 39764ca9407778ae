"""System checks for the settings config/settings.py reads from the environment.

`manage.py check --deploy` runs the ones marked deploy; the others run on every start.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .roles import ROLE_PERMISSIONS

MAIL_KEPT_ON_THE_SERVER = "config.E001"
UNKNOWN_TWO_FACTOR_GROUP = "config.W001"

# Backends that deliver nothing but keep each message, recipients' addresses included, in the
# server's log or on its disk.
LOCAL_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints every message to the log",
    "django.core.mail.backends.filebased.EmailBackend": "writes every message to a folder",
}


@register(Tags.security, deploy=True)
def check_outgoing_mail(app_configs=None, **kwargs):
    if settings.DEBUG or settings.EMAIL_BACKEND not in LOCAL_MAIL_BACKENDS:
        return []
    return [
        Error(
            f"Outgoing mail {LOCAL_MAIL_BACKENDS[settings.EMAIL_BACKEND]} instead of sending "
            "it: nobody receives confirmations or notifications, and commenters' addresses "
            "end up in the server's files.",
            hint="Set EMAIL_URL to your mail server, e.g. "
            "smtp+tls://user:password@smtp.example.com:587.",
            id=MAIL_KEPT_ON_THE_SERVER,
        )
    ]


@register(Tags.security)
def check_two_factor_groups(app_configs=None, **kwargs):
    """A misspelt role in OTP_REQUIRED_GROUPS would silently oblige nobody."""
    unknown = sorted(set(settings.OTP_REQUIRED_GROUPS) - set(ROLE_PERMISSIONS))
    if not unknown:
        return []
    return [
        Warning(
            f"OTP_REQUIRED_GROUPS names {', '.join(unknown)}, which is not a newsroom role: "
            "its members are not obliged to use two-factor sign-in unless such a group exists.",
            hint=f"The roles are {', '.join(ROLE_PERMISSIONS)} (group names are case-sensitive). "
            f"For a group you made yourself, add {UNKNOWN_TWO_FACTOR_GROUP} to "
            "SILENCED_SYSTEM_CHECKS.",
            id=UNKNOWN_TWO_FACTOR_GROUP,
        )
    ]
