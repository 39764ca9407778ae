"""Links readers use to pass an article on: plain addresses, no third-party script or widget.

Each network's own share address is opened only if the reader follows the link, so nothing is
loaded from it and no reader is tracked by merely reading. (Not to be confused with
`articles/share.py`, the signed links editors send to outside reviewers of a draft.)
"""

from dataclasses import dataclass
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    url: str


def share_links(url, title):
    """Share links for the article at the absolute `url`, in the order the page lists them."""

    def encoded(params):
        return urlencode(params, quote_via=quote)

    return [
        ShareLink(
            "email",
            "Email",
            "mailto:?" + encoded({"subject": title, "body": f"{title}\n\n{url}"}),
        ),
        ShareLink(
            "x", "X (Twitter)", "https://x.com/intent/tweet?" + encoded({"url": url, "text": title})
        ),
        ShareLink(
            "linkedin",
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + encoded({"url": url}),
        ),
        ShareLink(
            "facebook",
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + encoded({"u": url}),
        ),
    ]
