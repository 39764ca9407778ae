from django.contrib.admin.apps import AdminConfig


class NewsroomAdminConfig(AdminConfig):
    """The one admin site shared by editors, authors and moderators."""

    default_site = "config.admin.NewsroomAdminSite"

    def ready(self):
        super().ready()
        from . import checks  # noqa: F401  (registers the project's system checks)
