"""The admin's personal-data action: export or erase everything held for the selected
comments' addresses (comments/commenters/personal_data.py), for staff with `manage_personal_data`.

Like Django's "delete selected", the action first shows a page saying what will happen; its
buttons post back to the same action with the choice.

Addresses go only to staff who may see them elsewhere (`permissions.may_see_addresses`): only they
are shown the addresses on that page, and only they may export. The export is the copy a
commenter is owed when they ask what is held about them, so it is complete or not made: a file
with the addresses blanked out could be sent on as if it were the whole answer. Staff without
the permission are told so and may still erase, which needs no address shown.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from ..commenters import personal_data
from ..permissions import may_see_addresses

EXPORT_REFUSED = (
    "Nothing was exported: the export holds the commenters’ email addresses, which your "
    "account may not see. Ask a colleague who may see addresses to export; you may still "
    "erase the data."
)


def _addresses(queryset):
    """The distinct addresses of the selected comments, one per digest, in selection order."""
    found = {}
    for comment in queryset.exclude(email_digest="").order_by("pk"):
        found.setdefault(comment.email_digest, comment.email)
    return list(found.values())


@admin.action(
    description="Export / erase data for the selected commenters' addresses",
    permissions=["manage_personal_data"],
)
def export_or_erase(modeladmin, request, queryset):
    addresses = _addresses(queryset)
    operation = request.POST.get("operation")
    may_export = may_see_addresses(request.user)
    if operation == "export" and not may_export:
        modeladmin.message_user(request, EXPORT_REFUSED, messages.ERROR)
        return None
    if operation == "export" and addresses:
        data = {"addresses": [personal_data.export(address) for address in addresses]}
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
        )
        stamp = timezone.now().strftime("%Y-%m-%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="commenter-data-{stamp}.json"'
        response["Cache-Control"] = "no-store"
        return response
    if operation == "erase" and addresses:
        anonymised = deleted = 0
        for address in addresses:
            result = personal_data.erase(address)
            anonymised += result["anonymised"]
            deleted += result["deleted"]
        modeladmin.message_user(
            request,
            f"Erased the data of {len(addresses)} address{'es' if len(addresses) != 1 else ''}: "
            f"{anonymised} comment{'s' if anonymised != 1 else ''} anonymised, "
            f"{deleted} deleted.",
            messages.SUCCESS,
        )
        return None
    if not addresses:
        modeladmin.message_user(request, "The selected comments hold no address.", messages.INFO)
        return None
    opts = modeladmin.model._meta
    return TemplateResponse(
        request,
        "admin/comments/personal_data.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Export or erase commenters' data",
            "opts": opts,
            "queryset": queryset,
            "address_count": len(addresses),
            "addresses": addresses if may_export else None,
            "may_export": may_export,
            "comment_count": sum(personal_data.comment_count(address) for address in addresses),
            "erasure_rule": personal_data.ERASURE_RULE,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )
