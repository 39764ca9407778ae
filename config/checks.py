"""System checks for the settings config/settings.py reads from the environment.

`manage.py check --deploy` runs the ones marked deploy; the others run on every start.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

MAIL_KEPT_ON_THE_SERVER = "config.E001"

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
