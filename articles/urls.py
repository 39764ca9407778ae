from django.urls import path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("articles/preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="preview"),
    path("articles/shared/<str:token>/", views.SharedArticleView.as_view(), name="shared"),
    path("tags/<slug:slug>/", views.TagArticleListView.as_view(), name="tag"),
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("tags/<slug:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
]
