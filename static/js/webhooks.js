// CP → 🔗 Webhooks fan-out builder: "+ Row" copies a Data/Headers row (emptied), ✕ removes
// one (the last stays, emptied), the "+ var" picker inserts {{Name}} at the cursor of the
// last value field used, and the Payload Type shows Data rows or the Raw body.
(function () {
  "use strict";
  const form = document.querySelector(".webhook-builder");
  if (!form) return;
  let lastTarget = null;

  form.addEventListener("focusin", (event) => {
    if (event.target.matches("[data-var-target]")) lastTarget = event.target;
  });

  form.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-row]");
    if (add) {
      const list = document.getElementById(add.dataset.addRow);
      const last = list.querySelector(".webhook-row:last-child");
      if (!last) return;
      const row = last.cloneNode(true);
      row.querySelectorAll("input").forEach((input) => { input.value = ""; });
      list.appendChild(row);
      row.querySelector("input").focus();
      return;
    }
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      const row = remove.closest(".webhook-row");
      if (row.parentElement.querySelectorAll(".webhook-row").length > 1) row.remove();
      else row.querySelectorAll("input").forEach((input) => { input.value = ""; });
    }
  });

  const picker = form.querySelector("[data-var-picker]");
  if (picker) {
    picker.addEventListener("change", () => {
      const name = picker.value;
      picker.value = "";
      if (!name) return;
      const target = lastTarget || form.querySelector("[data-var-target]");
      if (!target) return;
      const token = "{{" + name + "}}";
      const start = target.selectionStart ?? target.value.length;
      const end = target.selectionEnd ?? target.value.length;
      target.value = target.value.slice(0, start) + token + target.value.slice(end);
      target.focus();
      target.setSelectionRange(start + token.length, start + token.length);
    });
  }

  const type = form.querySelector("select[name=payload_type]");
  const showPart = () => {
    const raw = type && type.value === "raw";
    form.querySelectorAll("[data-builder-part]").forEach((part) => {
      part.hidden = (part.dataset.builderPart === "raw") !== raw;
    });
  };
  if (type) {
    type.addEventListener("change", showPart);
    showPart();
  }
})();
