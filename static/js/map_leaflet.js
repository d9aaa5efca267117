// Map backend on the vendored Leaflet, over a vendored outline of the US states: no tile
// server, so it works offline and without a key. Same interface as map_google.js:
//   BookBackMap.create(el, {outlineUrl}) → {fit, onClick, pin, polygon, ring, sketch, setDrawing}
// Pins go through the vendored Leaflet.markercluster: pins that would overlap (a city's ZIPs at
// the fitted zoom, a whole state zoomed out) show as one counted bubble; a click on it zooms in,
// or fans the pins out when they share a point. Zones, rings and the sketch are never clustered.
(function () {
  "use strict";
  // Closer than this (px, centre to centre) and two 7-9 px pins crowd each other: one cluster.
  const CLUSTER_RADIUS = 30;

  function create(el, options) {
    // markercluster needs a finite maxZoom; with no tile layer Leaflet's would be Infinity.
    const map = L.map(el, { zoomSnap: 0.25, maxZoom: 18, attributionControl: false });
    map.setView([37.8, -96], 4);
    const pins = L.markerClusterGroup({ maxClusterRadius: CLUSTER_RADIUS, showCoverageOnHover: false }).addTo(map);
    if (options.outlineUrl) {
      fetch(options.outlineUrl).then((r) => (r.ok ? r.json() : null)).then((shape) => {
        if (shape) L.geoJSON(shape, { style: { color: "#94a3b8", weight: 1, opacity: 0.9 }, interactive: false }).addTo(map);
      });
    }
    const look = (s) => ({ fillColor: s.fill, color: s.stroke, fillOpacity: s.fillOpacity, opacity: s.opacity, radius: s.radius });
    return {
      fit(points) { if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 10 }); },
      onClick(handler) { map.on("click", (event) => handler(event.latlng.lat, event.latlng.lng)); },
      setDrawing(on) { el.classList.toggle("is-drawing", on); },
      pin(lat, lng, style, on) {
        const marker = L.circleMarker([lat, lng], { ...look(style), weight: 2, className: "map-pin" });
        // Leaflet draws a new element each time the cluster group shows the pin: name each one
        // (for assistive tech and tests) as it appears.
        marker.on("add", () => {
          const node = marker.getElement();
          node.dataset.area = on.label;
          node.setAttribute("aria-label", on.description);
        });
        // A pin that must always show on its own (the job's address) skips the clusters.
        const layer = on.alone ? map : pins;
        layer.addLayer(marker);
        marker.on("mouseover", on.over);
        marker.on("mouseout", () => marker.unbindTooltip());
        marker.on("click", (event) => { if (on.click()) L.DomEvent.stopPropagation(event); });
        return {
          style(s) { marker.setStyle(look(s)); },
          tip(html) { marker.bindTooltip(html, { direction: "top", className: "map-tip" }).openTooltip(); },
          popup(html) { marker.unbindTooltip().bindPopup(html, { className: "map-tip" }).openPopup(); },
          remove() { layer.removeLayer(marker); },
        };
      },
      polygon(points, on) {
        const shape = L.polygon(points, { color: "#7c3aed", weight: 2, fillOpacity: 0.08, className: "map-zone" }).addTo(map);
        shape.bindTooltip(on.tip, { sticky: true, className: "map-tip" });
        shape.on("click", (event) => { if (on.click()) L.DomEvent.stopPropagation(event); });
        shape.bringToBack(); // pins stay clickable inside a zone
        return { remove() { shape.remove(); } };
      },
      ring(lat, lng, miles) {
        const circle = L.circle([lat, lng], { radius: miles * 1609.34, color: "#2563eb", weight: 1, fillOpacity: 0.06, interactive: false, className: "map-ring" }).addTo(map);
        return { remove() { circle.remove(); } };
      },
      sketch() {
        const shape = L.polygon([], { color: "#7c3aed", weight: 2, dashArray: "4 4", fillOpacity: 0.05 }).addTo(map);
        return { set(points) { shape.setLatLngs(points); }, remove() { shape.remove(); } };
      },
    };
  }
  window.BookBackMap = { create };
})();
