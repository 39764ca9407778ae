import urllib.parse

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article
from articles.views import ArticleDetailView

from .. import form_check, moderation, pages
from ..commenters import remember, verification
from ..commenters.signed_links import InvalidLink
from ..forms import CommentForm, posting_staff
from ..models import Comment

AWAITING_MODERATION = (
    "Thank you for your comment. It is awaiting moderation and will appear "
    "once a moderator has approved it."
)
PUBLISHED = "Thank you for your comment. It is published below."
#: The button's one answer, whether a message was sent now, minutes ago (one every
#: verification.RESEND_INTERVAL) or not at all (a comment marked as spam): which of these
#: happened must not tell whether the address is known or on the disallowed list (issue 10).
CONFIRMATION_SENT = (
    "We have sent you a confirmation link. Open it in this browser to confirm your address. "
    "(We send at most one every few minutes: if you asked a moment ago, look for that one, "
    "and in your spam folder.)"
)


@transaction.non_atomic_requests
@csrf_exempt
@never_cache
@require_POST
def post_comment(request, slug):
    """Take a reader's comment: refuse what cannot be posted, and let the rules decide the rest.

    Forgery: a moderator's posting (from a session) passes Django's full CSRF check; a reader's
    page is shared by every reader and carries no CSRF token, so a reader's posting must come
    from this site (Origin/Referer) with the form-check cookie, which a browser sends only with
    postings made from this site's pages (comments/form_check.py).

    Refusals store nothing: a form error (closed, expired, malformed) re-renders the article
    page with the reader's text kept (400); too many postings, refused ones included, get the
    429 page (per IP, then per address unless this browser proves it: moderation.flood_wait).
    What the rules decide (approved, held, spam) is stored with its reasons; the same posting
    sent again is answered as the first and not stored twice. No answer depends on whether
    the address typed is known (moderation.py).

    Not one transaction for the whole request (ATOMIC_REQUESTS): everything before storing
    only reads, and `moderation.receive` stores the comment and its address in a transaction of
    its own, so nothing is half-stored, and a posting costs no BEGIN/COMMIT around its reads.
    """
    staff_user = posting_staff(request)
    if staff_user is not None:
        refusal = form_check.staff_csrf_refusal(request)
    else:
        refusal = form_check.cross_site_refusal(request)
    if refusal is not None:
        return refusal
    article = get_object_or_404(Article.objects.published(), slug=slug)
    rules = moderation.discussion_settings(request)
    form = CommentForm(
        request.POST,
        article=article,
        rules=rules,
        encoding_error=_not_utf8(request),
        staff_user=staff_user,
        cookie_token=form_check.posted_token(request),
        cookie_required=staff_user is None and form_check.checks_enforced(request),
    )
    response = _take(request, article, form, rules)
    remember.update_after_posting(request, response, form)
    verification.set_browser_cookie(request, response)
    # The form shown again carries its new token in the hidden field and in the cookie, for a
    # browser that did not load the form check; after a posting, the next form is a new one.
    form_check.give_token(request, response, article.slug, form.time_token if form.errors else None)
    return response


@transaction.non_atomic_requests
@require_GET
def form_check_image(request, slug):
    """The form check inside every comment form: a 1×1 image whose answer sets the cookie
    standing for the form's CSRF and time tokens (comments/form_check.py).

    Never cached anywhere, and cheap: no database query, no session. The article is not looked
    up; the slug only scopes the cookie to its posting URL.
    """
    response = HttpResponse(form_check.PIXEL, content_type="image/gif")
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, private"
    form_check.give_token(request, response, slug)
    return response


def _take(request, article, form, rules):
    valid = form.is_valid()
    if form.staff_user is None:
        address = form.valid_address
        wait = moderation.flood_wait(
            request.META.get("REMOTE_ADDR"),
            address,
            rules,
            address_proven=verification.browser_proves(request, address),
        )
        if wait:
            return _too_many(request, article, form, wait)
    if not valid:
        return _article_page_with_errors(request, article.slug, form)

    submission = form.submission(request)
    comment = moderation.receive(submission, rules)

    if comment.status == Comment.Status.APPROVED:
        messages.success(request, PUBLISHED, extra_tags="comment")
        return redirect(pages.url_after_posting(comment, rules))
    # Spam is thanked like any held comment, the button included: a bot learns nothing from
    # the answer, and nobody learns that an address is on the disallowed list.
    messages.success(request, AWAITING_MODERATION, extra_tags="comment")
    if not submission.address_proven:
        messages.info(request, verification.offer_token(comment), extra_tags="comment offer")
    return redirect(f"{article.get_absolute_url()}#comments")


def _not_utf8(request):
    """Whether the posted form is not valid UTF-8 (Django would replace the bad bytes)."""
    if request.content_type != "application/x-www-form-urlencoded":
        return any("\ufffd" in value for values in request.POST.lists() for value in values[1])
    try:
        body = request.body.decode("ascii")
        urllib.parse.parse_qsl(body, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return True
    return False


def _article_page_with_errors(request, slug, form):
    """Re-render the article page, keeping the reader's text, with the form's errors shown."""
    view = ArticleDetailView()
    view.setup(request, slug=slug)
    view.object = view.get_object()
    context = view.get_context_data(object=view.object, comment_form=form)
    return TemplateResponse(request, view.get_template_names(), context, status=400)


def _too_many(request, article, form, wait):
    minutes = max(1, round(wait / 60))
    response = TemplateResponse(
        request,
        "429.html",
        {
            "article": article,
            "body": form.cleaned_data.get("body") or form.data.get("body", ""),
            "wait_minutes": minutes,
        },
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


@never_cache
@require_POST
def request_confirmation(request):
    """The "Email me a confirmation link" button under the thank-you message."""
    comment = verification.comment_from_offer(request.POST.get("token"))
    if comment is None:
        return TemplateResponse(
            request,
            "comments/confirmation_invalid.html",
            {"message": "This button has expired. Post a comment again to ask for a link."},
            status=400,
        )
    verification.request_confirmation(comment)
    messages.success(request, CONFIRMATION_SENT, extra_tags="comment")
    return redirect(f"{comment.article.get_absolute_url()}#comments")


@never_cache
def confirm_address(request, token):
    """The link in the confirmation message: a page with a button (GET), confirming (POST).

    The link works once. Confirming publishes only the comments held for it that this browser
    posted; the page says how many, and how many posted from other browsers still wait for a
    moderator, without showing those: whoever wrote them, a moderator decides.
    """
    try:
        link = verification.link_from_token(token)
        if request.method == "POST":
            verification.use_link(link)
    except InvalidLink as error:
        return TemplateResponse(
            request,
            "comments/confirmation_invalid.html",
            {"title": error.title, "message": error.message},
            status=400,
        )
    if request.method != "POST":
        return TemplateResponse(request, "comments/confirm_address.html", {"confirmed": False})
    confirmation = verification.confirm_address(
        link.address, browser_digest=verification.browser_digest(request, create=False)
    )
    response = TemplateResponse(
        request,
        "comments/confirm_address.html",
        {
            "confirmed": True,
            "published_count": len(confirmation.published),
            "held_elsewhere_count": confirmation.held_elsewhere,
        },
    )
    verification.set_proof_cookie(request, response, link.address)
    return response
