// The article form as a writing space (articles/admin.py, ArticleAdmin; the layout is in
// static/css/admin.css, "The article form").
//
// - The body's length: the words and minutes of reading under the editor follow the text as it
//   is typed, counted as the server counts them (articles/sanitize.py, plain_text(): every tag
//   is a space, entities are decoded, words are runs of non-space) at the reader site's
//   words per minute (data-words-per-minute, from articles/models.py).
"use strict";
(() => {
  const form = () => document.getElementById("article_form");

  // Plain text of body HTML, as plain_text() reads it.
  function plainText(html) {
    const parsed = new DOMParser().parseFromString((html || "").replace(/</g, " <"), "text/html");
    return (parsed.body.textContent || "").split(/\s+/).filter(Boolean);
  }

  function lengthSummary(words, perMinute) {
    const minutes = Math.max(1, Math.ceil(words / perMinute));
    return `${words.toLocaleString("en")} word${words === 1 ? "" : "s"} · ${minutes} min read`;
  }

  function followLength(output) {
    const body = document.getElementById(output.htmlFor.value);
    if (!body) return;
    const perMinute = Number(output.dataset.wordsPerMinute) || 220;
    let pending = null;
    const update = () => {
      pending = null;
      output.value = lengthSummary(plainText(body.value).length, perMinute);
    };
    // The editor writes its HTML into the textarea and fires "input" on it after each change.
    body.addEventListener("input", () => {
      if (pending === null) pending = window.requestAnimationFrame(update);
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!form()) return;
    document.querySelectorAll("output.writing-length").forEach(followLength);
  });
})();
