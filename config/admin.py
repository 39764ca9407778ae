from django.conf import settings
from django.contrib import admin

from . import dashboard


class NewsroomAdminSite(admin.AdminSite):
    site_header = f"{settings.SITE_NAME} newsroom"
    site_title = f"{settings.SITE_NAME} newsroom"
    index_title = "Newsroom"

    def index(self, request, extra_context=None):
        """The admin index opens on the newsroom dashboard (config/dashboard.py)."""
        context = {"dashboard": dashboard.dashboard_for(request.user), **(extra_context or {})}
        return super().index(request, context)
