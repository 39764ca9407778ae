"""RSS 2.0 and Atom feeds of one article's comments, as readers see them on the page.

Only approved comments appear, and a reply only when every comment above it is approved too
(the same threads `{% comment_section %}` draws). A commenter's address is never read: the
query loads only what an entry shows. Addresses are on `SITE_URL`, like the article feeds'.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks

from articles.feeds import SiteFeed
from articles.links import absolute_url
from articles.models import Article
from caching.dependencies import comments_key, object_key

from . import pages, threads
from .models import Comment, DiscussionSettings

FEED_LENGTH = 50


def shown_comments(article, rules=None):
    """The comments the article page shows (threads.shown_in_reading_order), newest first, in
    one query (and one for the discussion settings when `rules` is not given), each with its
    `permalink` on the page of comments showing it (comments/pages.py)."""
    comments = (
        Comment.objects.approved()
        .filter(article=article)
        .only("pk", "article_id", "parent_id", "name", "body", "created_at", "staff_user_id")
    )
    in_order = list(threads.shown_in_reading_order(comments))
    permalinks = pages.permalinks_in_reading_order(
        article, in_order, rules or DiscussionSettings.current()
    )
    shown = [comment for comment, _level in in_order]
    for comment in shown:
        comment.article = article
        comment.permalink = permalinks[comment.pk]
    return sorted(shown, key=lambda comment: (comment.created_at, comment.pk), reverse=True)


class ArticleCommentsFeed(SiteFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Article.objects.published(), slug=slug)

    def cache_keys(self, article):
        return [object_key(article), comments_key(article.pk)]

    def title(self, article):
        return f"Comments on {article.title} — {settings.SITE_NAME}"

    def link(self, article):
        return absolute_url(f"{article.get_absolute_url()}#comments")

    def description(self, article):
        return f"Readers' comments on {article.title}."

    def items(self, article):
        return shown_comments(article)[:FEED_LENGTH]

    def item_link(self, comment):
        return absolute_url(comment.permalink)

    def item_title(self, comment):
        return f"{comment.name} on {comment.article.title}"

    def item_description(self, comment):
        # Comment bodies are plain text; `linebreaks` escapes them into paragraphs.
        return linebreaks(comment.body, autoescape=True)

    def item_author_name(self, comment):
        return comment.name

    def item_pubdate(self, comment):
        return comment.created_at


class ArticleCommentsAtomFeed(ArticleCommentsFeed):
    feed_type = Atom1Feed

    def subtitle(self, article):
        return self.description(article)
