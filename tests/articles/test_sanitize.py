import pytest
from django.test import SimpleTestCase, override_settings

from articles.sanitize import has_content, plain_text, sanitize_html

HOSTILE_INPUTS = {
    "script element": "<p>Safe</p><script>alert(document.cookie)</script>",
    "script with src": '<p>Safe</p><script src="https://evil.example/x.js"></script>',
    "style element": "<style>body{display:none}</style><p>Safe</p>",
    "style attribute": '<p style="background:url(javascript:alert(1))">Safe</p>',
    "onerror on img": '<img src="https://example.com/a.png" onerror="alert(1)">',
    "onclick on paragraph": '<p onclick="alert(1)">Safe</p>',
    "onmouseover on link": '<a href="https://example.com/" onmouseover="alert(1)">Safe</a>',
    "javascript href": '<a href="javascript:alert(1)">Safe</a>',
    "mixed-case javascript href": '<a href="JaVaScRiPt:alert(1)">Safe</a>',
    "javascript href with tab": '<a href="java\tscript:alert(1)">Safe</a>',
    "entity-encoded javascript href": '<a href="&#106;avascript:alert(1)">Safe</a>',
    "leading-space javascript href": '<a href="  javascript:alert(1)">Safe</a>',
    "vbscript href": '<a href="vbscript:msgbox(1)">Safe</a>',
    "data href": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">Safe</a>',
    "data img src": '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+" alt="x">',
    "javascript img src": '<img src="javascript:alert(1)" alt="x">',
    "iframe": '<iframe src="https://evil.example/"></iframe><p>Safe</p>',
    "svg onload": "<svg onload=alert(1)><circle r=1 /></svg><p>Safe</p>",
    "svg script": "<svg><script>alert(1)</script></svg><p>Safe</p>",
    "math xlink": '<math><mi xlink:href="javascript:alert(1)">x</mi></math><p>Safe</p>',
    "object and embed": '<object data="x.swf"></object><embed src="x.swf"><p>Safe</p>',
    "form and input": '<form action="https://evil.example/"><input name="pw"></form><p>Safe</p>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example/"><p>Safe</p>',
    "base href": '<base href="https://evil.example/"><p>Safe</p>',
    "link stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css"><p>Safe</p>',
    "nested script split": "<scr<script>ipt>alert(1)</script>",
    "doubled angle brackets": "<<script>script>alert(1)<</script>/script>",
    "unclosed tags": '<p><b>Safe <img src=x onerror="alert(1)"',
    "attribute breakout": '<p title="x" onmouseover="alert(1)" x="">Safe</p>',
    "noscript breakout": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "html comment": "<!-- internal: embargoed until Monday --><p>Safe</p>",
    "conditional comment": "<!--[if IE]><script>alert(1)</script><![endif]--><p>Safe</p>",
    "target blank": '<a href="https://example.com/" target="_blank">Safe</a>',
    "id and class": '<p id="main" class="hijack">Safe</p>',
}

FORBIDDEN_FRAGMENTS = [
    "<script",
    "</script",
    "<style",
    "<iframe",
    "<svg",
    "<math",
    "<object",
    "<embed",
    "<form",
    "<input",
    "<meta",
    "<base",
    "<link",
    "<noscript",
    "<!--",
    "onerror",
    "onclick",
    "onload",
    "onmouseover",
    "style=",
    "javascript:",
    "vbscript:",
    "data:",
    "target=",
    "class=",
    "id=",
]


@pytest.mark.parametrize("html", HOSTILE_INPUTS.values(), ids=HOSTILE_INPUTS.keys())
def test_hostile_markup_is_removed(html):
    cleaned = sanitize_html(html).lower()

    for fragment in FORBIDDEN_FRAGMENTS:
        assert fragment not in cleaned, f"{fragment!r} survived in {cleaned!r}"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Safe</p><script>alert(document.cookie)</script>", "<p>Safe</p>"),
        ("<style>body{display:none}</style><p>Safe</p>", "<p>Safe</p>"),
        ('<p onclick="alert(1)">Safe</p>', "<p>Safe</p>"),
        (
            '<img src="https://example.com/a.png" onerror="alert(1)">',
            '<img src="https://example.com/a.png">',
        ),
        ('<a href="javascript:alert(1)">Safe</a>', '<a rel="noopener noreferrer">Safe</a>'),
        ('<img src="data:image/png;base64,AAAA" alt="x">', '<img alt="x">'),
        ("<svg onload=alert(1)><circle r=1 /></svg><p>Safe</p>", "<p>Safe</p>"),
        ("<!-- internal: embargoed until Monday --><p>Safe</p>", "<p>Safe</p>"),
        ('<p id="main" class="hijack">Safe</p>', "<p>Safe</p>"),
    ],
)
def test_hostile_markup_is_removed_but_the_safe_text_is_kept(html, expected):
    assert sanitize_html(html) == expected


def test_script_content_is_dropped_not_shown_as_text():
    assert "alert" not in sanitize_html("<script>alert(1)</script>")
    assert "display" not in sanitize_html("<style>body{display:none}</style>")


def test_iframe_element_is_removed():
    assert sanitize_html('<iframe src="https://evil.example/"></iframe><p>Safe</p>') == (
        "<p>Safe</p>"
    )


def test_malformed_nesting_is_repaired_into_balanced_markup():
    assert sanitize_html("<p><b>unclosed <i>text</p>") == "<p><b>unclosed <i>text</i></b></p>"


def test_escaped_script_text_stays_escaped():
    cleaned = sanitize_html("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")

    assert cleaned == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


