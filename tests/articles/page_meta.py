"""What a page tells link previews and search engines, read from a test client response:
OpenGraph properties, `<meta name>` values, the canonical link and the NewsArticle JSON-LD."""

import extruct
import lxml.html


def opengraph(response):
    """The page's OpenGraph properties as {property: [values]}, read by extruct."""
    data = extruct.extract(
        response.content.decode(), base_url="http://testserver/", syntaxes=["opengraph"]
    )
    (graph,) = data["opengraph"]
    properties = {}
    for name, value in graph["properties"]:
        properties.setdefault(name, []).append(value)
    return properties


def meta_names(response):
    """`<meta name=…>` values (description, twitter:*), read with lxml."""
    head = lxml.html.fromstring(response.content).find("head")
    return {element.get("name"): element.get("content") for element in head.iterfind("meta[@name]")}


def canonical(response):
    head = lxml.html.fromstring(response.content).find("head")
    (link,) = head.xpath("link[@rel='canonical']")
    return link.get("href")


def news_article(response):
    data = extruct.extract(
        response.content.decode(), base_url="http://testserver/", syntaxes=["json-ld"]
    )
    (item,) = data["json-ld"]
    assert item["@context"] == "https://schema.org"
    assert item["@type"] == "NewsArticle"
    return item
