"""A page of an article's comments at its own address (comments/pages.py): the article page,
showing that page of comments, with its own title and canonical link."""

from django.http import Http404

from articles.links import absolute_url
from articles.views import ArticleDetailView

from .. import moderation, pages


class CommentsPageView(ArticleDetailView):
    def get_context_data(self, **kwargs):
        rules = moderation.discussion_settings(self.request)
        page = pages.page_of_article(self.object, rules, int(self.kwargs["number"]))
        if page is None:
            raise Http404("No such page of comments.")
        context = super().get_context_data(comments_page=page, **kwargs)
        # The default page's canonical address is the article's own (set by the article view).
        if not page.is_default:
            context["canonical_url"] = absolute_url(page.path)
        context["comments_page_title"] = f"Comments page {page.number}"
        return context
