"""Reading an article's revisions back for people.

django-reversion stores every save made through the admin (and every admin action) as a
revision: a JSON copy of the article with its bylines and tag links (registered in
`models.py`), with the user, time and change message. This module turns those copies into what
the newsroom reads:

- a word-level diff of the title, standfirst and body between two revisions, the body compared
  as paragraphs of plain text with its HTML stripped (`compare`);
- for a save refused as stale, who saved the article since the form was opened and which
  fields they changed (`stale_save_message`);
- autosaves: the text being written, kept as a revision every half minute without touching the
  article itself (`autosave`).

Nothing here marks text safe: diff segments are plain strings, and templates escape them.
"""

import itertools
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from html.parser import HTMLParser

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import formats, timezone
from reversion.models import Revision, Version

from .models import Article, Byline, TaggedArticle
from .sanitize import sanitize_html

# Shown as word diffs on the compare page.
TEXT_FIELDS = ["title", "standfirst", "body"]
# Named when they changed ("also changed: status, tags"); authors and tags are compared apart.
OTHER_FIELDS = [name for name in Article.EDITED_FIELDS if name not in [*TEXT_FIELDS, "tags"]]
# A stale save looks this far back for the revision its form was loaded from.
RECENT_REVISIONS = 50
# The comment of an autosave's revision, which is how autosaves are told from saves.
AUTOSAVE_COMMENT = "Autosaved while writing (the article itself was not changed)."


@dataclass(frozen=True)
class Segment:
    """A run of text that is unchanged ("equal"), removed ("delete") or added ("insert")."""

    op: str
    text: str


@dataclass(frozen=True)
class FieldDiff:
    label: str
    paragraphs: list  # of lists of Segment, one list per paragraph shown
    changed: bool


@dataclass(frozen=True)
class Comparison:
    fields: list  # of FieldDiff, for TEXT_FIELDS
    also_changed: list  # labels of the other fields, authors and tags that differ


class _ParagraphText(HTMLParser):
    """Plain text of article HTML, one string per block (paragraph, heading, list item …)."""

    BLOCKS = {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "pre",
        "figure", "figcaption", "div", "section", "table", "tr", "br", "hr",
    }  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs = []
        self._parts = []

    def _end_paragraph(self):
        text = " ".join("".join(self._parts).split())
        if text:
            self.paragraphs.append(text)
        self._parts = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self._end_paragraph()
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            self._end_paragraph()
            self._parts.append(f"[image: {alt}]" if alt else "[image]")
            self._end_paragraph()

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self._end_paragraph()

    def handle_data(self, data):
        self._parts.append(data)

    def close(self):
        super().close()
        self._end_paragraph()


def body_paragraphs(html):
    parser = _ParagraphText()
    parser.feed(html or "")
    parser.close()
    return parser.paragraphs


def _merged(segments):
    merged = []
    for op, group in itertools.groupby(segments, key=lambda segment: segment.op):
        text = "".join(segment.text for segment in group)
        if text:
            merged.append(Segment(op, text))
    return merged


def diff_words(old, new):
    """Segments turning `old` into `new`, word by word (whitespace is kept with the text)."""
    old_tokens, new_tokens = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    segments = []
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment("equal", "".join(old_tokens[i1:i2])))
            continue
        segments.append(Segment("delete", "".join(old_tokens[i1:i2])))
        segments.append(Segment("insert", "".join(new_tokens[j1:j2])))
    return _merged(segments)


def diff_paragraphs(old, new):
    """Paragraphs matched whole first; a rewritten paragraph is then diffed word by word."""
    rows = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [[Segment("equal", paragraph)] for paragraph in old[i1:i2]]
            continue
        for before, after in itertools.zip_longest(old[i1:i2], new[j1:j2]):
            if after is None:
                rows.append([Segment("delete", before)])
            elif before is None:
                rows.append([Segment("insert", after)])
            else:
                rows.append(diff_words(before, after))
    return rows


def _label(name):
    if name in ("authors", "tags"):
        return name
    return str(Article._meta.get_field(name).verbose_name)


def _snapshot_of_version(version):
    """The fields, authors and tags of the article as one revision stored them."""
    fields = version.field_dict
    snapshot = {
        name: fields.get(Article._meta.get_field(name).attname)
        for name in TEXT_FIELDS + OTHER_FIELDS
    }
    byline_type = ContentType.objects.get_for_model(Byline)
    tagged_type = ContentType.objects.get_for_model(TaggedArticle)
    bylines, tag_ids = [], []
    for related in version.revision.version_set.exclude(pk=version.pk):
        if related.content_type_id == byline_type.pk:
            data = related.field_dict
            if data["article_id"] == version.field_dict["id"]:
                bylines.append((data["position"], int(related.object_id), data["author_id"]))
        elif related.content_type_id == tagged_type.pk:
            data = related.field_dict
            if data["content_object_id"] == version.field_dict["id"]:
                tag_ids.append(data["tag_id"])
    snapshot["authors"] = [author_id for _position, _id, author_id in sorted(bylines)]
    snapshot["tags"] = sorted(tag_ids)
    return snapshot


