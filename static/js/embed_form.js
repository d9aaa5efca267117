// Online Booking Tool → embed form: confirmation mode is either/or, so only the field of the
// chosen one shows (both show without JS).
(function () {
  "use strict";
  const form = document.getElementById("embed-form");
  if (!form) return;
  function sync() {
    const mode = (form.querySelector("input[name=confirmation]:checked") || {}).value || "message";
    form.querySelectorAll("[data-confirmation]").forEach((box) => { box.hidden = box.dataset.confirmation !== mode; });
  }
  form.addEventListener("change", (event) => { if (event.target.name === "confirmation") sync(); });
  sync();
})();
