"""The development SECRET_KEY: made once per checkout, never a string anyone else knows.

With DEBUG on and no SECRET_KEY in the environment, the settings read `.secret_key` beside
manage.py (gitignored), writing a new random key there first when there is none. The key stays
the same across restarts, so sessions survive and so do the commenters' address keys derived from
it (comments/commenters/privacy.py): deleting the file makes stored addresses unreadable, as
changing SECRET_KEY would. With DEBUG off the file is never read; SECRET_KEY must be set.
"""

import os
import tempfile

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key


def development_secret_key(path):
    if not path.exists():
        _write_new_key(path)
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(
            f"{path} is empty: put the key back, or delete the file to have a new one made "
            "(addresses of commenters stored under the old key become unreadable)."
        )
    return key


def _write_new_key(path):
    """Write a key unless another process (runserver beside the task worker) just did.

    The key goes to a private temporary file that is then linked into place, so a process
    starting at the same moment finds either no file or a whole one, and both keep the first.
    """
    # Django's own prefix for development keys, which `check --deploy` refuses.
    key = f"django-insecure-{get_random_secret_key()}"
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}-")
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(f"{key}\n")
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
