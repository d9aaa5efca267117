// 🎯 Priority-zone editor (the modal's form): a searchable add box offering only active
// contractors of the chosen job type — ↓/↑ move through matches, Enter adds the highlighted
// one and the menu stays open — and the ordered list with ▲/▼ and ✕. Delegated, because
// the modal's content is swapped in by HTMX.
(function () {
  "use strict";
  const MAX_MATCHES = 30;
  let active = 0; // index of the highlighted match

  const formOf = (el) => el.closest("[data-zone-form]");
  const picks = (form) => JSON.parse(form.querySelector("#zone-picks").textContent);
  const listedIds = (form) => new Set([...form.querySelectorAll("[data-zone-list] input[name=contractors]")].map((i) => Number(i.value)));

  function matches(form) {
    const needle = form.querySelector("[data-zone-search]").value.trim().toLowerCase();
    const taken = listedIds(form);
    return picks(form).filter((c) => !taken.has(c.id) && (!needle || c.name.toLowerCase().includes(needle))).slice(0, MAX_MATCHES);
  }

  function renderMenu(form) {
    const menu = form.querySelector("[data-zone-matches]");
    const search = form.querySelector("[data-zone-search]");
    const found = matches(form);
    active = Math.min(active, Math.max(found.length - 1, 0));
    menu.innerHTML = "";
    if (!form.querySelector("#id_job_type").value) {
      menu.innerHTML = '<li class="muted small">Choose a job type first.</li>';
    } else if (!found.length) {
      menu.innerHTML = '<li class="muted small">No active contractor of this job type matches.</li>';
    }
    found.forEach((contractor, index) => {
      const item = document.createElement("li");
      item.id = "zone-match-" + contractor.id;
      item.setAttribute("role", "option");
      item.dataset.zoneMatch = contractor.id;
      item.textContent = contractor.name;
      if (index === active) { item.classList.add("is-active"); item.setAttribute("aria-selected", "true"); search.setAttribute("aria-activedescendant", item.id); }
      menu.appendChild(item);
    });
    menu.hidden = false;
    search.setAttribute("aria-expanded", "true");
  }

  function closeMenu(form) {
    const menu = form.querySelector("[data-zone-matches]");
    menu.hidden = true;
    form.querySelector("[data-zone-search]").setAttribute("aria-expanded", "false");
  }

  function add(form, contractor) {
    if (!contractor) return;
    const item = document.createElement("li");
    item.className = "zone-list__item";
    const hidden = document.createElement("input");
    Object.assign(hidden, { type: "hidden", name: "contractors", value: contractor.id });
    const name = document.createElement("span");
    name.className = "zone-list__name";
    name.textContent = contractor.name;
    item.append(hidden, name);
    for (const [text, attr, value, label] of [["▲", "zoneMove", "-1", "up"], ["▼", "zoneMove", "1", "down"], ["✕", "zoneRemove", "", "remove"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "icon-btn";
      button.dataset[attr] = value;
      button.textContent = text;
      button.setAttribute("aria-label", label === "remove" ? "Remove " + contractor.name : "Move " + contractor.name + " " + label);
      item.appendChild(button);
    }
    form.querySelector("[data-zone-list]").appendChild(item);
    changed(form);
    renderMenu(form); // stays open so several can be added in a row
  }

  function changed(form) {
    form.querySelector("[data-zone-empty]").hidden = form.querySelectorAll("[data-zone-list] li").length > 0;
    form.dispatchEvent(new Event("input", { bubbles: true })); // marks the modal dirty
  }

  document.addEventListener("input", (event) => {
    if (!event.target.matches("[data-zone-search]")) return;
    active = 0;
    renderMenu(formOf(event.target));
  });
  document.addEventListener("focusin", (event) => {
    if (event.target.matches("[data-zone-search]")) renderMenu(formOf(event.target));
  });
  document.addEventListener("keydown", (event) => {
    if (!event.target.matches("[data-zone-search]")) return;
    const form = formOf(event.target);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const count = matches(form).length;
      if (count) active = (active + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
      renderMenu(form);
    } else if (event.key === "Enter") {
      event.preventDefault(); // Enter adds; it never submits the zone half-built
      add(form, matches(form)[active]);
    } else if (event.key === "Escape") {
      event.stopPropagation();
      closeMenu(form);
    }
  });
  document.addEventListener("click", (event) => {
    const form = event.target.closest && formOf(event.target);
    if (!form) return;
    const match = event.target.closest("[data-zone-match]");
    if (match) { add(form, picks(form).find((c) => c.id === Number(match.dataset.zoneMatch))); return; }
    if (event.target.closest("[data-zone-add]")) { add(form, matches(form)[active]); return; }
    const item = event.target.closest(".zone-list__item");
    if (item && event.target.closest("[data-zone-remove]")) { item.remove(); changed(form); return; }
    const move = item && event.target.closest("[data-zone-move]");
    if (move) {
      const sibling = move.dataset.zoneMove === "-1" ? item.previousElementSibling : item.nextElementSibling;
      if (sibling) { if (move.dataset.zoneMove === "-1") sibling.before(item); else sibling.after(item); changed(form); move.focus(); }
      return;
    }
    if (!event.target.closest(".zone-add")) closeMenu(form);
  });
  // A new job type brings its own eligible contractors; listed ones who don't do it leave.
  document.addEventListener("change", async (event) => {
    if (!event.target.matches("[data-zone-form] #id_job_type")) return;
    const form = formOf(event.target);
    const response = await fetch(form.dataset.picksUrl + "?job_type=" + encodeURIComponent(event.target.value), { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const eligible = (await response.json()).contractors;
    form.querySelector("#zone-picks").textContent = JSON.stringify(eligible);
    const ids = new Set(eligible.map((c) => c.id));
    const dropped = [];
    form.querySelectorAll("[data-zone-list] li").forEach((li) => {
      if (!ids.has(Number(li.querySelector("input").value))) { dropped.push(li.querySelector(".zone-list__name").textContent); li.remove(); }
    });
    if (dropped.length) window.BookBack.toast("Taken off the list (not active for this job type): " + dropped.join(", "), "error");
    changed(form);
    if (!form.querySelector("[data-zone-matches]").hidden) renderMenu(form); // typed before the list came
  });
})();
