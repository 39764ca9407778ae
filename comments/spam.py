"""The optional external spam check: a pluggable backend, off by default.

Turned on in two places: `settings.COMMENT_SPAM_BACKEND` names the backend class (with its key
and URL from the environment), and staff tick "Check new comments with the external spam
service" in the discussion settings. `moderation.rule_spam_service` asks the backend about each
new comment that the local rules did not already mark as spam.

The bundled `AkismetBackend` speaks Akismet's `comment-check` API, which other services
(e.g. self-hosted ones) copy. It never sends the commenter's address: no address leaves the
server. It waits at most `COMMENT_SPAM_TIMEOUT` seconds (2 by default); a slow, failing or
confused service raises `SpamServiceUnavailable`, and the rule holds the comment for a
moderator instead: never lost, and never blocking the reader for longer than the timeout.
"""

import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SpamServiceUnavailable(Exception):
    """The service did not give a clear answer in time."""


def get_backend():
    """The configured backend, or None when no backend is configured."""
    path = settings.COMMENT_SPAM_BACKEND
    if not path:
        return None
    return import_string(path)(
        api_key=settings.COMMENT_SPAM_API_KEY,
        url=settings.COMMENT_SPAM_API_URL,
        site_url=settings.COMMENT_SPAM_SITE_URL,
        timeout=settings.COMMENT_SPAM_TIMEOUT,
    )


class AkismetBackend:
    """Akismet-compatible `comment-check`: POST the comment, read "true" (spam) or "false"."""

    def __init__(self, *, api_key, url, site_url, timeout):
        self.api_key = api_key
        self.url = url
        self.site_url = site_url
        self.timeout = timeout

    def payload(self, submission):
        comment = submission.comment
        return {
            "api_key": self.api_key,
            "blog": self.site_url,
            "user_ip": comment.ip_address or "",
            "user_agent": comment.user_agent or "",
            "referrer": submission.referrer,
            "permalink": submission.permalink,
            "comment_type": "reply" if comment.parent_id else "comment",
            "comment_author": comment.name,
            # comment_author_email deliberately left out: addresses never leave the server.
            "comment_author_url": comment.website,
            "comment_content": comment.body,
            "comment_date_gmt": comment.created_at.isoformat() if comment.created_at else "",
            "blog_charset": "UTF-8",
        }

    def check(self, submission):
        """True for spam, False for not spam; SpamServiceUnavailable otherwise."""
        data = urllib.parse.urlencode(self.payload(submission)).encode()
        request = urllib.request.Request(
            self.url,
            data=data,
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "User-Agent": "Byline/1.0 | AkismetBackend",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = response.read(64).decode("ascii", "replace").strip()
        except (OSError, urllib.error.URLError, ValueError) as error:
            # Timeouts (socket.timeout is an OSError), refused connections, HTTP errors.
            logger.warning("Spam service unavailable: %s", error)
            raise SpamServiceUnavailable(str(error)) from error
        if answer == "true":
            return True
        if answer == "false":
            return False
        logger.warning("Spam service gave no clear answer: %r", answer)
        raise SpamServiceUnavailable(f"unexpected answer {answer!r}")
