from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        # Registers the system checks and the receivers that queue IP anonymisation and
        # notifications.
        from . import caching, checks  # noqa: F401  (caching: the page cache's receivers)
        from .commenters import retention  # noqa: F401
        from .mail import notifications  # noqa: F401
