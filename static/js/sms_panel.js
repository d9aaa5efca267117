// 📱 SMS panel. While it is open it polls /api/last-change every second (the page-wide
// poll in livesync.js stays at its 3 s) and fires "bookback:panel-changed" on <body> when
// the stamp moves: the thread list, the open thread and the topbar count listen for it, so
// all three reload in the same tick. The panel carries the stamp it was drawn at
// (data-stamp), so a text that lands between drawing and the first poll is not missed.
// The composer: Enter sends, Shift+Enter breaks the line, a segment counter, templates
// into the text box, the chosen files listed.
(function () {
  "use strict";
  const body = document.body;
  const url = body.dataset.liveSyncUrl;
  const EVERY_MS = 1000;
  const MAX_BYTES = 4 * 1024 * 1024;
  // GSM-7 fits 160 characters in one text (153 a part when split); anything else
  // (an emoji, curly quotes) sends as UCS-2: 70 (67 a part).
  const GSM = /^[\n\r @£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\[~\]|€]*$/;
  let last = null;
  let openThread = null;

  function activePanel() {
    const left = document.getElementById("left-panel");
    if (left && left.classList.contains("is-open")) {
      const inLeft = left.querySelector("[data-sms-panel]");
      if (inLeft) return inLeft;
    }
    const main = document.getElementById("main");
    return main ? main.querySelector("[data-sms-panel]") : null;
  }

  async function poll() {
    const panel = activePanel();
    if (!url || !panel || document.hidden) return;
    if (last === null) last = Number(panel.dataset.stamp || 0);
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const { stamp } = await response.json();
      if (stamp !== last) {
        last = stamp;
        body.dispatchEvent(new CustomEvent("bookback:panel-changed", { detail: { stamp } }));
      }
    } catch (error) { /* offline for a moment: the next tick tries again */ }
  }
  setInterval(poll, EVERY_MS);

  function counter(form) {
    const box = form.querySelector("textarea");
    const out = form.querySelector("[data-sms-counter]");
    if (!box || !out) return;
    const text = box.value;
    const length = [...text].length;
    const [single, part] = GSM.test(text) ? [160, 153] : [70, 67];
    const parts = length <= single ? 1 : Math.ceil(length / part);
    out.textContent = parts > 1 ? `${length} / ${single} · ${parts} texts` : `${length} / ${single}`;
    out.classList.toggle("is-over", parts > 1);
  }

  function listFiles(form) {
    const input = form.querySelector("input[type=file]");
    const shown = form.querySelector("[data-sms-files]");
    if (!input || !shown) return;
    const files = [...input.files];
    shown.textContent = files.map((file) => `${file.name} (${Math.ceil(file.size / 1024)} KB)`).join(", ");
    const big = files.find((file) => file.size > MAX_BYTES);
    if (big && window.BookBack) window.BookBack.toast(`${big.name} is over 4 MB: attachments go up to 4 MB.`, "error");
  }

  function markActive() {
    document.querySelectorAll(".sms-row").forEach((row) => {
      row.classList.toggle("is-active", row.dataset.threadId === openThread);
    });
  }

  function scrollToEnd(root) {
    const list = root && root.querySelector("[data-sms-messages]");
    if (list) list.scrollTop = list.scrollHeight;
  }

  document.addEventListener("keydown", (event) => {
    const box = event.target;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    if (!box.matches || !box.matches("[data-sms-composer] textarea")) return;
    event.preventDefault();
    box.form.requestSubmit();
  });
  document.addEventListener("input", (event) => {
    const form = event.target.closest && event.target.closest("[data-sms-composer]");
    if (form) counter(form);
  });
  document.addEventListener("change", (event) => {
    const form = event.target.closest && event.target.closest("[data-sms-composer]");
    if (form && event.target.type === "file") listFiles(form);
    const menu = event.target.closest && event.target.closest("#sms-filters details[data-multiselect]");
    if (menu) {
      const chosen = menu.querySelectorAll("input[type=checkbox]:checked").length;
      menu.querySelector("summary").textContent = chosen ? `${chosen} selected` : "All";
    }
  });
  document.addEventListener("click", (event) => {
    const template = event.target.closest("[data-sms-template]");
    if (template) {
      const form = template.closest("[data-sms-composer]");
      const box = form.querySelector("textarea");
      box.value = template.dataset.smsTemplate;
      template.closest("details").removeAttribute("open");
      counter(form);
      box.focus();
      return;
    }
    const row = event.target.closest("[data-sms-open]");
    if (row) {
      openThread = row.dataset.smsOpen;
      markActive();
    }
    if (event.target.closest("[data-sms-back]")) {
      const panel = event.target.closest("[data-sms-panel]");
      if (panel) panel.classList.remove("has-thread");
    }
    if (event.target.closest("[data-sms-clear]")) {
      const form = document.getElementById("sms-filters");
      form.querySelectorAll("input[type=search]").forEach((input) => { input.value = ""; });
      form.querySelectorAll("input[type=checkbox]").forEach((input) => { input.checked = false; });
      const summary = form.querySelector("details[data-multiselect] summary");
      if (summary) summary.textContent = "All";
      form.requestSubmit();
    }
  });

  // A reload of the open thread keeps the reader where she is unless she was at the end.
  let wasAtEnd = true;
  document.addEventListener("htmx:beforeSwap", (event) => {
    const list = event.detail.target && event.detail.target.querySelector && event.detail.target.querySelector("[data-sms-messages]");
    wasAtEnd = !list || list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (!target) return;
    if (target.id === "left-panel-body" && target.querySelector("[data-sms-panel]")) {
      last = null;  // a fresh panel: its own data-stamp is the baseline
      openThread = null;
    }
    if (target.id === "sms-thread") {
      const panel = target.closest("[data-sms-panel]");
      if (panel) panel.classList.add("has-thread");
      scrollToEnd(target);
      const box = target.querySelector("[data-sms-composer] textarea");
      if (box) box.focus();
    }
    if (target.id === "sms-thread-body" || event.detail.elt && event.detail.elt.id === "sms-thread-body") {
      if (wasAtEnd) scrollToEnd(document.getElementById("sms-thread"));
    }
    if (target.id === "sms-threads" || target.closest && target.closest("#sms-threads")) markActive();
  });
  // A sent reply empties the composer (a refused one keeps the text to fix).
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (!form.matches || !form.matches("[data-sms-composer]") || !event.detail.successful) return;
    form.reset();
    counter(form);
    listFiles(form);
    const box = form.querySelector("textarea");
    if (box) box.focus();
  });
})();
