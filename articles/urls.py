from django.urls import path, re_path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("articles/preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="preview"),
    path("articles/shared/<str:token>/", views.SharedArticleView.as_view(), name="shared"),
    path("tags/<slug:slug>/", views.TagArticleListView.as_view(), name="tag"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("kinds/<slug:slug>/", views.KindArticleListView.as_view(), name="kind"),
    path("archive/", views.ArticleArchiveView.as_view(), name="archive"),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.ArticleYearArchiveView.as_view(), name="year"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views.ArticleMonthArchiveView.as_view(),
        name="month",
    ),
    # Feeds: RSS 2.0 at .../feed/, Atom at .../feed/atom/. The author feeds live here rather
    # than in authors/urls.py because `authors` does not import `articles`.
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="atom_feed"),
    path("tags/<slug:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("tags/<slug:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag_atom_feed"),
    path("authors/<slug:slug>/feed/", feeds.AuthorFeed(), name="author_feed"),
    path("authors/<slug:slug>/feed/atom/", feeds.AuthorAtomFeed(), name="author_atom_feed"),
    path("kinds/<slug:slug>/feed/", feeds.KindFeed(), name="kind_feed"),
    path("kinds/<slug:slug>/feed/atom/", feeds.KindAtomFeed(), name="kind_atom_feed"),
]
