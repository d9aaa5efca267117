// 🔕 / 🔔 in the topbar: opt in to desktop notifications (kept per browser).
// Pages call BookBack.notify(title, body) when something arrives (new leads).
(function () {
  "use strict";
  const KEY = "bookback.notifications";
  const button = document.getElementById("notifications-toggle");
  const enabled = () => localStorage.getItem(KEY) === "on" && "Notification" in window && Notification.permission === "granted";
  function render() {
    if (!button) return;
    const on = enabled();
    button.textContent = on ? "🔔" : "🔕";
    button.title = on ? "Desktop notifications on (click to turn off)" : "Desktop notifications off (click to turn on)";
    button.setAttribute("aria-pressed", on ? "true" : "false");
  }
  async function toggle() {
    if (!("Notification" in window)) { window.BookBack.toast("This browser cannot show desktop notifications.", "error"); return; }
    if (enabled()) { localStorage.setItem(KEY, "off"); render(); return; }
    const permission = Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
    if (permission !== "granted") { window.BookBack.toast("Notifications are blocked for this site in your browser settings.", "error"); return; }
    localStorage.setItem(KEY, "on");
    render();
    window.BookBack.toast("Desktop notifications on.", "success");
  }
  window.BookBack = Object.assign(window.BookBack || {}, {
    notify(title, body) { if (enabled()) new Notification(title, { body }); },
  });
  if (button) button.addEventListener("click", toggle);
  render();
})();
