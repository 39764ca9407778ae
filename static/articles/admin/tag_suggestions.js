// Tag suggestions for taggit's comma-separated tag box in the article form.
// The box carries a <datalist> of popular tags (which works without this script, for the first
// tag). This script asks the admin's tag autocomplete endpoint for names matching the tag being
// typed after the last comma and lists them as completions of the whole value.
"use strict";
(() => {
  // taggit reads a name holding a comma only when it is quoted.
  const quote = (name) => (name.includes(",") ? `"${name}"` : name);

  function setUp(input) {
    const list = document.getElementById(input.getAttribute("list"));
    const url = input.dataset.autocompleteUrl;
    if (!list || !url) return;
    let timer = null;
    let controller = null;

    async function suggest() {
      const value = input.value;
      const cut = value.lastIndexOf(",");
      const head = cut === -1 ? "" : `${value.slice(0, cut + 1).trimEnd()} `;
      const term = value.slice(cut + 1).trim();
      const chosen = new Set(
        head.split(",").map((name) => name.trim().replace(/^"|"$/g, "").toLowerCase()).filter(Boolean),
      );
      if (controller) controller.abort();
      controller = new AbortController();
      let names;
      try {
        const response = await fetch(`${url}?term=${encodeURIComponent(term)}`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          signal: controller.signal,
        });
        if (!response.ok) return;
        names = (await response.json()).results;
      } catch {
        return;
      }
      list.replaceChildren(
        ...names
          .filter((name) => !chosen.has(name.toLowerCase()))
          .map((name) => {
            const option = document.createElement("option");
            option.value = head + quote(name);
            return option;
          }),
      );
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(suggest, 150);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("input[data-autocomplete-url][list]").forEach(setUp);
  });
})();
