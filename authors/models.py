from django.conf import settings
from django.db import models
from django.urls import reverse

from images.fields import ResponsiveImageField, renditions_field
from images.renditions import Picture


class Author(models.Model):
    """A person who writes for the publication, shown in the author box under each article."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(
        max_length=160, unique=True, help_text="Used in the author's page address."
    )
    role = models.CharField(
        max_length=150,
        blank=True,
        help_text='Job title shown in the author box, e.g. "Research Associate".',
    )
    affiliation = models.CharField(
        max_length=200,
        blank=True,
        help_text="Institution shown after the role, e.g. a university or research institute.",
    )
    bio = models.TextField(
        blank=True, max_length=1500, help_text="Short plain-text biography shown under articles."
    )
    photo = ResponsiveImageField(
        upload_to="authors/%Y/",
        blank=True,
        help_text="A square portrait works best.",
    )
    photo_renditions = renditions_field(of="the photo")
    website = models.URLField(blank=True)
    x_url = models.URLField("X (Twitter) profile", blank=True)
    linkedin_url = models.URLField("LinkedIn profile", blank=True)
    mastodon_url = models.URLField("Mastodon profile", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        limit_choices_to={"is_staff": True},
        help_text="Staff account this author signs in with, if any.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("authors:detail", kwargs={"slug": self.slug})

    @classmethod
    def profile_of(cls, user):
        """The profile `user` signs in as, or None (one query, then cached on the user)."""
        try:
            return user.author_profile
        except cls.DoesNotExist:
            return None

    @property
    def photo_picture(self):
        """The photo with its renditions, for includes/picture.html."""
        return Picture(self.photo, self.photo_renditions)

    @property
    def credentials(self):
        """'Research Associate, Some Institute': the line under the name in the author box."""
        return ", ".join(part for part in (self.role, self.affiliation) if part)

    @property
    def social_links(self):
        links = [
            ("Website", self.website),
            ("X", self.x_url),
            ("LinkedIn", self.linkedin_url),
            ("Mastodon", self.mastodon_url),
        ]
        return [(label, url) for label, url in links if url]