def _snapshot_of_article(article):
    snapshot = {
        name: getattr(article, Article._meta.get_field(name).attname)
        for name in TEXT_FIELDS + OTHER_FIELDS
    }
    snapshot["authors"] = list(
        article.bylines.order_by("position", "id").values_list("author_id", flat=True)
    )
    snapshot["tags"] = sorted(article.tagged_items.values_list("tag_id", flat=True))
    return snapshot


def _changed_labels(before, after, names):
    return [_label(name) for name in names if before.get(name) != after.get(name)]


def compare(older, newer):
    """Compare two reversion `Version`s of one article."""
    before, after = _snapshot_of_version(older), _snapshot_of_version(newer)
    fields = []
    for name in TEXT_FIELDS:
        if name == "body":
            old, new = body_paragraphs(before[name]), body_paragraphs(after[name])
        else:
            old, new = [before[name] or ""], [after[name] or ""]
        fields.append(
            FieldDiff(
                label=_label(name).capitalize(),
                paragraphs=diff_paragraphs([p for p in old if p], [p for p in new if p]),
                changed=old != new,
            )
        )
    also_changed = _changed_labels(before, after, [*OTHER_FIELDS, "authors", "tags"])
    return Comparison(fields=fields, also_changed=also_changed)


def _name(user):
    return user.get_full_name() or user.get_username()


def stale_save_message(article, loaded_version, user=None):
    """The form error for a save refused because the article moved on from `loaded_version`.

    Says when it was saved, by whom and what changed, as far as the revisions tell: the newest
    revision at or below `loaded_version` is what the form was opened from.
    """
    stored = Article._base_manager.filter(pk=article.pk).first()
    if stored is None:
        return (
            "This article was deleted since you opened it. Your changes have not been saved; "
            "copy them before leaving this page."
        )
    newer, loaded_from = [], None
    revisions = Version.objects.get_for_object(stored).select_related("revision__user")
    for version in revisions.order_by("-pk")[:RECENT_REVISIONS]:
        if is_autosave(version):
            continue  # Text being written, not a save: it carries the version it was written on.
        if version.field_dict.get("version", 0) <= loaded_version:
            loaded_from = version
            break
        newer.append(version)

    savers = []
    for version in newer:
        saver = version.revision.user
        if saver is not None and saver not in savers:
            savers.append(saver)
    when = formats.date_format(timezone.localtime(stored.updated_at), "DATETIME_FORMAT")
    if savers and all(saver == user for saver in savers):
        opening = f"You saved this article in another window at {when}, since you opened it here"
        who = "you"
    else:
        opening = f"Someone else saved this article at {when} since you opened it"
        who = ", ".join("you" if saver == user else _name(saver) for saver in savers)

    changed = []
    if loaded_from is not None:
        changed = _changed_labels(
            _snapshot_of_version(loaded_from),
            _snapshot_of_article(stored),
            [*TEXT_FIELDS, *OTHER_FIELDS, "authors", "tags"],
        )
    if who and changed:
        detail = f": {who} changed {', '.join(changed)}"
    elif who:
        detail = f": last saved by {who}"
    elif changed:
        detail = f": changed {', '.join(changed)}"
    else:
        detail = ""
    return (
        f"{opening}{detail}. Your changes have not been saved; copy them, reload the page and "
        "apply them again."
    )


def is_autosave(version):
    return version.revision.comment == AUTOSAVE_COMMENT


def autosave(article, user, *, title, standfirst, body):
    """Keep the text `user` is writing in `article` as a revision; the article is not saved.

    The revision is the article as stored with the title, standfirst and body being written, so
    the history page lists it and restoring it brings the text back. Nothing is written to the
    article: its `version` (which refuses stale saves) stays, and a published article's live
    text is unchanged. Only the newest autosave since the last save is kept for each writer, so
    autosaves every half minute do not bury the history. Returns the revision, or None when
    the text is the same as the newest revision's (or, with none, the article's).
    """
    with transaction.atomic():
        stored = Article._base_manager.select_for_update().get(pk=article.pk)
        stored.title, stored.standfirst, stored.body = title, standfirst, sanitize_html(body)
        recent = Version.objects.get_for_object(stored).order_by("-pk")
        newest = recent.first()
        text = {name: getattr(stored, name) for name in TEXT_FIELDS}
        if newest is not None:
            unchanged = all(newest.field_dict.get(name) == text[name] for name in TEXT_FIELDS)
        else:
            unchanged = Article._base_manager.filter(pk=stored.pk, **text).exists()
        if unchanged:
            return None
        # Only the newest version's saved article is read; for the run of this writer's
        # autosaves on top, the revisions' comment and author are enough.
        superseded = []
        for revision_id, comment, user_id in recent.values_list(
            "revision_id", "revision__comment", "revision__user_id"
        )[:RECENT_REVISIONS]:
            if comment != AUTOSAVE_COMMENT or user_id != user.pk:
                break
            superseded.append(revision_id)
        Revision.objects.filter(pk__in=superseded).delete()
        with reversion.create_revision(atomic=False):
            reversion.set_user(user)
            reversion.set_comment(AUTOSAVE_COMMENT)
            reversion.add_to_revision(stored)
        return Version.objects.get_for_object(stored).latest("pk").revision
