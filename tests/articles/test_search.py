import datetime
import re
from unittest import mock, skipUnless

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from articles import search
from articles.models import Article, Tag
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
)
from tests.helpers import days_ago, titles

SEARCH_URL = "/search/"
on_postgresql = skipUnless(connection.vendor == "postgresql", "full-text search is PostgreSQL's")

# Pinned from observation: count, a page of results with kinds, bylines with authors, tags (no
# savepoint pair: reader pages run outside a transaction, tests/query_budgets.py).
SEARCH_PAGE_QUERIES = 4


def page_status(response):
    """The text of the status line under the search form."""
    content = response.content.decode()
    match = re.search(r'<div id="search-hint"[^>]*>(.*?)</div>', content, re.S)
    assert match
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


class SearchOnAnyDatabaseTests(TestCase):
    """Behaviour both the full-text search and the SQLite fallback share."""

    @classmethod
    def setUpTestData(cls):
        cls.sanctions = ArticleFactory(
            title="Sanctions and the yuan",
            standfirst="Payments move to new rails.",
            body="<p>Settlement data show a shift away from correspondent banks.</p>",
            published_at=days_ago(3),
        )
        cls.other = ArticleFactory(
            title="Harvest report",
            standfirst="Grain prices are stable.",
            body="<p>Farmers planted early this spring.</p>",
            published_at=days_ago(2),
        )

    def test_search_finds_the_article_by_a_word_of_its_title(self):
        response = self.client.get(SEARCH_URL, {"q": "sanctions"})

        assert response.status_code == 200
        assert titles(response) == ["Sanctions and the yuan"]
        assert "1 article found" in page_status(response)

    def test_search_finds_words_in_the_body(self):
        response = self.client.get(SEARCH_URL, {"q": "correspondent"})

        assert titles(response) == ["Sanctions and the yuan"]

    def test_every_word_must_match(self):
        assert titles(self.client.get(SEARCH_URL, {"q": "sanctions harvest"})) == []

    def test_drafts_and_scheduled_articles_are_not_found(self):
        DraftArticleFactory(title="Sanctions draft", body="<p>Not yet.</p>")
        ScheduledArticleFactory(title="Sanctions scheduled", body="<p>Tomorrow.</p>")

        assert titles(self.client.get(SEARCH_URL, {"q": "sanctions"})) == ["Sanctions and the yuan"]

    def test_a_scheduled_article_is_found_once_its_time_has_come(self):
        ScheduledArticleFactory(
            title="Sanctions tomorrow", published_at=timezone.now() + datetime.timedelta(hours=2)
        )

        with time_machine.travel(timezone.now() + datetime.timedelta(hours=3)):
            found = titles(self.client.get(SEARCH_URL, {"q": "sanctions"}))

        assert "Sanctions tomorrow" in found

    def test_snippet_highlights_the_match_in_a_mark(self):
        response = self.client.get(SEARCH_URL, {"q": "correspondent"})

        content = response.content.decode()
        snippet = re.search(r'<p class="search-result__snippet">(.*?)</p>', content, re.S)
        assert snippet
        assert "<mark>correspondent</mark>" in snippet.group(1)

    def test_markup_in_the_body_never_reaches_the_snippet(self):
        ArticleFactory(
            title="Markup",
            body='<p>The <a href="https://example.com/">treaty &amp; protocol</a> '
            "&lt;script&gt;alert(1)&lt;/script&gt; clause.</p>",
        )

        content = self.client.get(SEARCH_URL, {"q": "treaty"}).content.decode()

        snippet = re.search(r'<p class="search-result__snippet">(.*?)</p>', content, re.S).group(1)
        assert "<mark>treaty</mark>" in snippet
        assert "href" not in snippet
        assert "<script>" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet
        assert "treaty</mark> &amp; protocol" in snippet

    def test_query_is_echoed_escaped(self):
        response = self.client.get(SEARCH_URL, {"q": "<script>alert('x')</script> yuan"})

        content = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in content
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; yuan" in content

    def test_results_are_paginated_and_pages_keep_the_query(self):
        for n in range(settings.ARTICLES_PER_PAGE + 2):
            ArticleFactory(title=f"Tariff note {n}", published_at=days_ago(10 + n))

        first = self.client.get(SEARCH_URL, {"q": "tariff"})
        second = self.client.get(SEARCH_URL, {"q": "tariff", "page": 2})

        assert len(titles(first)) == settings.ARTICLES_PER_PAGE
        assert len(titles(second)) == 2
        assert 'href="?q=tariff&amp;page=2"' in first.content.decode()
        assert "12 articles found; page 1 of 2" in page_status(first)
        assert set(titles(first)).isdisjoint(titles(second))

    def test_no_match_explains_what_to_try(self):
        response = self.client.get(SEARCH_URL, {"q": "zeppelin"})

        assert response.status_code == 200
        assert titles(response) == []
        assert "No published article matches “zeppelin”" in page_status(response)

    def test_search_page_has_a_labelled_form_and_is_kept_out_of_search_engines(self):
        content = self.client.get(SEARCH_URL, {"q": "yuan"}).content.decode()

        assert '<label class="search-form__label" for="search-q">Search articles</label>' in content
        assert re.search(r'<input[^>]*id="search-q"[^>]*name="q"[^>]*value="yuan"', content)
        assert '<meta name="robots" content="noindex, follow">' in content

    def test_every_page_has_a_labelled_search_form_in_the_masthead(self):
        content = self.client.get("/").content.decode()

        form = re.search(
            r'<form[^>]*role="search"[^>]*aria-label="Site search".*?</form>', content, re.S
        )
        assert form
        assert 'method="get"' in form.group(0)
        assert 'action="/search/"' in form.group(0)
        assert 'for="masthead-search-q"' in form.group(0)
        assert 'id="masthead-search-q"' in form.group(0)

    def test_search_page_runs_a_fixed_number_of_queries(self):
        for n in range(settings.ARTICLES_PER_PAGE):
            ArticleFactory(
                title=f"Tariff note {n}",
                authors=[AuthorFactory(), AuthorFactory()],
                tags=[Tag.objects.create(name=f"Trade {n}", slug=f"trade-{n}")],
            )

        for query in ("yuan", "tariff"):
            with self.assertNumQueries(SEARCH_PAGE_QUERIES):
                response = self.client.get(SEARCH_URL, {"q": query})
            assert titles(response)


