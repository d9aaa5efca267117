// Drag-to-reorder table rows. Markup:
//   <tbody data-sortable data-sortable-url="/post/here">
//     <tr data-id="7"><td><button type="button" data-sortable-handle>⠿</button></td>...</tr>
// Rows move by dragging their handle (HTML5 drag and drop) or with ↑ / ↓ on the focused
// handle. The new order is POSTed as order=<id>&order=<id>... with the CSRF token from the
// body's hx-headers; a refusal puts the old order back and says why in a toast.
(function () {
  "use strict";

  const KEY_SAVE_DELAY_MS = 500; // arrow presses in a row save once
  let dragged = null; // the row being dragged
  let orderBeforeDrag = null;

  function toast(text, level) {
    if (window.BookBack && window.BookBack.toast) window.BookBack.toast(text, level);
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function rowsOf(tbody) {
    return Array.from(tbody.children).filter((row) => row.dataset && row.dataset.id);
  }

  function idsOf(tbody) {
    return rowsOf(tbody).map((row) => row.dataset.id);
  }

  function restore(tbody, ids) {
    const byId = new Map(rowsOf(tbody).map((row) => [row.dataset.id, row]));
    ids.forEach((id) => { if (byId.has(id)) tbody.appendChild(byId.get(id)); });
  }

  async function save(tbody, previous) {
    const ids = idsOf(tbody);
    if (ids.join(",") === previous.join(",")) return;
    const body = new URLSearchParams();
    ids.forEach((id) => body.append("order", id));
    tbody.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(tbody.dataset.sortableUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true", Accept: "application/json" },
        body,
      });
      if (!response.ok) {
        let message = "";
        try { message = (await response.json()).error || ""; } catch (error) { /* not JSON */ }
        throw new Error(message || "The new order could not be saved.");
      }
      toast("New order saved.", "success");
    } catch (error) {
      restore(tbody, previous);
      const offline = error instanceof TypeError; // fetch itself failed
      toast(offline ? "The new order could not be saved: check your connection." : error.message, "error");
    } finally {
      tbody.removeAttribute("aria-busy");
    }
  }

  function sortableBodyOf(element) {
    const tbody = element && element.closest && element.closest("tbody[data-sortable]");
    return tbody && tbody.dataset.sortableUrl ? tbody : null;
  }

  // Only a row grabbed by its handle is draggable, so text in other cells stays selectable.
  document.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest("[data-sortable-handle]");
    if (!handle || !sortableBodyOf(handle)) return;
    handle.closest("tr").draggable = true;
  });
  document.addEventListener("pointerup", () => {
    if (dragged) return;
    document.querySelectorAll("tbody[data-sortable] > tr[draggable=true]").forEach((row) => { row.draggable = false; });
  });

  document.addEventListener("dragstart", (event) => {
    const row = event.target.closest && event.target.closest("tr");
    const tbody = sortableBodyOf(row);
    if (!tbody || !row.draggable) return;
    dragged = row;
    orderBeforeDrag = idsOf(tbody);
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.id); // Firefox starts no drag without data
    row.classList.add("is-dragging");
  });

  document.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const tbody = sortableBodyOf(event.target);
    if (tbody !== dragged.parentElement) return;
    event.preventDefault(); // allow the drop
    event.dataTransfer.dropEffect = "move";
    const target = event.target.closest("tr");
    if (!target || target === dragged || !target.dataset.id) return;
    const box = target.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    tbody.insertBefore(dragged, after ? target.nextSibling : target);
  });

  document.addEventListener("drop", (event) => {
    if (dragged && sortableBodyOf(event.target) === dragged.parentElement) event.preventDefault();
  });

  document.addEventListener("dragend", () => {
    if (!dragged) return;
    const row = dragged;
    const tbody = row.parentElement;
    const previous = orderBeforeDrag;
    dragged = null;
    orderBeforeDrag = null;
    row.classList.remove("is-dragging");
    row.draggable = false;
    if (tbody) save(tbody, previous);
  });

  // Keyboard: ↑ / ↓ on a focused handle moves its row; a burst of presses saves once.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    const handle = event.target.closest && event.target.closest("[data-sortable-handle]");
    const tbody = sortableBodyOf(handle);
    if (!tbody) return;
    event.preventDefault();
    const row = handle.closest("tr");
    const sibling = event.key === "ArrowUp" ? row.previousElementSibling : row.nextElementSibling;
    if (!sibling || !sibling.dataset.id) return;
    if (!tbody._sortablePrevious) tbody._sortablePrevious = idsOf(tbody);
    tbody.insertBefore(row, event.key === "ArrowUp" ? sibling : sibling.nextSibling);
    handle.focus();
    clearTimeout(tbody._sortableTimer);
    tbody._sortableTimer = setTimeout(() => {
      const previous = tbody._sortablePrevious;
      tbody._sortablePrevious = null;
      save(tbody, previous);
    }, KEY_SAVE_DELAY_MS);
  });

  // A live-sync refresh must not swap the rows out from under a drag or an unsaved move.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const tbody = event.detail && event.detail.elt;
    if (!tbody || !tbody.matches || !tbody.matches("tbody[data-sortable]")) return;
    if ((dragged && dragged.parentElement === tbody) || tbody._sortablePrevious || tbody.hasAttribute("aria-busy")) {
      event.preventDefault();
    }
  });
})();
