// Map backend on Google Maps JS, used when CP → Google Places API holds a key. Same
// interface as map_leaflet.js; Google's script calls bookbackGoogleMapsReady when loaded.
(function () {
  "use strict";
  let loaded;
  const ready = new Promise((resolve) => { loaded = resolve; });
  window.bookbackGoogleMapsReady = () => loaded();

  function create(el) {
    const gm = google.maps;
    const map = new gm.Map(el, {
      center: { lat: 37.8, lng: -96 }, zoom: 4, clickableIcons: false,
      streetViewControl: false, mapTypeControl: false, fullscreenControl: false,
    });
    const info = new gm.InfoWindow();
    let pinned = false; // a clicked popup stays until closed; a hover tip goes with the mouse
    info.addListener("closeclick", () => { pinned = false; });
    const show = (html, where) => { info.setContent(html); info.open({ map, shouldFocus: false, ...where }); };
    const hide = () => { if (!pinned) info.close(); };
    const icon = (s) => ({ path: gm.SymbolPath.CIRCLE, scale: s.radius, fillColor: s.fill, fillOpacity: s.fillOpacity, strokeColor: s.stroke, strokeOpacity: s.opacity, strokeWeight: 2 });
    const path = (points) => points.map(([lat, lng]) => ({ lat, lng }));
    let mapClick = () => {};

    return {
      fit(points) {
        if (!points.length) return;
        const bounds = new gm.LatLngBounds();
        points.forEach(([lat, lng]) => bounds.extend({ lat, lng }));
        map.fitBounds(bounds, 30);
      },
      onClick(handler) {
        mapClick = handler;
        map.addListener("click", (event) => handler(event.latLng.lat(), event.latLng.lng()));
      },
      setDrawing(on) { map.setOptions({ draggableCursor: on ? "crosshair" : null }); },
      pin(lat, lng, style, on) {
        const marker = new gm.Marker({ position: { lat, lng }, map, icon: icon(style), title: on.description, zIndex: 10 });
        marker.addListener("mouseover", on.over);
        marker.addListener("mouseout", hide);
        // Google does not pass marker clicks on to the map: hand unhandled ones over.
        marker.addListener("click", () => { if (!on.click()) mapClick(lat, lng); });
        return {
          style(s) { marker.setIcon(icon(s)); },
          tip(html) { pinned = false; show(html, { anchor: marker }); },
          popup(html) { show(html, { anchor: marker }); pinned = true; },
          remove() { marker.setMap(null); },
        };
      },
      polygon(points, on) {
        const shape = new gm.Polygon({ paths: path(points), map, strokeColor: "#7c3aed", strokeWeight: 2, fillColor: "#7c3aed", fillOpacity: 0.08, zIndex: 1 });
        shape.addListener("mouseover", (event) => { info.setPosition(event.latLng); show(on.tip, {}); });
        shape.addListener("mouseout", hide);
        shape.addListener("click", (event) => { if (!on.click()) mapClick(event.latLng.lat(), event.latLng.lng()); });
        return { remove() { shape.setMap(null); } };
      },
      ring(lat, lng, miles) {
        const circle = new gm.Circle({ map, center: { lat, lng }, radius: miles * 1609.34, strokeColor: "#2563eb", strokeWeight: 1, fillColor: "#2563eb", fillOpacity: 0.06, clickable: false });
        return { remove() { circle.setMap(null); } };
      },
      sketch() {
        const shape = new gm.Polygon({ map, strokeColor: "#7c3aed", strokeWeight: 2, fillColor: "#7c3aed", fillOpacity: 0.05, clickable: false });
        return { set(points) { shape.setPath(path(points)); }, remove() { shape.setMap(null); } };
      },
    };
  }
  window.BookBackMap = { create, ready };
})();
