// Live sync: poll /api/last-change; when the stamp moves, fire "bookback:changed" on <body>
// so any element with hx-trigger="bookback:changed from:body" refreshes itself.
(function () {
  "use strict";
  const body = document.body;
  const url = body.dataset.liveSyncUrl;
  const every = parseInt(body.dataset.liveSyncMs || "3000", 10);
  if (!url) return;
  let last = null;
  async function poll() {
    if (document.hidden) return;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.status === 401) { window.location.reload(); return; }
      if (!response.ok) return;
      const { stamp } = await response.json();
      if (last !== null && stamp !== last) body.dispatchEvent(new CustomEvent("bookback:changed", { detail: { stamp } }));
      last = stamp;
    } catch (error) { /* offline for a moment: try again next tick */ }
  }
  poll();
  setInterval(poll, every);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });
})();
