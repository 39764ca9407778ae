"""The admin's sign-in form and the forms of the two-factor page (config/twofactor.py)."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed

from . import twofactor

CODE_HELP = "The six-digit code your authenticator app shows now."


def code_input(**attrs):
    return forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8, **attrs}
    )


def normalised_code(value):
    """A code as typed, with the spaces some apps show in the middle removed."""
    return "".join(value.split())


class NewsroomAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in: username and password, and a code for staff who added an app.

    A wrong code counts as a failed sign-in for django-axes, like a wrong password, so codes
    cannot be guessed faster than passwords.
    """

    otp_token = forms.CharField(
        label="Two-factor code",
        required=False,
        max_length=16,
        help_text="Only if you have set up two-factor authentication: the six-digit code "
        "your authenticator app shows now.",
        widget=code_input(),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "code_required": "Enter the six-digit code from your authenticator app as well.",
        "code_wrong": "That two-factor code is not right. Enter the code your app shows now.",
        "code_throttled": "Too many wrong two-factor codes in a row: wait a few seconds, then "
        "enter the code your app shows.",
    }

    def clean(self):
        cleaned_data = super().clean()
        user = self.get_user()
        device = twofactor.device_for(user) if user is not None else None
        if device is None:
            return cleaned_data
        code = normalised_code(cleaned_data.get("otp_token", ""))
        if not code:
            raise forms.ValidationError(self.error_messages["code_required"], code="code_required")
        if not twofactor.may_try_a_code(device):
            self._count_failed_sign_in(user)
            raise forms.ValidationError(
                self.error_messages["code_throttled"], code="code_throttled"
            )
        if not twofactor.check_code(user, device, code):
            self._count_failed_sign_in(user)
            raise forms.ValidationError(self.error_messages["code_wrong"], code="code_wrong")
        # django-otp's user_logged_in receiver keeps the device in the session: verified.
        user.otp_device = device
        return cleaned_data

    def _count_failed_sign_in(self, user):
        user_login_failed.send(
            sender=type(self),
            credentials={"username": user.get_username()},
            request=self.request,
        )


class PasswordConfirmationMixin:
    """A password field checked through authenticate(), so django-axes counts wrong ones."""

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = authenticate(
            self.request, username=self.request.user.get_username(), password=password
        )
        if user is None or user.pk != self.request.user.pk:
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password


class TwoFactorEnrolForm(PasswordConfirmationMixin, forms.Form):
    """Confirms a new authenticator with its first code (and the password, to replace one)."""

    otp_token = forms.CharField(
        label="Code from the app", max_length=16, help_text=CODE_HELP, widget=code_input()
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        help_text="To replace your current app, confirm it is you.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, key, replacing, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.key = key
        self.time_step = None
        if not replacing:
            del self.fields["password"]

    def clean_otp_token(self):
        code = normalised_code(self.cleaned_data["otp_token"])
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the six digits the app shows.", code="not_a_code")
        self.time_step = twofactor.matching_time_step(self.key, code)
        if self.time_step is None:
            raise forms.ValidationError(
                "That code does not match. Make sure you scanned the code on this page (or typed "
                "its key), that the phone's clock is right, and enter the code shown now.",
                code="code_wrong",
            )
        return code

    def save(self):
        return twofactor.enrol(self.request, self.key, self.time_step)


class TwoFactorRemoveForm(PasswordConfirmationMixin, forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def save(self):
        twofactor.remove(self.request)
