from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from articles.models import Article
from articles.views import ArticleDetailView

from . import remember
from .forms import CommentForm

AWAITING_MODERATION = (
    "Thank you for your comment. It is awaiting moderation and will appear "
    "once a moderator has approved it."
)


@never_cache
@require_POST
def post_comment(request, slug):
    article = get_object_or_404(Article.objects.published(), slug=slug)
    form = CommentForm(request.POST, article=article)
    if form.is_valid():
        form.save(
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        messages.success(request, AWAITING_MODERATION, extra_tags="comment")
        response = redirect(f"{article.get_absolute_url()}#comments")
    else:
        response = _article_page_with_errors(request, slug, form)
    remember.update_after_posting(request, response, form)
    return response


def _article_page_with_errors(request, slug, form):
    """Re-render the article page, keeping the reader's text, with the form's errors shown."""
    view = ArticleDetailView()
    view.setup(request, slug=slug)
    view.object = view.get_object()
    context = view.get_context_data(object=view.object, comment_form=form)
    return TemplateResponse(request, view.get_template_names(), context, status=400)
