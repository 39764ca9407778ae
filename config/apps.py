from django.contrib.admin.apps import AdminConfig


class NewsroomAdminConfig(AdminConfig):
    """The one admin site shared by editors, authors and moderators."""

    default_site = "config.admin.NewsroomAdminSite"

    def ready(self):
        super().ready()
        # Registers the production checks (config/checks.py).
        from . import checks  # noqa: F401
