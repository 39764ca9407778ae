from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from images.fields import ResponsiveImageField, renditions_field
from images.renditions import Picture

from .credentials import education_lines, expertise_areas

MAX_EXPERTISE_AREAS = 8
MAX_EXPERTISE_LENGTH = 80


def validate_expertise(value):
    """At most MAX_EXPERTISE_AREAS areas, one a line, each short enough for a list item."""
    areas = expertise_areas(value)
    if len(areas) > MAX_EXPERTISE_AREAS:
        raise ValidationError(
            "List at most %(max)d areas of expertise (this lists %(count)d).",
            params={"max": MAX_EXPERTISE_AREAS, "count": len(areas)},
        )
    too_long = [area for area in areas if len(area) > MAX_EXPERTISE_LENGTH]
    if too_long:
        raise ValidationError(
            "Keep each area under %(max)d characters: “%(area)s” is longer.",
            params={"max": MAX_EXPERTISE_LENGTH, "area": too_long[0]},
        )


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
    affiliation_url = models.URLField(
        "affiliation's website",
        blank=True,
        help_text="The institution's home page, given to search engines with its name.",
    )
    expertise = models.TextField(
        "areas of expertise",
        blank=True,
        validators=[validate_expertise],
        help_text=(
            f"One area a line, at most {MAX_EXPERTISE_AREAS}, in the order to show them, "
            "e.g. “security studies”."
        ),
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
    def expertise_areas(self):
        """The areas of expertise as a list, in the order written."""
        return expertise_areas(self.expertise)

    @property
    def education_lines(self):
        """'MA and BA in International Relations, University of Dhaka': one line per field and
        institution, in entry order. Uses prefetched `education` when present."""
        return education_lines(self.education.all())

    @property
    def social_links(self):
        links = [
            ("Website", self.website),
            ("X", self.x_url),
            ("LinkedIn", self.linkedin_url),
            ("Mastodon", self.mastodon_url),
        ]
        return [(label, url) for label, url in links if url]


class Education(models.Model):
    """One degree an author holds, shown under their role in the author box."""

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="education")
    degree = models.CharField(max_length=60, help_text="As abbreviated on a CV, e.g. “MA”, “PhD”.")
    field = models.CharField(
        "field of study", max_length=150, blank=True, help_text="e.g. “International Relations”."
    )
    institution = models.CharField(max_length=200, help_text="e.g. “University of Dhaka”.")
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year completed; leave empty to leave it out."
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers come first; equal numbers keep the order entered."
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "education entry"
        verbose_name_plural = "education"

    def __str__(self):
        return education_lines([self])[0]
