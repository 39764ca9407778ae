"""Test-only settings, applied before any test touches them."""

import os
import shutil
import tempfile

import pytest

_media_root = tempfile.mkdtemp(prefix="byline-test-media-")


def pytest_configure(config):
    from django.conf import settings
    from django.core.signals import setting_changed

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = _media_root
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CACHES = {"default": _test_cache()}
    settings.SECURE_SSL_REDIRECT = False
    # Background tasks (image renditions) run as soon as they are enqueued. Importing the models
    # already created the task backends, so they are told about the change.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    setting_changed.send(sender=type(settings), setting="TASKS", value=settings.TASKS, enter=True)


def _test_cache():
    """Local memory, or the cache `CACHE_URL` names (as in production) under a key prefix of
    this run's own, so that clearing it between tests leaves every other key alone."""
    from config.cache import cache_settings

    url = os.environ.get("CACHE_URL")
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    return {**cache_settings(url), "KEY_PREFIX": f"byline-test-{os.getpid()}"}


def pytest_unconfigure(config):
    shutil.rmtree(_media_root, ignore_errors=True)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
