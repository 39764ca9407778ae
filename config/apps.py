from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class NewsroomAdminConfig(AdminConfig):
    """The one admin site shared by editors, authors and moderators."""

    default_site = "config.admin.NewsroomAdminSite"

    def ready(self):
        super().ready()
        from django.contrib import admin

        from .task_results import register_task_results_admin

        register_task_results_admin(admin.site)


class SiteConfig(AppConfig):
    """The project's own app: site-wide checks, the newsroom roles and the demo content."""

    name = "config"
    verbose_name = "Byline site"

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the project's system checks)
            front_cache,  # noqa: F401  (purges the front caches when pages change)
        )
        from .roles import sync_roles_after_migrate

        # Once per migrate (and per flush), on auth's post_migrate: the groups and permissions
        # are auth's, and `config` has no models, so gets no post_migrate of its own. The apps
        # listed after auth have no permissions yet at that point: sync_roles makes them first.
        post_migrate.connect(
            sync_roles_after_migrate,
            sender=self.apps.get_app_config("auth"),
            dispatch_uid="config.roles.sync_roles_after_migrate",
        )
