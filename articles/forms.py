from django import forms

from .models import Article, StaleArticleError
from .permissions import can_publish as user_can_publish
from .revisions import stale_save_message
from .sanitize import has_content, sanitize_html
from .widgets import ArticleBodyEditor, TagSuggestionWidget


class ArticleAdminForm(forms.ModelForm):
    """The article form in the admin, aware of who is using it.

    Contributors may only keep an article in draft or send it for review; the choice list is
    narrowed for them, and `clean_status` refuses anything else, so a forged POST fails too.
    """

    class Meta:
        model = Article
        fields = Article.EDITED_FIELDS
        widgets = {
            "standfirst": forms.Textarea(attrs={"rows": 3}),
            "body": ArticleBodyEditor,
            "tags": TagSuggestionWidget,
        }

    # The article's version when the form was opened; a save over a newer one is refused.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    user = None  # set by ArticleAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version
        if "tags" in self.fields:
            self.fields["tags"].widget.user = self.user
        if "status" in self.fields and not self.can_publish:
            self.fields["status"].choices = [
                (value, label)
                for value, label in self.fields["status"].choices
                if value != Article.Status.PUBLISHED
            ]

    @property
    def can_publish(self):
        return self.user is not None and user_can_publish(self.user)

    def clean_body(self):
        """The body as it will be stored, so a redisplayed form shows what the save keeps."""
        body = sanitize_html(self.cleaned_data["body"])
        if not has_content(body):
            raise forms.ValidationError("Write the article's body.", code="required")
        return body

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == Article.Status.PUBLISHED and not self.can_publish:
            raise forms.ValidationError(
                "Only editors can publish or schedule. Choose “In review” to send it to them.",
                code="publish_not_allowed",
            )
        return status

    def clean_loaded_version(self):
        """Refuse the save when someone saved the article after this form was opened.

        The error goes to the whole form: this field is hidden, so an error on it would not
        show. A hand-made POST without the field is not checked (the admin page always sends
        it); its save still raises the version, so other people's open forms are refused.
        """
        loaded_version = self.cleaned_data.get("loaded_version")
        if self.instance.pk is not None and loaded_version is not None:
            try:
                self.instance.ensure_current(loaded_version)
            except StaleArticleError:
                self.add_error(
                    None,
                    forms.ValidationError(
                        stale_save_message(self.instance, loaded_version, user=self.user),
                        code="stale_article",
                    ),
                )
        return loaded_version

    @property
    def expected_version(self):
        """The version `Article.save` must find, or None for a new article."""
        if self.instance.pk is None or not hasattr(self, "cleaned_data"):
            return None
        return self.cleaned_data.get("loaded_version")


class AutosaveForm(forms.Form):
    """The text being written, posted every 30 seconds by the article form's script.

    Read by `ArticleAdmin.autosave_view`. As loose as the article's own fields: a half-written
    article is kept as it is.
    """

    title = forms.CharField(max_length=Article._meta.get_field("title").max_length, required=False)
    standfirst = forms.CharField(required=False)
    body = forms.CharField(required=False)


class MergeTagsForm(forms.Form):
    """The target of the admin's "Merge selected tags" action (see articles/tags.py)."""

    target_name = forms.CharField(
        label="Merge into",
        max_length=100,
        help_text="The tag to keep: one of the selected tags, another existing tag, or a new "
        "name. Every article carrying a selected tag will carry this one instead.",
    )

    def clean_target_name(self):
        name = self.cleaned_data["target_name"].strip()
        if not name:
            raise forms.ValidationError("Name the tag to keep.", code="required")
        return name
