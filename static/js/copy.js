// Copy buttons: <button data-copy-from="element-id" data-copy-done="Copied."> copies an
// element's text, <button data-copy="text"> copies the attribute's value. The clipboard API
// needs a secure context; elsewhere the text is offered for the user to copy by hand.
// (The jobs board copies its contractor messages with jobs.js, never on the same page.)
(function () {
  "use strict";
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    try {
      await navigator.clipboard.writeText(button.dataset.copy);
      window.BookBack.toast(button.dataset.copyDone || "Copied.", "success");
    } catch (error) {
      window.prompt("Copy this:", button.dataset.copy);
    }
  });
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy-from]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copyFrom);
    if (!source) return;
    try {
      await navigator.clipboard.writeText(source.textContent);
      window.BookBack.toast(button.dataset.copyDone || "Copied.", "success");
    } catch (error) {
      const range = document.createRange();
      range.selectNodeContents(source);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      window.BookBack.toast("Press Ctrl+C (⌘C) to copy the selected code.", "info");
    }
  });
})();
