from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.urls import reverse

from .models import Comment
from .moderation import initial_status


class WebsiteField(forms.URLField):
    """A URL field that accepts only http and https (no javascript:, data:, ftp:)."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class CommentForm(forms.ModelForm):
    """The reader's comment form under an article.

    This form is the one place a commenter's email address passes through on its way to the
    database; it is never rendered back on any page other than this form's own error response.
    """

    # Text, not IntegerField: the field is hidden, so a malformed value must be reported (and
    # cleared) by clean() like any other bad parent, not as an error the reader cannot see.
    parent = forms.CharField(required=False, widget=forms.HiddenInput)
    website = WebsiteField(
        required=False,
        max_length=300,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    body = forms.CharField(
        label="Comment",
        max_length=settings.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    # Opt-in, unticked by default: without it no cookie is set (comments/remember.py).
    remember = forms.BooleanField(
        required=False,
        label="Save my name, email, and website in this browser for the next time I comment.",
    )

    class Meta:
        model = Comment
        fields = ["body", "name", "email", "website"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.parent_comment = None
        self.helper = FormHelper(self)
        self.helper.form_id = "comment-form"
        self.helper.form_action = reverse("comments:post", kwargs={"slug": article.slug})
        self.helper.add_input(Submit("submit", "Post Comment"))

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Please write a comment.", code="required")
        return body

    def clean(self):
        cleaned_data = super().clean()
        if not self.article.comments_open:
            raise forms.ValidationError("Comments are closed on this article.", code="closed")
        parent_id = cleaned_data.get("parent")
        if parent_id:
            self.parent_comment = (
                Comment.objects.approved().filter(pk=int(parent_id), article=self.article).first()
                if parent_id.isascii() and parent_id.isdigit()
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
        return cleaned_data

    def save(self, *, ip_address=None, user_agent=""):
        comment = super().save(commit=False)
        comment.article = self.article
        comment.parent = self.parent_comment
        comment.ip_address = ip_address
        comment.user_agent = user_agent[:300]
        comment.status, comment.held_reason = initial_status(comment)
        comment.save()
        return comment
