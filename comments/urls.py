from django.urls import path

from . import feeds, views, views_selfservice

app_name = "comments"

urlpatterns = [
    path("post/<slug:slug>/", views.post_comment, name="post"),
    path("feed/<slug:slug>/", feeds.ArticleCommentsFeed(), name="feed"),
    path("feed/<slug:slug>/atom/", feeds.ArticleCommentsAtomFeed(), name="atom_feed"),
    path("confirm/", views.request_confirmation, name="request_confirmation"),
    path("confirm/<str:token>/", views.confirm_address, name="confirm"),
    path("manage/<str:token>/", views_selfservice.manage, name="manage"),
    path("unsubscribe/<str:token>/", views_selfservice.unsubscribe, name="unsubscribe"),
]
