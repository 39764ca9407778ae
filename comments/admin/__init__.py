"""The comments' admin pages: the moderation queue, the discussion settings and the
personal-data page, each registered on the shared admin site by its own module."""

from . import discussion_settings, personal_data, queue

__all__ = ["discussion_settings", "personal_data", "queue"]
