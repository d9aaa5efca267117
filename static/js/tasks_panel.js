// 📋 Tasks panel: the list reloads whole (a live-sync tick, a Done tick, a tab), so the
// reader would lose her place: the "Done" section stays open if she opened it, and the
// list keeps its scroll position when the same tab comes back. A task saved or ticked on a
// lead or a job reloads that record's detail panel if it is the one open, so its timeline
// shows "📋 Task created" / "✅ Task completed" at once (views: taskRecordChanged).
(function () {
  "use strict";
  let doneOpen = false;
  let kept = null;  // { url, top } of the list being replaced

  document.addEventListener("toggle", (event) => {
    if (event.target.matches && event.target.matches("[data-tasks-done]")) doneOpen = event.target.open;
  }, true);
  document.addEventListener("htmx:beforeSwap", (event) => {
    const list = event.detail.target;
    if (!list || list.id !== "task-list") return;
    const scroller = list.querySelector(".tasks-scroll");
    kept = { url: list.getAttribute("hx-get"), top: scroller ? scroller.scrollTop : 0 };
  });
  document.addEventListener("htmx:load", (event) => {
    const root = event.detail.elt;
    const list = root.id === "task-list" ? root : root.querySelector && root.querySelector("#task-list");
    if (!list) return;
    const done = list.querySelector("[data-tasks-done]");
    if (done && doneOpen) done.open = true;
    const scroller = list.querySelector(".tasks-scroll");
    if (kept && scroller && kept.url === list.getAttribute("hx-get")) scroller.scrollTop = kept.top;
    kept = null;
  });
  // A closed panel keeps its list in the page: it skips live-sync reloads until the
  // 📋 button opens it again (with a fresh list).
  document.addEventListener("htmx:beforeRequest", (event) => {
    const list = event.detail.elt;
    if (!list || list.id !== "task-list") return;
    const left = list.closest("#left-panel");
    if (left && !left.classList.contains("is-open")) event.preventDefault();
  });
  document.addEventListener("taskRecordChanged", (event) => {
    const { kind, id, url } = event.detail;
    const shown = document.querySelector(`#right-panel.is-open [data-${kind}-id="${id}"]`);
    if (shown && window.htmx) window.htmx.ajax("GET", url, { target: "#right-panel-body" });
  });
})();
