"""Admin widgets for the article form: the rich-text body editor and tag suggestions.

The body editor is django-prose-editor (ProseMirror/Tiptap), served from our own static files.
Its extensions are limited to what `articles/sanitize.py` keeps, so the editor never offers
something the save would remove. The editor is a convenience, not a guard: whatever arrives is
sanitised on the server (`ArticleAdminForm.clean_body` and `Article.save`).
"""

from contextlib import suppress

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django_prose_editor.widgets import AdminProseEditorWidget
from js_asset import InlineStyle, Media
from taggit.forms import TagWidget

from .models import WORDS_PER_MINUTE, count_words, reading_minutes
from .tags import popular_tags

BODY_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3, 4]},
    "HardBreak": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    # Figure inserts <figure><img><figcaption> from an image URL; its "Browse..." button opens
    # the inline image upload page (ArticleAdmin.inline_image_view), set per request.
    "Figure": True,
    "Image": True,
    "Caption": True,
}


def inline_image_upload_url():
    try:
        return reverse("admin:articles_article_inline_image")
    except NoReverseMatch:
        return None


def length_summary(words):
    """ "1,234 words · 6 min read": the body's length as the writer sees it under the editor."""
    return f"{words:,} word{'' if words == 1 else 's'} · {reading_minutes(words)} min read"


class ArticleBodyEditor(AdminProseEditorWidget):
    """The article body as a prose editor; a plain textarea of HTML when JavaScript is off.

    Under it, the body's length in words and minutes of reading, counted as the saved article
    counts them (`models.count_words`, `models.reading_minutes`); the article form's script
    (static/articles/admin/writing.js) keeps it up to date while the writer types.
    """

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, preset="configurable")

    @property
    def media(self):
        """The editor's files, with Tiptap's styles as a file rather than an inline <style>.

        Tiptap adds its styles in a `<style data-tiptap-style>` unless the page has one; the
        empty one here (nothing for the Content-Security-Policy to refuse) keeps it from doing
        so, and prose_editor_core.css brings the same rules from the site itself.
        """
        tiptap_styles = [
            InlineStyle("", **{"data-tiptap-style": ""}),
            "articles/admin/prose_editor_core.css",
        ]
        return super().media + Media(css={"all": tiptap_styles})

    def render(self, name, value, attrs=None, renderer=None):
        editor = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<output class="writing-length" for="{}" aria-live="polite" '
            'data-words-per-minute="{}">{}</output>',
            editor,
            (attrs or {}).get("id", f"id_{name}"),
            WORDS_PER_MINUTE,
            length_summary(count_words(value or "")),
        )

    def get_config(self):
        extensions = dict(BODY_EDITOR_EXTENSIONS)
        if picker_url := inline_image_upload_url():
            extensions["Figure"] = {"pickerUrl": picker_url}
        self.config = {"extensions": extensions}
        return super().get_config()


class TagSuggestionWidget(TagWidget):
    """taggit's comma-separated text box, with a `<datalist>` of existing tags.

    Without JavaScript the browser offers the listed tags for the first name typed. The script
    (static/articles/admin/tag_suggestions.js) asks the tag autocomplete endpoint for names
    matching the name being typed after the last comma and offers them as completions of the
    whole value, so suggestions follow every tag in the list.
    """

    suggestion_count = 50
    # Whose suggestions: ArticleAdminForm sets the member of staff using the form. Without
    # one, nothing is suggested.
    user = None

    class Media:
        js = ["articles/admin/tag_suggestions.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["list"] = f"{widget_attrs.get('id') or name}_suggestions"
        widget_attrs.setdefault("autocomplete", "off")
        with suppress(NoReverseMatch):
            widget_attrs["data-autocomplete-url"] = reverse("admin:articles_tag_autocomplete")
        return context

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        text_box = self._render(self.template_name, context, renderer)
        options = format_html_join(
            "",
            '<option value="{}"></option>',
            (
                (tag,)
                for tag in (popular_tags(self.user, self.suggestion_count) if self.user else [])
            ),
        )
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            text_box,
            context["widget"]["attrs"]["list"],
            options,
        )