@pytest.mark.parametrize(
    "html",
    [
        "<p>A paragraph.</p>",
        "<h2>A heading</h2>",
        "<h3>A subheading</h3>",
        "<ul><li>One</li><li>Two</li></ul>",
        '<ol start="3"><li>Three</li><li>Four</li></ol>',
        "<p><em>Emphasis</em> and <strong>strong</strong> text.</p>",
        '<blockquote cite="https://example.com/speech">A quotation.</blockquote>',
        "<figure>"
        '<img src="https://example.com/chart.png" alt="Trade volumes" width="640" height="360">'
        "<figcaption>Trade volumes since 2010.</figcaption>"
        "</figure>",
        '<img src="/media/articles/2025/01/chart.png" alt="A chart">',
        "<p>Line one<br>Line two</p>",
        '<p><abbr title="Association of Southeast Asian Nations">ASEAN</abbr></p>',
        '<table><thead><tr><th scope="col">Year</th></tr></thead>'
        "<tbody><tr><td>2024</td></tr></tbody></table>",
        "<pre><code>print('hello')</code></pre>",
    ],
)
def test_allowed_markup_survives_unchanged(html):
    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    ("href", "expected_href"),
    [
        ("https://example.com/report", "https://example.com/report"),
        ("http://example.com/report", "http://example.com/report"),
        ("mailto:desk@example.com", "mailto:desk@example.com"),
        ("/articles/earlier-piece/", "/articles/earlier-piece/"),
    ],
)
def test_links_keep_safe_href_and_get_noopener_noreferrer(href, expected_href):
    cleaned = sanitize_html(f'<a href="{href}" title="More">Read</a>')

    assert cleaned == f'<a href="{expected_href}" title="More" rel="noopener noreferrer">Read</a>'


def test_author_supplied_rel_is_replaced_by_noopener_noreferrer():
    cleaned = sanitize_html('<a href="https://example.com/" rel="opener">Read</a>')

    assert cleaned == '<a href="https://example.com/" rel="noopener noreferrer">Read</a>'


def test_none_and_empty_bodies_become_empty_strings():
    assert sanitize_html(None) == ""
    assert sanitize_html("") == ""


def test_sanitising_twice_changes_nothing():
    once = sanitize_html(
        '<p onclick="x()">Text <a href="https://example.com/">link</a></p><script>x</script>'
    )

    assert sanitize_html(once) == once


@override_settings(
    SITE_URL="https://news.example",
    ALLOWED_HOSTS=["news.example", "www.news.example", "admin.internal.example", ".example.org"],
)
class SiteAddressesInBodiesTests(SimpleTestCase):
    """An address on one of the site's own hosts is stored root-relative, so a body pasted
    while browsing an internal host names no host and works on every one the site answers on."""

    def test_images_links_and_quotations_on_the_sites_hosts_become_root_relative(self):
        cleaned = sanitize_html(
            '<p><a href="https://admin.internal.example/articles/other/?page=2#notes">a</a>'
            '<img src="http://WWW.news.example/media/articles/inline/2025/03/map.png" alt="Map">'
            '<q cite="https://news.example:443/articles/speech/">b</q>'
            '<img src="//admin.internal.example/media/x.png" alt=""></p>'
        )

        assert "example" not in cleaned
        assert 'href="/articles/other/?page=2#notes"' in cleaned
        assert 'src="/media/articles/inline/2025/03/map.png"' in cleaned
        assert 'cite="/articles/speech/"' in cleaned
        assert 'src="/media/x.png"' in cleaned

    def test_the_site_url_with_no_path_becomes_the_front_page(self):
        assert sanitize_html('<a href="https://news.example">Home</a>') == (
            '<a href="/" rel="noopener noreferrer">Home</a>'
        )

    def test_other_sites_keep_their_whole_address(self):
        kept = [
            "https://elsewhere.example/articles/x/",
            "https://blog.example.org/post/",  # a wildcard host may be another site
            "https://news.example:8443/metrics/",  # another port is another service
            "https://news.example.evil.example/x/",
            "https://user@news.example/x/",
            "mailto:desk@news.example",
        ]
        for href in kept:
            cleaned = sanitize_html(f'<a href="{href}">x</a>')

            assert cleaned == f'<a href="{href}" rel="noopener noreferrer">x</a>', href

    @override_settings(ALLOWED_HOSTS=["*"])
    def test_a_catch_all_allowed_host_makes_no_address_relative(self):
        cleaned = sanitize_html('<a href="https://elsewhere.example/x/">x</a>')

        assert 'href="https://elsewhere.example/x/"' in cleaned


class PlainTextTests(SimpleTestCase):
    def test_every_tag_separates_words(self):
        assert plain_text("<p>One</p><p>Two<br>Three</p><ul><li>Four</li></ul>") == (
            "One Two Three Four"
        )

    def test_entities_are_decoded_once(self):
        assert plain_text("<p>Tom &amp; Jerry &lt;b&gt; &amp;amp;</p>") == "Tom & Jerry <b> &amp;"

    def test_white_space_and_non_breaking_spaces_become_one_space(self):
        assert plain_text("<p>\n  a&nbsp;&nbsp;b\t\xa0c </p>") == "a b c"

    def test_empty_or_missing_html_is_empty_text(self):
        assert plain_text("") == ""
        assert plain_text(None) == ""
        assert plain_text("<p>&nbsp;</p><p><br></p>") == ""


class HasContentTests(SimpleTestCase):
    def test_text_or_an_image_is_content(self):
        assert has_content("<p>x</p>")
        assert has_content('<figure><img src="/media/a.png" alt=""></figure>')

    def test_empty_paragraphs_and_spaces_are_not(self):
        assert not has_content("<p></p><p>&nbsp;</p><p> <br> </p>")
