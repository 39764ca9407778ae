from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        # The share image's system checks; the page cache's receivers.
        from . import checks, invalidation  # noqa: F401
