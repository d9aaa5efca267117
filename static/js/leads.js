// Leads dashboard: the status picker in the detail panel, and new-lead alerts.
(function () {
  "use strict";

  // Status form: show the field the chosen status needs. Fresh and Converted save at once;
  // a callback status offers the next snooze slot in the picker and an Irrelevant one asks
  // for a reason, and those save only when the agent confirms (the server checks both).
  function syncStatusForm(form) {
    const status = form.querySelector("select[name=status]").value;
    let needs = null;
    form.querySelectorAll("[data-show-for]").forEach((box) => {
      box.hidden = !box.dataset.showFor.split(" ").includes(status);
      if (!box.hidden) needs = box;
    });
    return needs;
  }
  document.addEventListener("change", (event) => {
    const form = event.target.closest("[data-status-form]");
    if (!form || event.target.name !== "status") return;
    const needs = syncStatusForm(form);
    // The panel may have been swapped in a moment ago: make sure htmx owns the form,
    // or the browser would post it as a full page.
    htmx.process(form);
    if (!needs) {
      form.requestSubmit();
      return;
    }
    const input = needs.querySelector("input");
    if (input.dataset.nextSlot !== undefined) {
      // A new callback status starts from the source's next snooze slot, not a stale time.
      const keep = event.target.value === form.dataset.currentStatus;
      input.value = keep ? input.defaultValue : input.dataset.nextSlot;
    }
    input.focus();
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-status-form] [data-confirm-status]");
    if (button) htmx.process(button.form);
  }, true);

  // A lead row opens its lead in the right panel (hx-get on the <tr>). Its phone link dials
  // without opening the lead: stopped before the click reaches the row. Its Open link's
  // href serves new tabs and no-JS; a plain click leaves the opening to the row.
  document.addEventListener("click", (event) => {
    if (event.target.closest(".lead-row [data-dial]")) event.stopPropagation();
  }, true);
  document.addEventListener("click", (event) => {
    if (event.target.closest(".lead-row [data-open-lead]")) event.preventDefault();
  });

  // New leads: rows that appear at the top after a live refresh flash the title.
  const rows = document.getElementById("lead-rows");
  if (!rows) return;
  const baseTitle = document.title;
  const seen = new Set(Array.from(rows.querySelectorAll("[data-lead-id]")).map((row) => row.dataset.leadId));
  let unseen = 0;
  let flashing = null;
  function flash() {
    clearInterval(flashing);
    let on = true;
    flashing = setInterval(() => {
      document.title = on ? `(${unseen}) ${baseTitle}` : baseTitle;
      on = !on;
    }, 1000);
    document.title = `(${unseen}) ${baseTitle}`;
  }
  function stopFlash() {
    if (document.hidden) return;
    clearInterval(flashing);
    unseen = 0;
    document.title = baseTitle;
  }
  document.addEventListener("visibilitychange", () => setTimeout(stopFlash, 3000));
  rows.addEventListener("htmx:afterSwap", () => {
    const template = document.getElementById("lead-count-update");
    if (template) document.querySelectorAll("#lead-count, .pager .muted").forEach((el) => { el.textContent = template.content.textContent.trim(); });
    const fresh = Array.from(rows.querySelectorAll("[data-lead-id]")).filter((row) => !seen.has(row.dataset.leadId));
    fresh.forEach((row) => { seen.add(row.dataset.leadId); row.classList.add("is-new"); });
    if (!fresh.length) return;
    unseen += fresh.length;
    flash();
    if (!document.hidden) setTimeout(stopFlash, 6000);
    window.BookBack.notify(`New lead${fresh.length > 1 ? "s" : ""}`, fresh.map((row) => row.dataset.leadName).join(", "));
  });
})();
