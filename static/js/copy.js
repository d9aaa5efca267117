// Copy buttons: <button data-copy-from="element-id" data-copy-done="Copied.">. The clipboard
// API needs a secure context; elsewhere the text is selected for the user to copy by hand.
(function () {
  "use strict";
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
