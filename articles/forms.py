from django import forms

from .models import Article

PUBLISH_PERMISSION = "articles.publish_article"


class ArticleAdminForm(forms.ModelForm):
    """The article form in the admin, aware of who is using it.

    Contributors may only keep an article in draft or send it for review; the choice list is
    narrowed for them, and `clean_status` refuses anything else, so a forged POST fails too.
    """

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "kind",
            "standfirst",
            "body",
            "tags",
            "featured_image",
            "featured_image_alt",
            "featured_image_caption",
            "status",
            "published_at",
            "comments_open",
        ]

    user = None  # set by ArticleAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields and not self.can_publish:
            self.fields["status"].choices = [
                (value, label)
                for value, label in self.fields["status"].choices
                if value != Article.Status.PUBLISHED
            ]

    @property
    def can_publish(self):
        return self.user is not None and self.user.has_perm(PUBLISH_PERMISSION)

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == Article.Status.PUBLISHED and not self.can_publish:
            raise forms.ValidationError(
                "Only editors can publish or schedule. Choose “In review” to send it to them.",
                code="publish_not_allowed",
            )
        return status
