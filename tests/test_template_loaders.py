"""The project's HTML templates are compiled without their indentation
(config/template_loaders.py), which must not change what a page shows."""

import re
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.test import SimpleTestCase

from config.template_loaders import compact

TEMPLATES = Path(settings.BASE_DIR) / "templates"


class CompactTemplateTests(SimpleTestCase):
    def test_indentation_and_blank_lines_become_one_line_break(self):
        source = "<ul>\n    <li>One</li>  \n\n    <li>Two</li>\n</ul>\n<p>Same   line</p>"

        assert compact(source) == "<ul>\n<li>One</li>\n<li>Two</li>\n</ul>\n<p>Same   line</p>"

    def test_project_html_templates_are_compiled_compact_and_mail_templates_as_written(self):
        engine = engines["django"].engine
        html = engine.get_template("includes/pagination.html").source
        mail = engine.get_template("comments/email/reply.txt").source

        assert html == compact((TEMPLATES / "includes/pagination.html").read_text())
        assert not re.search(r"\n[ \t]", html)
        assert mail == (TEMPLATES / "comments/email/reply.txt").read_text()

    def test_no_template_has_text_with_line_breaks_where_whitespace_is_shown(self):
        for path in TEMPLATES.rglob("*.html"):
            source = path.read_text()
            for element in ("pre", "textarea"):
                for content in re.findall(rf"<{element}\b[^>]*>(.*?)</{element}>", source, re.S):
                    assert "\n" not in content, f"{path}: <{element}> holds a line break"
