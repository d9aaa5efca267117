// CP → 🤖 Automations rule editor: the trigger decides which rows show (target status for
// the status triggers, offset for the time ones, job or lead conditions), which variables
// the "+ var" picker offers, and whether "Assigned Contractor" may be picked (job triggers
// only); the channel shows the subject (email) and the recipient the static address. The
// picker inserts {{name}} at the cursor of the body or subject last used; a condition
// dropdown's summary counts its ticks.
(function () {
  "use strict";
  const form = document.querySelector(".rule-editor");
  if (!form) return;
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const variables = read("rule-variables");
  const kinds = read("rule-trigger-kinds");
  const trigger = form.querySelector("select[name=trigger]");
  const channel = form.querySelector("select[name=channel]");
  const recipient = form.querySelector("[data-rule-recipient]");
  const picker = form.querySelector("[data-var-picker]");
  let lastTarget = null;

  function refresh() {
    const value = trigger.value;
    const group = kinds.job.includes(value) ? "job" : "lead";
    const contractor = recipient.querySelector("option[value=contractor]");
    contractor.disabled = group !== "job";
    if (contractor.disabled && recipient.value === "contractor") recipient.value = "client";
    const shown = {
      job: group === "job",
      lead: group === "lead",
      status_job: kinds.status.includes(value) && group === "job",
      status_lead: kinds.status.includes(value) && group === "lead",
      time: kinds.time.includes(value),
      static: recipient.value === "static",
      email: channel.value === "email",
    };
    form.querySelectorAll("[data-rule-part]").forEach((part) => {
      part.hidden = !shown[part.dataset.rulePart];
    });
    fillPicker(variables[value] || []);
  }

  function fillPicker(names) {
    const current = Array.from(picker.options).slice(1).map((option) => option.value);
    if (current.join() === names.join()) return;
    picker.length = 1;
    names.forEach((name) => picker.add(new Option(name, name)));
  }

  form.addEventListener("focusin", (event) => {
    if (event.target.matches("[data-var-target]")) lastTarget = event.target;
  });
  [trigger, channel, recipient].forEach((select) => select.addEventListener("change", refresh));
  // A condition dropdown's summary counts what is ticked, as the server draws it.
  form.addEventListener("change", (event) => {
    const menu = event.target.closest("details[data-multiselect]");
    if (!menu) return;
    const ticked = menu.querySelectorAll("input[type=checkbox]:checked").length;
    menu.querySelector("summary").textContent = ticked ? ticked + " selected" : "All";
  });

  picker.addEventListener("change", () => {
    const name = picker.value;
    picker.value = "";
    if (!name) return;
    const target = lastTarget && !lastTarget.closest("[hidden]") ? lastTarget : form.querySelector("textarea[data-var-target]");
    const token = "{{" + name + "}}";
    const start = target.selectionStart ?? target.value.length;
    const end = target.selectionEnd ?? target.value.length;
    target.value = target.value.slice(0, start) + token + target.value.slice(end);
    target.focus();
    target.setSelectionRange(start + token.length, start + token.length);
    // The preview listens for typing: an inserted variable is typing too.
    target.dispatchEvent(new Event("input", { bubbles: true }));
  });

  refresh();
})();
