// Contractor form (modal or page): the service-area checkboxes narrow as the user types in
// their filter box. Without JS every box is still there.
(function () {
  "use strict";
  document.addEventListener("input", (event) => {
    const box = event.target.closest("[data-area-filter]");
    if (!box) return;
    const list = box.parentElement.querySelector("[data-area-list]");
    const needle = box.value.trim().toLowerCase();
    let shown = 0;
    list.querySelectorAll("[data-area]").forEach((label) => {
      const match = !needle || label.dataset.area.includes(needle);
      label.hidden = !match;
      if (match) shown += 1;
    });
    list.querySelector("[data-area-none]").hidden = shown > 0;
  });
})();
