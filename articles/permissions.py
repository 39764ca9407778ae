"""Who may do what with articles: each newsroom rule about articles, named once.

Editors hold `articles.publish_article` (the Editor role, config/roles.py): they publish,
schedule and unpublish, and see and change every article and tag. Contributors hold the
ordinary article permissions: they see their own unpublished articles, change and delete only
their own drafts, and send them for review.

The admin, its forms and actions, the preview page, the dashboard and the article templates
(through their context) ask these functions; nothing else spells a permission name. This
module imports no model, so settings-time code (the roles, the dashboard) may import it.
"""

PUBLISH_CODENAME = "publish_article"
PUBLISH_PERMISSION = f"articles.{PUBLISH_CODENAME}"
VIEW_PERMISSION = "articles.view_article"
ADD_PERMISSION = "articles.add_article"
CHANGE_PERMISSION = "articles.change_article"


def can_publish(user):
    """Editors: they publish, schedule and unpublish, and in the admin they see every article
    and every tag."""
    return user.has_perm(PUBLISH_PERMISSION)


def can_view_articles(user):
    """Staff who may open articles in the admin, and so preview unpublished ones."""
    return user.has_perm(VIEW_PERMISSION) or user.has_perm(CHANGE_PERMISSION)


def can_write_articles(user):
    """Staff who may start an article (and so have drafts of their own)."""
    return user.has_perm(ADD_PERMISSION)


def can_edit_articles(user):
    """Staff who may change articles at all, and upload images for their bodies."""
    return user.has_perm(CHANGE_PERMISSION)


def can_change_article(user, article):
    """Whether `user`, holding the model's change or delete permission, may change or delete
    this `article`: editors any; anyone else only a draft of their own (once it is sent for
    review, it is the editors')."""
    return can_publish(user) or (
        article.created_by_id == user.pk and article.status == article.Status.DRAFT
    )
