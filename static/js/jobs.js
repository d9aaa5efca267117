// 🛠 Jobs board: foldable day groups (past days folded; the user's folds survive live
// refreshes), the live 🚨 count, copy-to-clipboard contractor messages, and the panel's
// and New Job form's small helpers. Everything here is optional: without JS every day is
// open and the forms post as they are.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  const folds = new Map(); // day → folded?, as the user left it
  const HOUR = 3600 * 1000;

  function applyFolds() {
    const table = document.querySelector(".jobs-table");
    if (!table) return;
    const forcedOpen = table.classList.contains("is-attention-only");
    table.querySelectorAll(".job-day[data-day]").forEach((day) => {
      const folded = !forcedOpen && (folds.has(day.dataset.day) ? folds.get(day.dataset.day) : day.hasAttribute("data-past"));
      setFolded(day, folded);
    });
    const count = table.dataset.attentionCount;
    document.querySelectorAll("[data-attention-count]").forEach((el) => { if (el !== table) el.textContent = count; });
    const toggle = document.getElementById("attention-toggle");
    if (toggle) toggle.classList.toggle("is-pulsing", count !== "0");
  }

  function setFolded(day, folded) {
    day.classList.toggle("is-folded", folded);
    const button = day.querySelector("[data-fold]");
    if (button) { button.textContent = folded ? "▶" : "▼"; button.setAttribute("aria-expanded", String(!folded)); }
  }

  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
      window.BookBack.toast("Copied — paste it to the contractor.");
    } catch (error) {
      window.prompt("Copy this message:", text);
    }
  }

  async function copyImage(url) {
    try {
      const blob = await (await fetch(url)).blob();
      await navigator.clipboard.write([new ClipboardItem({ [blob.type]: blob })]);
      window.BookBack.toast("Map copied.");
    } catch (error) {
      window.BookBack.toast("Your browser would not copy the map: right-click it and choose Copy image.", "error");
    }
  }

  const pad = (n) => String(n).padStart(2, "0");
  const localInput = (date) => date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());

  // Status form: only the picked status's fields show (the server checks them anyway).
  function showStatusFields(form) {
    const status = form.querySelector("select[name=status]").value;
    form.querySelectorAll("[data-for]").forEach((block) => { block.hidden = !block.dataset.for.split(" ").includes(status); });
  }
  function showRebookFields(form) {
    form.querySelectorAll("[data-reveal]").forEach((block) => { block.hidden = !form.querySelector("[name=" + block.dataset.reveal + "]").checked; });
  }
  function prepare(root) {
    root.querySelectorAll("[data-job-status-form]").forEach(showStatusFields);
    root.querySelectorAll("[data-rebook-form]").forEach(showRebookFields);
    applyFolds();
  }

  // New Job: the 5 closest areas follow the ZIP; the contractors follow area + job type.
  function refreshAreas(form) {
    const cards = form.querySelector("#area-cards");
    const picked = form.querySelector("input[name=service_area]:checked");
    const params = new URLSearchParams({ zip_code: form.elements.zip_code.value, lat: form.elements.lat.value, lng: form.elements.lng.value, service_area: picked ? picked.value : "" });
    window.htmx.ajax("GET", cards.dataset.areaCardsUrl + "?" + params, { target: cards, swap: "innerHTML" });
  }
  function refreshContractors(form) {
    const select = form.elements.contractor;
    const area = form.querySelector("input[name=service_area]:checked");
    const type = form.elements.job_type.value;
    const hint = form.querySelector("[data-contractor-hint]");
    const ready = !!(area && type);
    select.disabled = !ready;
    select.title = ready ? "" : "Pick the " + (area ? "job type" : type ? "service area" : "service area and the job type") + " first";
    hint.textContent = ready ? "" : select.title + ": the list shows who covers that area and does that job type.";
    if (!ready) return;
    // The address too: a priority zone holding it puts its contractors first.
    const params = new URLSearchParams({ service_area: area.value, job_type: type, zip_code: form.elements.zip_code.value, lat: form.elements.lat.value, lng: form.elements.lng.value });
    window.htmx.ajax("GET", select.dataset.contractorsUrl + "?" + params, { target: select, swap: "innerHTML" });
  }

  document.addEventListener("click", (event) => {
    const fold = event.target.closest("[data-fold]");
    if (fold) {
      const day = fold.closest(".job-day");
      const folded = !day.classList.contains("is-folded");
      folds.set(day.dataset.day, folded);
      setFolded(day, folded);
      return;
    }
    if (event.target.closest("[data-fold-all]")) {
      const days = [...document.querySelectorAll(".job-day[data-day]")];
      const openAll = days.some((day) => day.classList.contains("is-folded"));
      days.forEach((day) => { folds.set(day.dataset.day, !openAll); setFolded(day, !openAll); });
      return;
    }
    const copier = event.target.closest("[data-copy]");
    if (copier) copy(copier.dataset.copy);
    const image = event.target.closest("[data-copy-image]");
    if (image) copyImage(image.dataset.copyImage);
  });

  document.addEventListener("change", (event) => {
    const form = event.target.closest("form");
    if (!form) return;
    if (form.matches("[data-job-status-form]") && event.target.name === "status") showStatusFields(form);
    if (form.matches("[data-rebook-form]")) showRebookFields(form);
    if (form.matches("[data-new-job]")) {
      if (["zip_code", "state"].includes(event.target.name)) { form.elements.lat.value = ""; form.elements.lng.value = ""; refreshAreas(form); }
      if (["service_area", "job_type"].includes(event.target.name)) refreshContractors(form);
      if (event.target.name === "start_time" && event.target.value) {
        const [h, m] = event.target.value.split(":").map(Number);
        const end = new Date(2000, 0, 1, h, m);
        end.setTime(end.getTime() + 2 * HOUR);
        form.elements.end_time.value = pad(end.getHours()) + ":" + pad(end.getMinutes());
      }
    }
    if (event.target.matches("[data-window-start]") && event.target.value) {
      const end = event.target.form.querySelector("[data-window-end]");
      end.value = localInput(new Date(new Date(event.target.value).getTime() + 2 * HOUR));
    }
  });
  // The "Find the 5 closest" button is for pages without JS; here the cards follow the ZIP.
  document.addEventListener("click", (event) => {
    const finder = event.target.closest("[data-find-areas]");
    if (!finder) return;
    event.preventDefault();
    refreshAreas(finder.form);
  });
  // Places autocomplete (new_job_map.js) placed the address exactly: reload the cards.
  document.addEventListener("bookback:place", (event) => refreshAreas(event.target));
  document.addEventListener("htmx:afterSwap", (event) => {
    prepare(event.target);
    const form = event.target.closest && event.target.closest("[data-new-job]");
    if (form && event.target.id === "area-cards") refreshContractors(form);
  });
  // A lead just converted lands here with ?new_job_for_lead=: the form opens from the markup,
  // so the URL can drop it at once. Otherwise F5 after Create Job reopens the pre-filled form
  // (a duplicate job one click away).
  function forgetNewJobForLead() {
    const url = new URL(window.location.href);
    if (!url.searchParams.has("new_job_for_lead")) return;
    url.searchParams.delete("new_job_for_lead");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }
  // A form pre-filled from a lead holds work nobody typed yet: ui.js marks a modal dirty on
  // "input", so say so once it has opened (after ui.js's afterSwap reset the flag).
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.target.id !== "modal-body") return;
    const form = event.target.querySelector("form[data-new-job][data-prefilled]");
    if (form) form.dispatchEvent(new Event("input", { bubbles: true }));
  });
  document.addEventListener("closeModal", forgetNewJobForLead);
  document.addEventListener("DOMContentLoaded", () => { forgetNewJobForLead(); prepare(document); });
})();
