"""The discussion settings page: one object, edited like WordPress's Settings → Discussion.

There is no list, no "add" and no "delete": the changelist opens the one row. Editors and
moderators may change it (config/roles.py). Disallowed addresses are typed one per line and
stored as keyed digests only, so the page can say how many are on the list but never show them.
"""

import ipaddress

from django import forms
from django.contrib import admin
from django.core.validators import EmailValidator
from django.shortcuts import redirect
from django.urls import reverse

from ..commenters.privacy import digest
from ..models import (
    MAX_THREAD_DEPTH,
    MIN_THREAD_DEPTH,
    THREAD_DEPTH_MESSAGES,
    DiscussionSettings,
    comment_length_ceiling,
)

#: The page, section by section: the one list of the settings staff edit. The form edits the
#: model fields named here (`edited_settings`); the other names are the form's own fields
#: (adding and removing disallowed addresses) and what the page only shows.
FIELDSETS = [
    ("Moderation", {"fields": ["mode"]}),
    (
        "Holds and spam",
        {
            "fields": [
                "max_links",
                "moderation_words",
                "disallowed_words",
                "disallowed_ips",
                "disallowed_address_count",
                "add_disallowed_addresses",
                "remove_disallowed_addresses",
                "clear_disallowed_addresses",
                "spam_check_enabled",
            ]
        },
    ),
    (
        "Form defences",
        {
            "fields": [
                "min_seconds_to_post",
                "max_form_age_hours",
                "comments_per_ip_per_minute",
                "comments_per_address_per_hour",
                "duplicate_window_minutes",
                "max_length",
            ],
            "description": "A limit of 0 turns that rate limit off.",
        },
    ),
    (
        "Threads and closing",
        {
            "fields": [
                "thread_depth",
                "comments_per_page",
                "default_comments_page",
                "close_after_days",
            ]
        },
    ),
    (
        "Notifications and privacy",
        {"fields": ["moderator_notification_minutes", "ip_retention_days", "updated_at"]},
    ),
]


def edited_settings(fieldsets):
    """The model fields `fieldsets` lets staff edit, in the page's order."""
    editable = {field.name for field in DiscussionSettings._meta.fields if field.editable}
    return [name for _title, options in fieldsets for name in options["fields"] if name in editable]


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class DiscussionSettingsForm(forms.ModelForm):
    add_disallowed_addresses = forms.CharField(
        label="Add disallowed addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text="One email address per line. Comments from them are marked as spam. The "
        "addresses are not kept, only a keyed fingerprint of each, so they cannot be listed "
        "here afterwards.",
    )
    remove_disallowed_addresses = forms.CharField(
        label="Remove disallowed addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text="One email address per line, to take off the list.",
    )
    clear_disallowed_addresses = forms.BooleanField(
        label="Empty the list of disallowed addresses", required=False
    )
    # The model's bounds on the form field itself, so that the browser offers the range and a
    # negative number gets the same message as 0 (the model field's own form field allows 0).
    thread_depth = DiscussionSettings._meta.get_field("thread_depth").formfield(
        min_value=MIN_THREAD_DEPTH,
        max_value=MAX_THREAD_DEPTH,
        error_messages=THREAD_DEPTH_MESSAGES,
    )

    class Meta:
        model = DiscussionSettings
        fields = edited_settings(FIELDSETS)

    def _addresses(self, name):
        addresses = _lines(self.cleaned_data.get(name))
        validate = EmailValidator()
        bad = []
        for address in addresses:
            try:
                validate(address)
            except forms.ValidationError:
                bad.append(address)
        if bad:
            raise forms.ValidationError(
                "Not email addresses: %(bad)s", params={"bad": ", ".join(bad)}, code="invalid"
            )
        return addresses

    def clean_add_disallowed_addresses(self):
        return self._addresses("add_disallowed_addresses")

    def clean_remove_disallowed_addresses(self):
        return self._addresses("remove_disallowed_addresses")

    def clean_disallowed_ips(self):
        lines = _lines(self.cleaned_data["disallowed_ips"])
        bad = []
        for line in lines:
            try:
                ipaddress.ip_network(line, strict=False)
            except ValueError:
                bad.append(line)
        if bad:
            raise forms.ValidationError(
                "Not IP addresses or networks: %(bad)s",
                params={"bad": ", ".join(bad)},
                code="invalid",
            )
        return "\n".join(lines)

    def clean_max_length(self):
        value = self.cleaned_data["max_length"]
        if value > comment_length_ceiling():
            raise forms.ValidationError(
                "At most %(limit)s: the server's COMMENT_MAX_LENGTH setting.",
                params={"limit": comment_length_ceiling()},
                code="max_value",
            )
        return value

    def clean_moderation_words(self):
        return "\n".join(_lines(self.cleaned_data["moderation_words"]))

    def clean_disallowed_words(self):
        return "\n".join(_lines(self.cleaned_data["disallowed_words"]))

    def save(self, commit=True):
        instance = super().save(commit=False)
        digests = (
            []
            if self.cleaned_data.get("clear_disallowed_addresses")
            else [*instance.disallowed_email_digests]
        )
        removed = {digest(address) for address in self.cleaned_data["remove_disallowed_addresses"]}
        for address in self.cleaned_data["add_disallowed_addresses"]:
            value = digest(address)
            if value not in digests:
                digests.append(value)
        instance.disallowed_email_digests = [value for value in digests if value not in removed]
        if commit:
            instance.save()
        return instance


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(admin.ModelAdmin):
    form = DiscussionSettingsForm
    readonly_fields = ["disallowed_address_count", "updated_at"]
    fieldsets = FIELDSETS

    @admin.display(description="Disallowed addresses on the list")
    def disallowed_address_count(self, obj):
        count = len(obj.disallowed_email_digests or ())
        return f"{count} address{'es' if count != 1 else ''}"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """There is one object: open it."""
        settings_row = DiscussionSettings.current()
        opts = self.model._meta
        return redirect(
            reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[settings_row.pk],
            )
        )

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        # "Save" would go back to the changelist, which only redirects here again.
        if "_continue" not in request.POST and "_save" in request.POST:
            return redirect(request.path)
        return response
