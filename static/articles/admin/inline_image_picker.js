// After an inline image upload in the window the body editor's "Browse..." button opened, hand
// the image's URL, alt text and caption back to the editor's Insert Figure dialog and close.
// Without an opener (the page was opened directly) the page just shows the URL to copy.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const uploaded = document.getElementById("inline-image-uploaded");
  if (!uploaded) return;
  const callback = uploaded.dataset.editorCallback;
  const editor = window.opener && window.opener.CKEDITOR;
  if (!callback || !editor || !editor.tools || !editor.tools.callFunction) return;
  editor.tools.callFunction(Number(callback), uploaded.dataset.url, {
    alternative_text: uploaded.dataset.alt,
    caption: uploaded.dataset.caption,
  });
  window.close();
});
