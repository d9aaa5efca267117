// Coverage map for 👷 Contractors and 📍 Service Areas, on whichever backend the page loaded
// (map_google.js with a key, map_leaflet.js otherwise: same interface, BookBackMap).
// The pages work without it; this only adds the map. One element carries the settings:
//   <div id="coverage-map" data-mode="contractors|areas" data-map-url data-outline-url
//        data-toggle-url="/contractors/0/areas/0" data-can-edit data-can-zones
//        data-zone-new-url data-zone-edit-url="/contractors/zones/0">
(function () {
  "use strict";
  const el = document.getElementById("coverage-map");
  if (!el || !window.BookBackMap) return;
  (window.BookBackMap.ready || Promise.resolve()).then(start);

  function start() {
    const COLORS = { none: "#dc2626", one: "#eab308", many: "#16a34a", blue: "#2563eb", gray: "#9ca3af", dot: "#2563eb" };
    const mode = el.dataset.mode;
    const RADIUS_MILES = 50;
    const canZones = "canZones" in el.dataset;
    const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
    const banner = document.querySelector("[data-map-banner]");
    const map = window.BookBackMap.create(el, { outlineUrl: el.dataset.outlineUrl });

    let data = { areas: [], links: [], contractors: {}, types: [], zones: [] };
    const pins = new Map();          // area id → pin
    let coverage = new Map();        // area id → Set of contractor ids
    let editing = null;              // {id, name, row} while 🗺 Areas is on
    let highlighted = null;          // contractor id whose areas are shown blue
    let drawing = null;              // {points, shape} while a zone is being drawn
    let zoneShapes = [];

    const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
    const toast = (text, level) => window.BookBack && window.BookBack.toast(text, level);

    function indexCoverage() {
      coverage = new Map(data.areas.map((area) => [area[0], new Set()]));
      for (const [contractorId, areaId] of data.links) {
        if (coverage.has(areaId)) coverage.get(areaId).add(contractorId);
      }
    }
    const activeCount = (areaId) => [...coverage.get(areaId)].filter((id) => data.contractors[id] && data.contractors[id][1]).length;

    function densityColor(areaId) {
      const count = activeCount(areaId);
      return count === 0 ? COLORS.none : count === 1 ? COLORS.one : COLORS.many;
    }

    function style(areaId) {
      if (editing) {
        const on = coverage.get(areaId).has(editing.id);
        return { fill: on ? COLORS.blue : "#e5e7eb", stroke: on ? "#1e40af" : COLORS.gray, fillOpacity: on ? 0.95 : 0.8, opacity: 1, radius: on ? 8 : 7 };
      }
      if (highlighted !== null) {
        const on = coverage.get(areaId).has(highlighted);
        return { fill: on ? COLORS.blue : COLORS.gray, stroke: on ? "#1e40af" : COLORS.gray, fillOpacity: on ? 0.95 : 0.25, opacity: on ? 1 : 0.3, radius: on ? 8 : 6 };
      }
      const fill = mode === "areas" ? COLORS.dot : densityColor(areaId);
      return { fill, stroke: "#fff", fillOpacity: 0.9, opacity: 1, radius: 7 };
    }
    const restyle = () => pins.forEach((pin, areaId) => pin.style(style(areaId)));

    function names(areaId) {
      const ids = [...coverage.get(areaId)];
      return ids.map((id) => data.contractors[id]).filter(Boolean).sort((a, b) => a[0].localeCompare(b[0]));
    }

    function hoverHtml(area) {
      const list = names(area[0]);
      const items = list.length
        ? list.map((c) => "<li>" + escape(c[0]) + (c[1] ? "" : " <em>(off)</em>") + "</li>").join("")
        : "<li><em>No contractor covers this area</em></li>";
      return "<strong>" + escape(area[1]) + "</strong> · " + escape(area[2]) + ", " + escape(area[3]) + "<ul class=\"map-tip__list\">" + items + "</ul>";
    }

    function detailsHtml(area) {
      // Service Areas popover: place, how many active contractors, and for which job types.
      const active = names(area[0]).filter((c) => c[1]);
      const types = data.types.map(([id, label]) => [label, active.filter((c) => c[2].includes(id)).length]).filter((t) => t[1] > 0);
      const rows = types.length
        ? types.map(([label, n]) => "<li>" + escape(label) + " <b>" + n + "</b></li>").join("")
        : "<li><em>No job type covered</em></li>";
      return "<strong>" + escape(area[1]) + "</strong><br>" + escape(area[2]) + ", " + escape(area[3]) + " " + escape(area[4]) +
        "<br><b>" + active.length + "</b> contractor" + (active.length === 1 ? "" : "s") + " covering" +
        "<div class=\"map-tip__head\">Coverage by job type</div><ul class=\"map-tip__list\">" + rows + "</ul>";
    }

    function drawPins(fit) {
      pins.forEach((pin) => pin.remove());
      pins.clear();
      for (const area of data.areas) {
        const pin = map.pin(area[5], area[6], style(area[0]), {
          label: area[1],
          description: area[1] + ", " + area[2] + " " + area[3],
          over() {
            if (editing || drawing) return; // edit mode suppresses popovers so clicks land cleanly
            if (mode === "areas") showRing(area);
            pin.tip(mode === "areas" ? detailsHtml(area) : hoverHtml(area));
          },
          click() { // true = handled; false lets a zone being drawn take the click as a corner
            if (drawing) return false;
            if (editing) toggle(area, pin);
            else if (mode === "areas") { showRing(area); pin.popup(detailsHtml(area)); }
            return true;
          },
        });
        pins.set(area[0], pin);
      }
      if (fit) map.fit(data.areas.map((a) => [a[5], a[6]]));
    }

    // Service Areas: the 50-mile radius an area stands for, around the pin looked at last.
    let ring = null;
    function showRing(area) {
      if (ring) ring.remove();
      ring = map.ring(area[5], area[6], RADIUS_MILES);
    }

    function drawZones() {
      zoneShapes.forEach((shape) => shape.remove());
      zoneShapes = [];
      if (mode !== "contractors") return;
      for (const zone of data.zones) {
        const order = zone.order.length ? zone.order.map((n, i) => (i + 1) + ". " + escape(n)).join("<br>") : "<em>No contractors yet</em>";
        zoneShapes.push(map.polygon(zone.polygon, {
          tip: "🎯 <strong>" + escape(zone.name) + "</strong> · " + escape(zone.type) + "<br>" + order,
          click() {
            if (editing || drawing || !canZones) return false;
            openZone(el.dataset.zoneEditUrl.replace(/0$/, zone.id));
            return true;
          },
        }));
      }
    }

    function openZone(url) {
      window.htmx.ajax("GET", url, { target: "#modal-body" }).then(() => window.BookBack.openModal());
    }

    async function load(fit) {
      const response = await fetch(el.dataset.mapUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) { toast("The map could not load its data.", "error"); return; }
      data = await response.json();
      indexCoverage();
      drawPins(fit);
      drawZones();
    }

    // ---- Banner (edit mode and zone drawing share it) ----------------------------------------
    function showBanner(html, buttons) {
      if (!banner) return;
      banner.innerHTML = html;
      for (const [label, action, primary] of buttons) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn--sm" + (primary ? " btn--primary" : "");
        button.textContent = label;
        button.addEventListener("click", action);
        banner.appendChild(button);
      }
      banner.hidden = false;
    }
    const hideBanner = () => { if (banner) { banner.hidden = true; banner.innerHTML = ""; } };

    // ---- 🗺 Areas: in-place coverage editing ---------------------------------------------------
    function startEditing(row) {
      stopDrawing();
      const id = Number(row.dataset.contractorId);
      editing = { id, name: row.dataset.contractorName, row };
      highlighted = null;
      // A contractor on no pin yet is not in the data: add it so its first pins count.
      if (!data.contractors[id]) data.contractors[id] = [editing.name, !row.classList.contains("is-off"), []];
      markRows();
      showBanner("Editing coverage for <strong>" + escape(editing.name) + "</strong> · Click pins to toggle · ", [["Done", stopEditing, true]]);
      restyle(); // no re-zoom: the map stays where the user left it
    }

    function stopEditing() {
      editing = null;
      hideBanner();
      markRows();
      restyle();
    }

    function markRows() {
      document.querySelectorAll("[data-contractor-id]").forEach((row) => {
        const id = Number(row.dataset.contractorId);
        row.classList.toggle("is-editing", !!editing && editing.id === id);
        row.classList.toggle("is-highlighted", highlighted === id);
      });
    }

    function setCovered(contractorId, areaId, on) {
      data.links = data.links.filter((link) => !(link[0] === contractorId && link[1] === areaId));
      if (on) data.links.push([contractorId, areaId]);
      const set = coverage.get(areaId);
      if (on) set.add(contractorId); else set.delete(contractorId);
    }

    async function toggle(area, pin) {
      const contractor = editing;
      const areaId = area[0];
      const wanted = !coverage.get(areaId).has(contractor.id);
      setCovered(contractor.id, areaId, wanted); // optimistic: the pin flips now
      pin.style(style(areaId));
      const url = el.dataset.toggleUrl.replace(/\/0\/areas\/0$/, "/" + contractor.id + "/areas/" + areaId);
      let answer = null;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "X-CSRFToken": csrf, Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
          body: "covered=" + (wanted ? "1" : "0"),
        });
        answer = await response.json().catch(() => ({}));
        if (!response.ok) throw new Error(answer.error || "");
      } catch (error) {
        setCovered(contractor.id, areaId, !wanted); // roll back and say so
        if (editing && editing.id === contractor.id) pin.style(style(areaId));
        toast("Couldn't save " + area[1] + " for " + contractor.name + ": " + (error.message || "the server did not answer") + ". The pin is back as it was.", "error");
        return;
      }
      const count = contractor.row.querySelector("[data-area-count]");
      if (count) count.textContent = "📍 " + answer.area_count + " area" + (answer.area_count === 1 ? "" : "s");
    }

    // ---- Priority zones: click corners, then the editor modal ----------------------------------
    function startDrawing() {
      if (editing) stopEditing();
      drawing = { points: [], shape: map.sketch() };
      map.setDrawing(true);
      drawBanner();
    }
    function drawBanner() {
      const n = drawing.points.length;
      showBanner("🎯 Drawing a priority zone · Click the map to place corners (" + n + " so far) · ", [
        ["Undo corner", () => { drawing.points.pop(); drawing.shape.set(drawing.points); drawBanner(); }],
        ["Cancel", stopDrawing],
        ["Finish", finishDrawing, true],
      ]);
    }
    function finishDrawing() {
      if (drawing.points.length < 3) { toast("Place at least 3 corners to make a zone.", "error"); return; }
      const polygon = JSON.stringify(drawing.points.map(([lat, lng]) => [Number(lat.toFixed(6)), Number(lng.toFixed(6))]));
      stopDrawing();
      openZone(el.dataset.zoneNewUrl + "?polygon=" + encodeURIComponent(polygon));
    }
    function stopDrawing() {
      if (!drawing) return;
      drawing.shape.remove();
      drawing = null;
      map.setDrawing(false);
      hideBanner();
    }
    map.onClick((lat, lng) => {
      if (!drawing) return;
      drawing.points.push([lat, lng]);
      drawing.shape.set(drawing.points);
      drawBanner();
    });

    // ---- The directory's rows drive the map ----------------------------------------------------
    document.addEventListener("click", (event) => {
      const areasButton = event.target.closest("[data-edit-areas]");
      if (areasButton) {
        event.preventDefault();
        const row = areasButton.closest("[data-contractor-id]");
        if (editing && editing.id === Number(row.dataset.contractorId)) stopEditing(); else startEditing(row);
        return;
      }
      if (event.target.closest("[data-draw-zone]")) { startDrawing(); return; }
      const row = event.target.closest("[data-contractor-id]");
      if (!row || event.target.closest("a, button, form, input")) return;
      // A click on another contractor leaves edit mode; a row click highlights its areas.
      const id = Number(row.dataset.contractorId);
      if (editing) stopEditing();
      highlighted = highlighted === id ? null : id;
      markRows();
      restyle();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && drawing) stopDrawing();
    });
    // A row swapped by the Active toggle changes density: reload the data, keep the view.
    document.addEventListener("htmx:afterSwap", (event) => {
      const path = event.detail.requestConfig && event.detail.requestConfig.path;
      if (path && path.endsWith("/active")) { markRows(); load(false); }
    });

    load(true);
  }
})();
