// A long <select> narrows its options as the user types in a filter box beside it:
//   <input type="search" data-select-filter="id-of-the-select">
// Options whose text lacks the typed words hide; the chosen one always stays visible,
// so the select never shows a value that isn't in its list.
(function () {
  "use strict";
  document.addEventListener("input", (event) => {
    const box = event.target;
    if (!box.matches || !box.matches("[data-select-filter]")) return;
    const select = document.getElementById(box.dataset.selectFilter);
    if (!select) return;
    const words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    // Phones are matched on digits too: "305555" finds "(305) 555-0100".
    const digits = box.value.replace(/\D/g, "");
    Array.from(select.options).forEach((option) => {
      if (!option.value || option.selected) { option.hidden = false; return; }
      const text = option.textContent.toLowerCase();
      const matches = words.every((word) => text.includes(word))
        || (digits.length >= 3 && text.replace(/\D/g, "").includes(digits));
      option.hidden = !matches;
    });
  });
})();
