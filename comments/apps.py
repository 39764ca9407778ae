from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        # Registers the system checks and the receiver that queues IP anonymisation.
        from . import checks, retention  # noqa: F401
