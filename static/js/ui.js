// Shared UI mechanisms: left slide-in panel (one at a time), right detail panel,
// modal with dirty-form protection, and toasts. Pages plug in with data attributes:
//   data-open-left      (on an hx-get whose target is #left-panel-body)  opens the left panel
//   data-open-right     (target #right-panel-body)                       opens the right panel
//   data-open-modal     (target #modal-body)                             opens the modal
//   data-close="left|right|modal"                                        closes one
//   data-confirm="Question?" (a plain form; an htmx one uses hx-confirm) asks before posting
// Server code raises toasts with crm.htmx.toast_after_settle (HX-Trigger-After-Settle
// {"toast": {"text": ..., "level": ...}}), which survives an answer that closes the modal.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);

  function closeLeft() { const el = $("left-panel"); if (el) el.classList.remove("is-open"); }
  function closeRight() { const el = $("right-panel"); if (el) el.classList.remove("is-open"); }
  function openLeft() { closeRight(); $("left-panel").classList.add("is-open"); }
  function openRight() { $("right-panel").classList.add("is-open"); }

  // Modal: a form that has been edited asks before an outside click throws the edits away.
  let modalDirty = false;
  function openModal() { modalDirty = false; $("modal").classList.add("is-open"); focusFirst($("modal-body")); }
  function closeModal(force) {
    const form = $("modal-body").querySelector("[data-dirty-confirm]");
    const question = (form && form.dataset.dirtyConfirm) || "Close without saving?";
    if (!force && modalDirty && !window.confirm(question)) return;
    modalDirty = false;
    $("modal").classList.remove("is-open");
    $("modal-body").innerHTML = "";
  }
  function focusFirst(root) {
    const field = root && root.querySelector("input:not([type=hidden]), select, textarea, button");
    if (field) field.focus();
  }

  function toast(text, level) {
    const box = $("toasts");
    if (!box || !text) return;
    const el = document.createElement("div");
    el.className = "toast" + (level ? " toast--" + level : "");
    el.setAttribute("role", level === "error" ? "alert" : "status");
    el.textContent = text;
    box.appendChild(el);
    setTimeout(() => el.remove(), level === "error" ? 8000 : 4000);
  }
  window.BookBack = Object.assign(window.BookBack || {}, { toast, openLeft, openRight, openModal, closeModal, closeLeft, closeRight });

  document.addEventListener("htmx:afterSwap", (event) => {
    // A form that comes back done (e.g. an upload's result) has nothing left to lose.
    if (event.target.id === "modal-body" && event.target.querySelector("[data-modal-clean]")) modalDirty = false;
    const trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!trigger || !trigger.hasAttribute) return;
    // Only the element that made the request opens its panel: a K or paid button inside a
    // board row (itself data-open-right) must not open a blank panel beside the board.
    if (trigger.hasAttribute("data-open-left")) openLeft();
    if (trigger.hasAttribute("data-open-right")) openRight();
    if (trigger.hasAttribute("data-open-modal")) openModal();
  });
  // A form that comes back with errors shows the first one: the modal may be scrolled
  // past it, and an error out of sight makes the submit button look dead.
  document.addEventListener("htmx:afterSettle", (event) => {
    const body = event.target;
    if (!body || body.id !== "modal-body") return;
    const error = body.querySelector(".errorlist, [role=alert]");
    if (!error) return;
    error.scrollIntoView({ block: "center" });
    const field = error.closest(".field");
    const input = field && field.querySelector("input:not([type=hidden]), select, textarea");
    if (input) input.focus({ preventScroll: true });
  });
  // htmx swaps no 4xx/5xx answer, so without this a failed click shows nothing at all.
  const FAILURE = {
    403: "You don't have access to that.",
    404: "That is no longer there: reload the page.",
    409: "Someone else changed this first: reload the page.",
  };
  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    if (xhr.getResponseHeader("HX-Trigger")) return; // the server raised its own toast
    const plain = (xhr.getResponseHeader("Content-Type") || "").startsWith("text/plain");
    const said = plain && xhr.responseText && xhr.responseText.length <= 200 ? xhr.responseText : "";
    toast(said || FAILURE[xhr.status] || `Something went wrong (${xhr.status}). Try again.`, "error");
  });
  document.addEventListener("htmx:sendError", () => toast("No connection to the server. Try again.", "error"));
  document.addEventListener("toast", (event) => toast(event.detail.text, event.detail.level));
  // Server answers (HX-Trigger) that are done with the modal or the panel close them.
  document.addEventListener("closeModal", () => closeModal(true));
  document.addEventListener("closeRight", closeRight);
  document.addEventListener("input", (event) => { if (event.target.closest("#modal-body form")) modalDirty = true; });
  // A long filter dropdown (contractors) narrows its options as the user types.
  document.addEventListener("input", (event) => {
    if (!event.target.matches("[data-multiselect-search]")) return;
    const needle = event.target.value.trim().toLowerCase();
    event.target.parentElement.querySelectorAll("label.check").forEach((option) => {
      option.hidden = needle && !option.textContent.toLowerCase().includes(needle);
    });
  });
  document.addEventListener("click", (event) => {
    // An open filter dropdown closes when the click lands elsewhere.
    document.querySelectorAll("details[data-multiselect][open]").forEach((menu) => {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
    // The topbar's More menu closes once one of its tools is picked.
    const picked = event.target.closest(".navmenu__menu a");
    if (picked) picked.closest("details").removeAttribute("open");
    const closer = event.target.closest("[data-close]");
    if (closer) {
      const which = closer.dataset.close;
      if (which === "left") closeLeft();
      if (which === "right") closeRight();
      if (which === "modal") closeModal(false);
      return;
    }
    if (event.target === $("modal")) closeModal(false);  // outside click
  });
  // A clickable row (tr.is-clickable with hx-get) opens its record, but a click on a button
  // inside it is the button's own (the CSP rules out htmx's eval'd click[...] filters).
  document.addEventListener("htmx:confirm", (event) => {
    const { elt, triggeringEvent } = event.detail;
    if (!elt.matches("tr.is-clickable") || !triggeringEvent || triggeringEvent.type !== "click") return;
    const button = triggeringEvent.target.closest("button");
    if (button && elt.contains(button)) event.preventDefault();
  });
  // Plain forms confirm here: the CSP runs no inline onsubmit="return confirm(...)".
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if ($("modal") && $("modal").classList.contains("is-open")) return closeModal(false);
    if ($("right-panel") && $("right-panel").classList.contains("is-open")) return closeRight();
    closeLeft();
  });
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-toast]").forEach((el) => toast(el.dataset.toast, el.dataset.level));
  });
})();