class AbsurdQueryTests(TestCase):
    """No query, however odd, is an error: it is searched or the page explains why not."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(title="Sanctions and the yuan")

    def get(self, query):
        response = self.client.get(SEARCH_URL, {"q": query})
        assert response.status_code == 200, query
        return response

    def test_no_query_explains_how_to_search_and_runs_no_search(self):
        with self.assertNumQueries(0):  # not even a transaction: reader pages run without one
            response = self.client.get(SEARCH_URL)

        assert response.status_code == 200
        assert titles(response) == []
        assert "Type a few words" in page_status(response)

    def test_empty_and_whitespace_only_queries_explain_how_to_search(self):
        for query in ("", "   ", "\t\n ", "\x00"):
            assert "Type a few words" in page_status(self.get(query)), repr(query)

    def test_a_very_long_query_is_not_run(self):
        response = self.get("yuan " * 200)

        assert titles(response) == []
        assert "That search is too long" in page_status(response)

    def test_punctuation_only_queries_explain_that_words_are_needed(self):
        for query in ("!!!", "&|!()", "''", "-", ":*", "…"):
            assert "no letters or numbers" in page_status(self.get(query)), query

    def test_sql_and_tsquery_syntax_are_searched_as_text(self):
        queries = (
            "'; DROP TABLE articles_article; --",
            "yuan & | ! ( ) :* <-> <2>",
            'sanctions "unterminated',
            "yuan:* & !sanctions",
            "-yuan",
            "or",
            "%_%",
            "yuan\x00sanctions",
            "\\",
        )
        for query in queries:
            self.get(query)
        assert Article.objects.filter(pk=self.article.pk).exists()

    def test_a_control_character_between_words_separates_them(self):
        assert titles(self.get("sanctions\x00yuan")) == ["Sanctions and the yuan"]

    def test_an_out_of_range_page_is_not_found(self):
        assert self.client.get(SEARCH_URL, {"q": "yuan", "page": 99}).status_code == 404


class PrepareTests(TestCase):
    def test_whitespace_is_collapsed(self):
        assert search.prepare("  sanctions \n yuan ").query == "sanctions yuan"

    def test_terms_are_the_words_lower_cased_once_each(self):
        assert search.prepare("Yuan, yuan & BRICS!").terms == ("yuan", "brics")

    def test_problems(self):
        assert search.prepare(None).problem == search.Search.EMPTY
        assert search.prepare("x" * 201).problem == search.Search.TOO_LONG
        assert search.prepare("x" * 200).runnable
        assert search.prepare("?!").problem == search.Search.NO_WORDS


@mock.patch("articles.search.uses_full_text", return_value=False)
class FallbackSearchTests(TestCase):
    """The simpler search SQLite gets (forced here, so it is tested on every database)."""

    @classmethod
    def setUpTestData(cls):
        cls.body_match = ArticleFactory(
            title="Trade talks",
            body="<p>The inflation figures surprised.</p>",
            published_at=days_ago(1),
        )
        cls.title_match = ArticleFactory(
            title="Inflation returns", body="<p>Prices rose.</p>", published_at=days_ago(5)
        )

    def test_title_match_comes_first_then_newest(self, _full_text):
        found = titles(self.client.get(SEARCH_URL, {"q": "inflation"}))

        assert found == ["Inflation returns", "Trade talks"]

    def test_search_is_case_insensitive(self, _full_text):
        assert titles(self.client.get(SEARCH_URL, {"q": "INFLATION"})) == [
            "Inflation returns",
            "Trade talks",
        ]

    def test_snippet_is_cut_around_the_first_match(self, _full_text):
        ArticleFactory(
            title="Long read",
            body="<p>" + "filler " * 120 + "the zeppelin landed " + "filler " * 120 + "</p>",
        )

        article = self.client.get(SEARCH_URL, {"q": "zeppelin"}).context["object_list"][0]

        assert "<mark>zeppelin</mark> landed" in article.search_snippet
        assert article.search_snippet.startswith("… ")
        assert article.search_snippet.endswith(" …")
        assert len(article.search_snippet) < 320


@pytest.mark.postgres
@on_postgresql
class FullTextSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.body_match = ArticleFactory(
            title="Trade talks in Geneva",
            standfirst="Negotiators meet again.",
            body="<p>The inflation figures surprised the delegates.</p>",
            published_at=days_ago(1),
        )
        cls.standfirst_match = ArticleFactory(
            title="Central banks and their critics",
            standfirst="Inflation has returned to the agenda.",
            body="<p>Rates are rising.</p>",
            published_at=days_ago(2),
        )
        cls.title_match = ArticleFactory(
            title="Inflation is back",
            standfirst="Prices rise everywhere.",
            body="<p>Households feel it.</p>",
            published_at=days_ago(30),
        )

    def test_title_match_ranks_above_standfirst_above_body(self):
        response = self.client.get(SEARCH_URL, {"q": "inflation"})

        assert titles(response) == [
            "Inflation is back",
            "Central banks and their critics",
            "Trade talks in Geneva",
        ]
        ranks = [article.rank for article in response.context["object_list"]]
        assert ranks == sorted(ranks, reverse=True)
        assert ranks[0] > ranks[-1]

    def test_only_the_most_recent_matches_are_ranked_and_the_page_says_so(self):
        with mock.patch("articles.search.MAX_RANKED", 2):
            response = self.client.get(SEARCH_URL, {"q": "inflation"})

        # The title match is the oldest: outside the two most recent matches, it is not ranked.
        assert titles(response) == ["Central banks and their critics", "Trade talks in Geneva"]
        assert "2 or more articles found; the 2 most recent are ranked" in page_status(response)

    def test_fewer_matches_than_the_cap_are_counted_as_usual(self):
        response = self.client.get(SEARCH_URL, {"q": "inflation"})

        assert "3 articles found" in page_status(response)
        assert "most recent" not in page_status(response)

    def test_search_ignores_accents(self):
        ArticleFactory(title="L’économie circulaire", body="<p>Réemploi et réparation.</p>")

        assert titles(self.client.get(SEARCH_URL, {"q": "economie"})) == ["L’économie circulaire"]
        assert titles(self.client.get(SEARCH_URL, {"q": "reemploi"})) == ["L’économie circulaire"]

    def test_search_matches_other_forms_of_a_word(self):
        ArticleFactory(title="New rules for lenders", body="<p>The regulation of banks.</p>")

        assert titles(self.client.get(SEARCH_URL, {"q": "regulating"})) == ["New rules for lenders"]
        assert titles(self.client.get(SEARCH_URL, {"q": "lender"})) == ["New rules for lenders"]

    def test_websearch_syntax_is_understood(self):
        assert titles(self.client.get(SEARCH_URL, {"q": "inflation -geneva -critics"})) == [
            "Inflation is back"
        ]
        assert titles(self.client.get(SEARCH_URL, {"q": '"trade talks"'})) == [
            "Trade talks in Geneva"
        ]

    def test_markup_is_not_indexed(self):
        ArticleFactory(
            title="Linked", body='<p><a href="https://example.com/zanzibar">here</a></p>'
        )

        assert titles(self.client.get(SEARCH_URL, {"q": "zanzibar"})) == []

    def test_the_vector_follows_edits(self):
        self.body_match.title = "Zollverein revisited"
        self.body_match.save()

        assert titles(self.client.get(SEARCH_URL, {"q": "zollverein"})) == ["Zollverein revisited"]

    def test_snippet_comes_from_ts_headline_with_marks(self):
        response = self.client.get(SEARCH_URL, {"q": "delegates"})

        snippet = response.context["object_list"][0].search_snippet
        assert "<mark>delegates</mark>" in snippet
        assert "<p>" not in snippet

    def test_stop_words_only_find_nothing_without_error(self):
        response = self.client.get(SEARCH_URL, {"q": "the and of"})

        assert response.status_code == 200
        assert titles(response) == []


class SnippetEscapingTests(TestCase):
    def test_ts_headline_text_is_escaped_before_marks_are_added(self):
        marked = search._marked(f"a <b>bold</b> & {search._START}match{search._STOP} here")

        assert marked == "a &lt;b&gt;bold&lt;/b&gt; &amp; <mark>match</mark> here"

    def test_unpaired_markers_are_dropped(self):
        assert search._marked(f"{search._START}open only") == "open only"
