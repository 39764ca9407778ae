from functools import update_wrapper
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import dashboard, twofactor
from .forms import NewsroomAuthenticationForm, TwoFactorEnrolForm, TwoFactorRemoveForm

# The admin pages a staff member obliged to use two-factor sign-in reaches before adding an app.
OPEN_BEFORE_ENROLMENT = {"two_factor", "logout"}


class NewsroomAdminSite(admin.AdminSite):
    site_header = f"{settings.SITE_NAME} newsroom"
    site_title = f"{settings.SITE_NAME} newsroom"
    index_title = "Newsroom"
    login_form = NewsroomAuthenticationForm
    # The sidebar would take a quarter of a laptop's screen from every list; the dashboard is
    # the home page and every page has breadcrumbs back to it.
    enable_nav_sidebar = False

    def index(self, request, extra_context=None):
        """The admin index opens on the newsroom dashboard (config/dashboard.py)."""
        context = {"dashboard": dashboard.dashboard_for(request.user), **(extra_context or {})}
        return super().index(request, context)

    # TWO-FACTOR SIGN-IN (config/twofactor.py)
    # --------------------------------------------------------------------------

    def has_permission(self, request):
        """Staff who added an authenticator app must have given a code in this session."""
        return super().has_permission(request) and twofactor.session_is_verified(request.user)

    def admin_view(self, view, cacheable=False):
        """Every admin view, but sending staff who must add an app to do that first."""
        protected = super().admin_view(view, cacheable)

        def enrolled_first(request, *args, **kwargs):
            if self._must_enrol_first(request):
                enrolment = reverse("admin:two_factor", current_app=self.name)
                next_url = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{enrolment}?{next_url}")
            return protected(request, *args, **kwargs)

        return update_wrapper(enrolled_first, protected)

    def _must_enrol_first(self, request):
        match = request.resolver_match
        return (
            (match is None or match.url_name not in OPEN_BEFORE_ENROLMENT)
            and super().has_permission(request)
            and twofactor.needs_enrolment(request.user)
        )

    def login(self, request, extra_context=None):
        user = request.user
        context = {
            # Signed in with the password in another session, before adding an app.
            "code_needed_again": user.is_active
            and user.is_staff
            and not twofactor.session_is_verified(user),
            **(extra_context or {}),
        }
        return super().login(request, context)

    def get_urls(self):
        return [
            path("two-factor/", self.admin_view(self.two_factor), name="two_factor"),
            path(
                "two-factor/remove/",
                self.admin_view(require_POST(self.remove_two_factor)),
                name="two_factor_remove",
            ),
            *super().get_urls(),
        ]

    def two_factor(self, request):
        """Add an authenticator app, or replace the one in use."""
        device = twofactor.device_for(request.user)
        replacing = device is not None
        if replacing and request.method != "POST" and "replace" not in request.GET:
            return self._two_factor_page(request, remove_form=self._remove_form(request))
        key = twofactor.pending_key(request.session)
        form = TwoFactorEnrolForm(
            request.POST if request.method == "POST" else None,
            request=request,
            key=key,
            replacing=replacing,
        )
        if form.is_valid():
            form.save()
            messages.success(
                request,
                "Two-factor authentication is on: from now on, sign in with your password and "
                "the code your app shows.",
            )
            return HttpResponseRedirect(self._next_url(request))
        return self._two_factor_page(request, enrol_form=form, key=key)

    def remove_two_factor(self, request):
        """Turn two-factor sign-in off, for staff the settings do not oblige to use it."""
        if twofactor.device_for(request.user) is None:
            return redirect("admin:two_factor")
        if twofactor.is_required_for(request.user):
            messages.error(
                request, "Your role must use two-factor sign-in: replace the app instead."
            )
            return redirect("admin:two_factor")
        form = TwoFactorRemoveForm(request.POST, request=request)
        if form.is_valid():
            form.save()
            messages.success(
                request, "Two-factor authentication is off: your password alone signs you in."
            )
            return redirect("admin:two_factor")
        return self._two_factor_page(request, remove_form=form)

    def _remove_form(self, request):
        if twofactor.is_required_for(request.user):
            return None
        return TwoFactorRemoveForm(request=request)

    def _two_factor_page(self, request, enrol_form=None, remove_form=None, key=None):
        user = request.user
        context = {
            **self.each_context(request),
            # Before the set-up it obliges them to, the other pages would only lead back here.
            "is_nav_sidebar_enabled": self.enable_nav_sidebar
            and not twofactor.needs_enrolment(user),
            "title": "Two-factor authentication",
            "device": twofactor.device_for(user),
            "required": twofactor.is_required_for(user),
            "enrol_form": enrol_form,
            "remove_form": remove_form,
            "qr_code": twofactor.setup_qr_code(user, key) if key else None,
            "secret": twofactor.secret_for_typing(key) if key else None,
            "next": self._next_url(request, default=""),
        }
        return TemplateResponse(request, "admin/two_factor.html", context)

    def _next_url(self, request, default=None):
        """Where the page was asked to go on to (if it is on this site), else the index."""
        url = request.POST.get("next") or request.GET.get("next") or ""
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
        return reverse("admin:index", current_app=self.name) if default is None else default
