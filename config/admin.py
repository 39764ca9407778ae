from django.conf import settings
from django.contrib import admin


class NewsroomAdminSite(admin.AdminSite):
    site_header = f"{settings.SITE_NAME} newsroom"
    site_title = f"{settings.SITE_NAME} newsroom"
    index_title = "Newsroom"
