"""The pages behind the signed links in commenters' messages (comments/commenters/selfservice.py).

No login: the token in the address is the key. Each page is private (never cached, no
referrer sent on, not indexed) and shows neither the address nor its digest. Links that were
altered or have expired get a 400 page saying so. Following a link changes nothing by itself:
GET shows a button and POST acts, so mail scanners that open links unsubscribe nobody — except
the RFC 8058 one-click POST, which mail providers send without a CSRF token by design.
"""

import json

from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..commenters import personal_data, selfservice
from ..commenters.signed_links import InvalidLink
from ..models import Comment


def _private(response):
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _render(request, template, context=None, status=200):
    return _private(TemplateResponse(request, f"comments/{template}", context or {}, status=status))


def _address_or_error(request, token, salt):
    try:
        return selfservice.address_from_token(token, salt), None
    except InvalidLink as error:
        return None, _render(request, "manage_invalid.html", {"reason": error.message}, 400)


@never_cache
@csrf_exempt  # RFC 8058: the one-click POST comes from the mail provider, without a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    address, error = _address_or_error(request, token, selfservice.UNSUBSCRIBE_SALT)
    if error:
        return error
    if request.method == "POST":
        selfservice.unsubscribe(address)
        return _render(request, "manage_unsubscribed.html")
    return _render(request, "manage_unsubscribe.html")


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request, token):
    address, error = _address_or_error(request, token, selfservice.MANAGE_SALT)
    if error:
        return error
    notice = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "export":
            return _export(address)
        if action == "erase":
            if request.POST.get("confirm") != "yes":
                notice = "Tick the box to confirm that you want your data erased."
            else:
                personal_data.erase(address.email)
                return _render(request, "manage_erased.html")
        elif action == "withdraw":
            withdrawn = selfservice.withdraw(address, request.POST.get("comment", ""))
            if withdrawn is not None:
                return redirect(request.path + "?done=withdrawn")
            notice = "That comment cannot be withdrawn."
        elif action == "notifications":
            selfservice.set_notifications(address, request.POST.getlist("notify"))
            return redirect(request.path + "?done=notifications")
        else:
            notice = "Please use one of the buttons on this page."
    done = {
        "withdrawn": "Your comment was withdrawn. It no longer appears on the site.",
        "notifications": "Your notification choices are saved.",
    }.get(request.GET.get("done"))
    comments = (
        Comment.objects.from_address(address).select_related("article").order_by("-created_at")
    )
    return _render(
        request,
        "manage.html",
        {
            "comments": comments,
            "receives_notifications": address.receives_notifications,
            "erasure_rule": personal_data.ERASURE_RULE,
            "notice": notice,
            "done": done,
        },
        status=400 if notice else 200,
    )


def _export(address):
    data = personal_data.export(address.email)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="my-comments-{stamp}.json"'
    return _private(response)
