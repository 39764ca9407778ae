from django.contrib.admin.apps import AdminConfig


class NewsroomAdminConfig(AdminConfig):
    """The one admin site shared by editors, authors and moderators."""

    default_site = "config.admin.NewsroomAdminSite"

    def ready(self):
        super().ready()
        from django.contrib import admin

        from . import checks  # noqa: F401  (registers the project's system checks)
        from .task_results import register_task_results_admin

        register_task_results_admin(admin.site)
