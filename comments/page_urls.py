"""The pages of an article's comments, under the article's own address (included by
config/urls.py at `articles/`): `/articles/<slug>/comments/<n>/`. Only a page number written
as readers are given it (1, 2, … without a leading zero) is an address at all; the view answers
404 for a page past the last."""

from django.urls import re_path

from .views.pages import CommentsPageView

app_name = "comment_pages"

urlpatterns = [
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/comments/(?P<number>[1-9][0-9]{0,8})/$",
        CommentsPageView.as_view(),
        name="page",
    ),
]
