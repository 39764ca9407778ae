// The article form as a writing space (articles/admin.py, ArticleAdmin; the layout is in
// static/css/admin.css, "The article form").
//
// - The body's length: the words and minutes of reading under the editor follow the text as it
//   is typed, counted as the server counts them (articles/sanitize.py, plain_text(): every tag
//   is a space, entities are decoded, words are runs of non-space) at the reader site's
//   words per minute (data-words-per-minute, from articles/models.py).
// - Never losing text: while the writer types, a copy of the form's text is kept in this
//   browser (localStorage, one per user and article, or "new"). When the form opens with a copy
//   that differs from what the server gave (after a crash, a closed tab or a save refused as
//   stale), the copy is offered back: "Unsaved changes from 14:32 — Restore / Discard". A
//   submitted copy is dropped once a page confirms the save (a success message), on the form or
//   on the articles list it returns to.
// - Autosave: every 30 seconds while the text changes, an article that exists is posted to its
//   autosave address (ArticleAdmin.autosave_view), which keeps the text as a revision without
//   touching the article, its version or a published article's live text.
"use strict";
(() => {
  const form = () => document.getElementById("article_form");
  const PREFIX = "byline:unsaved-article:";
  // The text fields the copy keeps; the body is the editor's HTML.
  const FIELDS = ["title", "slug", "standfirst", "body", "tags", "featured_image_alt", "featured_image_caption"];

  // The body editor (Tiptap), once django-prose-editor has made it.
  let bodyEditor = null;
  const editorReady = new Promise((resolve) => {
    document.addEventListener("prose-editor:ready", (event) => {
      if (event.detail.textarea.name !== "body") return;
      bodyEditor = event.detail.editor;
      resolve();
    });
  });

  const storage = (() => {
    try {
      const probe = `${PREFIX}probe`;
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch {
      return null; // Private mode or storage turned off: nothing is kept.
    }
  })();

  function readCopy(key) {
    try {
      return JSON.parse(storage.getItem(key));
    } catch {
      return null;
    }
  }

  function writeCopy(key, copy) {
    try {
      storage.setItem(key, JSON.stringify(copy));
    } catch {
      // Storage full: the server's autosave still keeps the text.
    }
  }

  // After a save the next page confirms it with a success message: drop the copies submitted.
  function dropSavedCopies() {
    if (!storage || !document.querySelector(".messagelist .success")) return;
    for (const key of Object.keys(storage)) {
      if (!key.startsWith(PREFIX)) continue;
      const copy = readCopy(key);
      if (copy && copy.submitted) storage.removeItem(key);
    }
  }

  // The words of body HTML, as count_words() reads them (plain_text(), split on white space).
  function wordsOf(html) {
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
      const autosaved = output.dataset.autosaved ? ` · ${output.dataset.autosaved}` : "";
      output.value = lengthSummary(wordsOf(body.value).length, perMinute) + autosaved;
    };
    // The editor writes its HTML into the textarea and fires "input" on it after each change.
    body.addEventListener("input", () => {
      if (pending === null) pending = window.requestAnimationFrame(update);
    });
    output.addEventListener("refresh", update);
    update();
  }

  function fieldValues(articleForm) {
    const values = {};
    for (const name of FIELDS) {
      const field = articleForm.elements.namedItem(name);
      if (!field) continue;
      values[name] = name === "body" && bodyEditor ? bodyEditor.getHTML() : field.value;
    }
    return values;
  }

  const sameValues = (a, b) => FIELDS.every((name) => (a[name] ?? "") === (b[name] ?? ""));

  function setValues(articleForm, values) {
    for (const name of FIELDS) {
      const field = articleForm.elements.namedItem(name);
      if (!field || values[name] === undefined) continue;
      if (name === "body" && bodyEditor) {
        bodyEditor.commands.setContent(values.body, true);
      } else {
        field.value = values[name];
      }
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  const clock = (time) =>
    new Date(time).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });

  function keepCopies(articleForm, offer) {
    const key = `${PREFIX}${offer.dataset.user}:${offer.dataset.key}`;
    const fromServer = fieldValues(articleForm);
    const refused = Boolean(document.querySelector(".errornote, .errorlist"));
    let copy = readCopy(key);
    if (copy && refused) {
      // The save was refused: the form shows what was sent; keep the copy until a save works.
      copy.submitted = false;
      writeCopy(key, copy);
    }

    function hideOffer() {
      offer.hidden = true;
    }
    if (copy && copy.values && !sameValues(copy.values, fromServer)) {
      const offered = copy;
      const when = offer.querySelector(".unsaved-copy__when");
      when.textContent = clock(offered.savedAt);
      when.dateTime = new Date(offered.savedAt).toISOString();
      offer.hidden = false;
      offer.querySelector("[data-unsaved-copy=restore]").addEventListener("click", () => {
        setValues(articleForm, offered.values);
        hideOffer();
      });
      offer.querySelector("[data-unsaved-copy=discard]").addEventListener("click", () => {
        storage.removeItem(key);
        hideOffer();
      });
    } else if (copy && !refused) {
      storage.removeItem(key); // The server has the same text: nothing unsaved.
    }

    let timer = null;
    const keep = () => {
      timer = null;
      const values = fieldValues(articleForm);
      if (sameValues(values, fromServer) && offer.hidden) {
        storage.removeItem(key);
      } else {
        writeCopy(key, { values, savedAt: Date.now(), submitted: false });
      }
    };
    articleForm.addEventListener("input", () => {
      if (timer === null) timer = setTimeout(keep, 400);
    });
    articleForm.addEventListener("submit", () => {
      clearTimeout(timer);
      timer = null;
      writeCopy(key, { values: fieldValues(articleForm), savedAt: Date.now(), submitted: true });
    });
    // Closing the tab before the pause: keep what was typed.
    window.addEventListener("pagehide", () => {
      if (timer !== null) {
        clearTimeout(timer);
        keep();
      }
    });
  }

  function autosave(articleForm, offer, lengthOutput) {
    const url = offer.dataset.autosaveUrl;
    if (!url) return;
    const seconds = Number(offer.dataset.autosaveSeconds) || 30;
    const text = () => {
      const { title = "", standfirst = "", body = "" } = fieldValues(articleForm);
      return { title, standfirst, body };
    };
    let last = JSON.stringify(text());
    let sending = false;
    async function send() {
      const current = text();
      const serialised = JSON.stringify(current);
      if (sending || serialised === last) return;
      sending = true;
      const data = new FormData();
      for (const [name, value] of Object.entries(current)) data.append(name, value);
      data.append("csrfmiddlewaretoken", articleForm.elements.namedItem("csrfmiddlewaretoken").value);
      try {
        const response = await fetch(url, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (response.ok) {
          const answer = await response.json();
          last = serialised;
          if (lengthOutput) {
            lengthOutput.dataset.autosaved = `Autosaved at ${answer.time}`;
            lengthOutput.dispatchEvent(new Event("refresh"));
          }
          articleForm.dispatchEvent(new CustomEvent("article:autosaved", { detail: answer }));
        }
      } catch {
        // Offline: the copy in this browser keeps the text; the next round tries again.
      } finally {
        sending = false;
      }
    }
    setInterval(send, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    dropSavedCopies();
    const articleForm = form();
    if (!articleForm) return;
    document.querySelectorAll("output.writing-length").forEach(followLength);
    const offer = document.getElementById("unsaved-copy");
    if (!offer) return;
    // The copy compares the editor's HTML with the editor's, so wait for it (not for ever:
    // without it, the textarea is the body).
    const timeout = new Promise((resolve) => setTimeout(resolve, 5000));
    Promise.race([editorReady, timeout]).then(() => {
      if (storage) keepCopies(articleForm, offer);
      autosave(articleForm, offer, document.querySelector("output.writing-length"));
    });
  });
})();
