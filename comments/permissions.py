"""Who may do what with comments: the one place that names the comments' permissions.

The admin, the views, the mail tasks, the template tags and the newsroom dashboard
(config/dashboard.py) ask these functions rather than spelling a permission: a role that gains
or loses a right (config/roles.py) changes what every page shows at once. Templates get the
answer through a context variable or a tag, never a permission name.

The permissions themselves are Django's (the admin's view and change permissions on comments)
and the two the models declare (`Comment.Meta.permissions`, `CommenterAddress.Meta.permissions`).
"""

#: Who sees the comments in the admin: the moderation queue's link, its pending count, and the
#: dashboard's box of comments awaiting moderation.
VIEW_COMMENTS = "comments.view_comment"

#: The permission the Moderator role holds and the moderation queue checks (the admin's change
#: permission on comments): who may moderate, post as staff, and is told of held comments.
MODERATE = "comments.change_comment"

#: Who may be shown a commenter's address, by any page, search, download or export of the admin.
VIEW_ADDRESSES = "comments.view_commenter_email"

#: Who may export and erase everything held for an address (comments/admin/personal_data.py).
MANAGE_PERSONAL_DATA = "comments.manage_personal_data"


def may_see_comments(user):
    """Whether `user` may see the comments in the admin (and so the moderation queue's link)."""
    return bool(user is not None and user.is_active and user.has_perm(VIEW_COMMENTS))


def can_moderate(user):
    """Whether `user` moderates comments: an active staff account with `MODERATE` (the
    Moderator role, or a superuser). Only they comment as staff on the public form."""
    return bool(user is not None and user.is_active and user.is_staff and user.has_perm(MODERATE))


def may_see_addresses(user):
    """Whether `user` may be shown commenters' addresses, by any page, search, download or
    export of the admin: the one check every such path makes."""
    return user.has_perm(VIEW_ADDRESSES)


def may_manage_personal_data(user):
    """Whether `user` may export or erase what is held for an address (exporting also needs
    `may_see_addresses`: the export holds the addresses)."""
    return user.has_perm(MANAGE_PERSONAL_DATA)
