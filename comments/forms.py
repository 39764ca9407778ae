import functools
import secrets
import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib import admin
from django.core import signing
from django.core.validators import MaxLengthValidator, URLValidator
from django.template.loader import render_to_string

from articles.links import absolute_url

from . import moderation, permissions, threads
from .models import Comment
from .staff_replies import staff_name

FORM_TOKEN_SALT = "comments.form-time"

EXPIRED_MESSAGE = (
    "Your form expired, please post again: your text is kept below. "
    "(Comment forms stay valid for {hours} hours after the page is loaded.)"
)
BAD_TOKEN_MESSAGE = "We could not check this form, please post again: your text is kept below."
ENCODING_MESSAGE = (
    "Your browser sent characters we could not read (the text was not UTF-8). "
    "Please check your text below and post again."
)
CLOSED_MESSAGE = "Comments are closed on this article."


def form_token(issued_at=None):
    """A signed token saying when the comment form was served, different for every page load.

    Posting measures the seconds since (too fast: a bot, marked as spam) and refuses forms
    older than the discussion settings allow. Signed, so a bot cannot backdate it. Its random
    part makes it name one served form: the same form posted twice is recognised by it
    (moderation.submission_key).
    """
    issued_at = time.time() if issued_at is None else issued_at
    return signing.dumps(
        {"t": round(issued_at, 3), "n": secrets.token_urlsafe(9)}, salt=FORM_TOKEN_SALT
    )


def form_token_age(token):
    """Seconds since the token was issued, or None if it is not a valid token."""
    try:
        value = signing.loads(token or "", salt=FORM_TOKEN_SALT)
    except signing.BadSignature:
        return None
    issued_at = value.get("t") if isinstance(value, dict) else None
    if not isinstance(issued_at, int | float):
        return None
    return time.time() - issued_at


def posting_staff(request):
    """The signed-in account that comments as staff from this browser, or None.

    Only moderators do (`permissions.can_moderate`), and only in a session the admin itself
    would let in (`admin.site.has_permission`: one that gave its two-factor code, when the
    account has an authenticator app). A browser without a session cookie is nobody's: its
    session is not even read, so readers' pages stay as they were.
    """
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    user = request.user
    if permissions.can_moderate(user) and admin.site.has_permission(request):
        return user
    return None


