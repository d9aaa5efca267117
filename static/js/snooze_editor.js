// CP → Snooze Sequences editor: add / remove step rows and keep the summary current.
// Without JS the form still posts its repeated amount + unit inputs; blank rows are
// ignored by the server.
(function () {
  "use strict";
  const form = document.querySelector("[data-snooze-editor]");
  if (!form) return;
  const list = form.querySelector("[data-steps]");
  const template = form.querySelector("template[data-step-template]");
  const summary = form.querySelector("[data-snooze-summary]");
  const sizes = { min: 1, h: 60, d: 1440 };

  function span(minutes) {
    if (minutes < 60) return minutes + " min";
    if (minutes < 48 * 60) return Math.round(minutes / 60) + " h";
    return Math.round(minutes / 1440) + " days";
  }
  function refresh() {
    const rows = Array.from(list.querySelectorAll("[data-step]"));
    let total = 0, count = 0;
    rows.forEach((row) => {
      const amount = parseInt(row.querySelector("[name=amount]").value, 10);
      if (amount > 0) { total += amount * sizes[row.querySelector("[name=unit]").value]; count += 1; }
    });
    summary.textContent = count ? count + (count === 1 ? " step" : " steps") + " over " + span(total) : "No steps yet";
    rows.forEach((row) => { row.querySelector("[data-remove-step]").disabled = rows.length === 1; });
  }
  form.addEventListener("click", (event) => {
    if (event.target.closest("[data-add-step]")) {
      const last = list.querySelector("[data-step]:last-child");
      const row = template.content.firstElementChild.cloneNode(true);
      if (last) row.querySelector("[name=unit]").value = last.querySelector("[name=unit]").value;
      list.appendChild(row);
      row.querySelector("[name=amount]").focus();
      refresh();
    }
    const remove = event.target.closest("[data-remove-step]");
    if (remove && list.querySelectorAll("[data-step]").length > 1) {
      remove.closest("[data-step]").remove();
      refresh();
    }
  });
  form.addEventListener("input", refresh);
  refresh();
})();
