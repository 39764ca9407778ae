from django.urls import path

from . import feeds
from .views import posting, selfservice

app_name = "comments"

urlpatterns = [
    path("post/<slug:slug>/", posting.post_comment, name="post"),
    path("form-check/<slug:slug>/", posting.form_check_image, name="form_check"),
    path("feed/<slug:slug>/", feeds.ArticleCommentsFeed(), name="feed"),
    path("feed/<slug:slug>/atom/", feeds.ArticleCommentsAtomFeed(), name="atom_feed"),
    path("confirm/", posting.request_confirmation, name="request_confirmation"),
    path("confirm/<str:token>/", posting.confirm_address, name="confirm"),
    path("manage/<str:token>/", selfservice.manage, name="manage"),
    path("unsubscribe/<str:token>/", selfservice.unsubscribe, name="unsubscribe"),
]