class WebsiteField(forms.URLField):
    """A URL field that accepts only http and https (no javascript:, data:, ftp:)."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class CommentForm(forms.ModelForm):
    """The reader's comment form under an article.

    This form is the one place a commenter's email address passes through on its way to the
    database; it is never rendered back on any page other than this form's own error response.

    Besides the fields it checks what the reader cannot fix by editing (and tells them so, with
    their text kept): comments closed, a form too old or not ours. Nothing it answers depends
    on whether the address is known (a comment posted twice is moderation.receive's business,
    and not an error). What it learns for the moderation rules (the honeypot, the seconds to
    post) it keeps in `honeypot_filled` and `seconds_to_post`.

    With `staff_user` (a moderator, `posting_staff`) the reader's fields are left out: the
    comment is posted under the account's name and address (`staff_name`, its email), and
    whatever a request says for them is ignored.

    The signed time token (`form_token`) comes with a posting in the hidden `timestamp` field
    (pages that are personal anyway: this form shown again with its errors, a moderator's) or
    in the form-check cookie (the shared page's form, which carries no per-reader value:
    comments/form_check.py). The view passes the cookie's token as `cookie_token`; with
    `cookie_required` (an anonymous reader, checks enforced) a posting without it is refused
    like a forged token, with the text kept and a new token given for the second try.

    `fields_html()` is the form's fields as the page shows them; an anonymous reader's blank
    form is the same for everyone, so it is rendered once per process (`shared_fields_html`).
    """

    #: The fields only readers fill in; staff comment under their account.
    READER_FIELDS = ("name", "email", "website", "remember", "notify_replies")

    # Text, not IntegerField: the field is hidden, so a malformed value must be reported (and
    # cleared) by clean() like any other bad parent, not as an error the reader cannot see.
    parent = forms.CharField(required=False, widget=forms.HiddenInput)
    website = WebsiteField(
        required=False,
        max_length=300,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    # Its length limit is the discussion settings' (`comment_max_length`), set in __init__.
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 8}))
    # Opt-in, unticked by default: without it no cookie is set (comments/commenters/remember.py).
    remember = forms.BooleanField(
        required=False,
        label="Save my name, email, and website in this browser for the next time I comment.",
    )
    # The signed time the form was served (form_token).
    timestamp = forms.CharField(required=False, widget=forms.HiddenInput)
    # The honeypot: hidden from people (visually and from screen readers, out of the tab
    # order), so only a bot filling in every field writes in it.
    subject = forms.CharField(
        label="Leave this field empty",
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    # Opt-in, unticked by default; nothing is sent until the address confirms it by a link
    # (comments/mail/notifications.py).
    notify_replies = forms.BooleanField(required=False, label="Notify me of replies by email.")

    class Meta:
        model = Comment
        fields = ["body", "name", "email", "website", "notify_replies"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(
        self,
        *args,
        article,
        rules=None,
        encoding_error=False,
        staff_user=None,
        cookie_token=None,
        cookie_required=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.article = article
        self.staff_user = staff_user
        self.cookie_token = cookie_token
        self.cookie_required = cookie_required
        #: The token this posting is measured and named by (set by clean()).
        self.token = None
        self.encoding_error = encoding_error
        self.rules = rules or moderation.discussion_settings()
        self.parent_comment = None
        self.honeypot_filled = False
        self.seconds_to_post = None
        max_length = self.rules.comment_max_length
        body = self.fields["body"]
        body.max_length = max_length
        body.widget.attrs["maxlength"] = str(max_length)
        body.validators = [
            *(v for v in body.validators if not isinstance(v, MaxLengthValidator)),
            MaxLengthValidator(max_length),
        ]
        self.helper = FormHelper(self)
        # The <form> element, the hidden fields and the CSRF token (moderators only) are
        # written by templates/comments/comment_section.html: what crispy renders is the same
        # for every anonymous reader.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        reader_fields = self.READER_FIELDS
        if staff_user is not None:
            for name in self.READER_FIELDS:
                del self.fields[name]
            reader_fields = ()
        self.helper.layout = Layout(
            "body",
            *reader_fields,
            Div(Field("subject"), css_class="visually-hidden", aria_hidden="true"),
        )
        self.helper.add_input(Submit("submit", "Post Comment"))

    @property
    def shared(self):
        """Whether this form's page is the same for every reader: a blank anonymous form with
        nothing of the reader in it (not a moderator's, not prefilled with saved details)."""
        return (
            not self.is_bound
            and self.staff_user is None
            and not any(self.initial.get(name) for name in self.READER_FIELDS)
        )

    @property
    def time_token(self):
        """The token for the hidden `timestamp` field, or None on a shared form (which gets
        its token from the form check instead)."""
        if self.is_bound:
            return self.data.get("timestamp") or None
        if self.shared:
            return None
        return self.initial.setdefault("timestamp", form_token())

    @property
    def parent_value(self):
        """The hidden `parent` field's value: the comment replied to, or ''."""
        value = self.data.get("parent") if self.is_bound else self.initial.get("parent")
        return "" if value is None else str(value)

    def fields_html(self):
        """The fields and the button, as the page shows them (crispy-forms, Bootstrap 5)."""
        if self.shared:
            return shared_fields_html(self.article, self.rules)
        return render_to_string("comments/comment_form_fields.html", {"form": self})

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self._errors:
            # The page is shown again: give it a fresh time token, so that posting it again
            # after fixing the problem is measured from now (the view sets the cookie to it).
            self.data = self.data.copy()
            self.data["timestamp"] = form_token()

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Please write a comment.", code="required")
        return body

    def clean_subject(self):
        self.honeypot_filled = bool(self.cleaned_data["subject"])
        return ""

    def clean(self):
        cleaned_data = super().clean()
        if self.encoding_error:
            raise forms.ValidationError(ENCODING_MESSAGE, code="encoding")
        if not moderation.comments_open(self.article, self.rules):
            raise forms.ValidationError(CLOSED_MESSAGE, code="closed")
        self._clean_timestamp(cleaned_data.get("timestamp"))
        self._clean_parent(cleaned_data.get("parent"))
        return cleaned_data

    @property
    def staff_name(self):
        """The name a moderator's comment is published under (None on a reader's form)."""
        return None if self.staff_user is None else staff_name(self.staff_user)

    @property
    def valid_address(self):
        """The address posted, when it is a valid one (whatever else is wrong), else None."""
        if self.staff_user is not None or not hasattr(self, "cleaned_data"):
            return None
        return self.cleaned_data.get("email") or None

    def _clean_timestamp(self, field_token):
        """Measure the posting by its token: the hidden field's when it holds a valid one (it
        names the very page posted), else the form-check cookie's.

        With `cookie_required`, the cookie (SameSite=Strict, so never sent from another site)
        must be there too, whichever token measures the posting.
        """
        cookie_token = self.cookie_token if form_token_age(self.cookie_token) is not None else None
        token = field_token if form_token_age(field_token) is not None else cookie_token
        if token is None or (self.cookie_required and cookie_token is None):
            raise forms.ValidationError(BAD_TOKEN_MESSAGE, code="bad_token")
        age = form_token_age(token)
        if age > self.rules.max_form_age_hours * 3600:
            raise forms.ValidationError(
                EXPIRED_MESSAGE.format(hours=self.rules.max_form_age_hours), code="expired"
            )
        self.seconds_to_post = age
        self.token = token

    def _clean_parent(self, parent_id):
        if not parent_id:
            return
        self.parent_comment = (
            Comment.objects.approved().filter(pk=int(parent_id), article=self.article).first()
            if parent_id.isascii() and parent_id.isdigit() and len(parent_id) < 19
            else None
        )
        if self.parent_comment is None:
            self.data = self.data.copy()
            self.data["parent"] = ""
            raise forms.ValidationError(
                "The comment you are replying to is not available on this article. "
                "Your text is kept below: post it as a new comment or reload the page.",
                code="invalid_parent",
            )
        if not threads.takes_replies(self.parent_comment, self.rules.thread_depth):
            message = threads.too_deep_message(self.parent_comment, self.rules.thread_depth)
            self.parent_comment = None
            self.data = self.data.copy()
            self.data["parent"] = ""
            raise forms.ValidationError(
                f"{message} Your text is kept below: post it as a new comment.",
                code="too_deep",
            )

    def submission(self, request):
        """The unsaved comment with what the moderation rules need to know about it."""
        from .commenters import verification

        comment = super().save(commit=False)
        comment.article = self.article
        comment.parent = self.parent_comment
        comment.ip_address = request.META.get("REMOTE_ADDR") or None
        comment.user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
        comment.browser_digest = verification.browser_digest(request)
        comment.submission_key = moderation.submission_key(self.token, comment.body)
        if self.staff_user is not None:
            comment.staff_user = self.staff_user
            comment.name = self.staff_name
            comment.email = self.staff_user.email
        lookup = functools.partial(verification.commenter_address, request, comment.email)
        return moderation.Submission(
            comment=comment,
            address_proven=verification.browser_proves(request, comment.email),
            address_lookup=lookup,
            seconds_to_post=self.seconds_to_post,
            honeypot_filled=self.honeypot_filled,
            referrer=request.META.get("HTTP_REFERER", "")[:500],
            permalink=absolute_url(self.article.get_absolute_url()),
        )


#: An anonymous reader's blank form, rendered once per process for each comment length limit
#: (the one setting its markup depends on; the article, the reply target and the tokens are
#: written around it by the template). Crispy-forms costs a sixth of an article page's render.
_shared_fields = {}


def shared_fields_html(article, rules):
    """The fields and button of a blank anonymous form, the same bytes for every reader."""
    max_length = rules.comment_max_length
    html = _shared_fields.get(max_length)
    if html is None:
        form = CommentForm(article=article, rules=rules)
        html = _shared_fields[max_length] = render_to_string(
            "comments/comment_form_fields.html", {"form": form}
        )
    return html
