"""Byline's shared image handling: what happens to an uploaded image once it passes
validation (images/validators.py).

Author photos and featured images use `ResponsiveImageField` (images/fields.py), which:

1. cleans the upload before it is stored (`without_metadata`, images/metadata.py), so no GPS
   position, camera serial, comment or other EXIF/XMP data reaches the public media folder:
   - a still JPEG, PNG or WebP is re-encoded in its own format with its EXIF orientation applied
     to the pixels;
   - an animation (WebP, APNG) and any GIF keep their frames byte for byte, and lose every chunk
     or block that is not needed to draw them: EXIF, XMP, text and comments, anything unknown,
     and anything after the end of the image. Re-encoding frame by frame would decode every
     frame at once (a few kilobytes of GIF can hold thousands of full-size frames), lose
     quality, and merge identical frames; copying the frames keeps timing, loop and
     transparency exactly as uploaded;
   - colour profiles (ICC) are kept: they describe colours, not the photographer, and dropping
     them shifts a wide-gamut photograph's colours;
   and names the stored file after the format Pillow found in it (`image_file_name`): a slug of
   the uploader's name with the format's one extension, so a GIF uploaded as `x.pdf` is stored,
   and served, as `x.gif`;
2. once the transaction commits, enqueues `make_renditions` (a django-tasks task in
   images/renditions.py), which writes smaller WebP and JPEG copies at `RENDITION_WIDTHS` (never
   wider than the original) beside the original and records them in the model's
   `<field>_renditions` JSON field. Animations get none: pages show the animated original.
   Recording them drops the cached pages showing the row (`article-7`, `author-3`: the page
   cache's keys, caching/dependencies.py), so readers get the renditions at once.

Pages render through `Picture` (`article.featured_picture`, `author.photo_picture`) and
`templates/includes/picture.html`: a `<picture>` with srcsets once the renditions exist, the
original `<img>` until then. The renditions live on the row itself, so listing pages pay no
query for them.

This app imports nothing of Byline's own but `caching`, the layer below it: `articles` and
`authors` build on it.
"""
