"""The project's templates, loaded without their indentation.

Templates are written indented for reading; a page does not need the indentation, and on an
article page it was thousands of bytes. `CompactLoader` reads the project's `.html` templates
(templates/) with every run of whitespace that holds a line break reduced to one line break,
once, when the template is compiled (the cached loader keeps the result), so it costs nothing
per request, unlike `{% spaceless %}`. A run of whitespace reads the same in HTML whatever its
length, so the page does not change; the only elements where it would, `<pre>` and `<textarea>`,
hold no template text with line breaks (tests/test_template_loaders.py checks). Plain-text
templates (mail) are read as written.
"""

import re

from django.template.loaders.filesystem import Loader as FilesystemLoader

LINE_BREAK_RUN = re.compile(r"[ \t]*\n\s*")


def compact(source):
    return LINE_BREAK_RUN.sub("\n", source)


class CompactLoader(FilesystemLoader):
    def get_contents(self, origin):
        contents = super().get_contents(origin)
        return compact(contents) if origin.name.endswith(".html") else contents
