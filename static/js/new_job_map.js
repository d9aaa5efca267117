// New Job's mini-map (the address in red, its 5 closest service areas in grey, the picked
// one blue; a pin click picks its card) and, with a Google key, Places autocomplete on the
// street field filling city / state / ZIP and the exact point. Talks to jobs.js through
// events: "bookback:place" (the address moved: reload the area cards) and the cards' swap.
(function () {
  "use strict";
  let map = null;
  let pins = [];
  const STYLE = { stroke: "#fff", fillOpacity: 0.95, opacity: 1, radius: 7 };
  const pointOf = (text) => (text ? text.split(",").map(Number) : null);

  function draw(form) {
    const el = form.querySelector("#new-job-map");
    if (!el || !window.BookBackMap) return;
    (window.BookBackMap.ready || Promise.resolve()).then(() => {
      if (!map || map.el !== el) {
        map = window.BookBackMap.create(el, { outlineUrl: el.dataset.outlineUrl });
        map.el = el;
        pins = [];
      }
      pins.forEach((pin) => pin.remove());
      pins = [];
      const points = [];
      form.querySelectorAll(".area-card input[data-point]").forEach((input) => {
        const [lat, lng] = pointOf(input.dataset.point);
        points.push([lat, lng]);
        const fill = input.checked ? "#2563eb" : "#94a3b8";
        pins.push(map.pin(lat, lng, { ...STYLE, fill }, {
          label: input.dataset.label, description: input.dataset.label, over() {},
          click() { input.click(); return true; },
        }));
      });
      const cards = form.querySelector(".area-cards");
      const origin = pointOf(cards && cards.dataset.origin);
      if (origin) {
        points.push(origin);
        pins.push(map.pin(origin[0], origin[1], { ...STYLE, fill: "#dc2626", radius: 9 }, {
          label: "address", description: "The job's address", alone: true, over() {}, click() { return true; },
        }));
      }
      map.fit(points);
    });
  }

  function autocomplete(form) {
    const places = window.google && window.google.maps && window.google.maps.places;
    const street = form.elements.street;
    if (!places || !street || street.dataset.autocomplete) return;
    street.dataset.autocomplete = "on";
    const picker = new places.Autocomplete(street, { componentRestrictions: { country: "us" }, fields: ["address_components", "geometry"] });
    picker.addListener("place_changed", () => {
      const place = picker.getPlace();
      if (!place || !place.geometry) return;
      const part = (type, short) => {
        const found = (place.address_components || []).find((c) => c.types.includes(type));
        return found ? (short ? found.short_name : found.long_name) : "";
      };
      street.value = [part("street_number"), part("route")].filter(Boolean).join(" ") || street.value;
      form.elements.city.value = part("locality") || part("sublocality") || form.elements.city.value;
      form.elements.state.value = part("administrative_area_level_1", true);
      form.elements.zip_code.value = part("postal_code");
      form.elements.lat.value = place.geometry.location.lat();
      form.elements.lng.value = place.geometry.location.lng();
      form.dispatchEvent(new CustomEvent("bookback:place", { bubbles: true }));
    });
  }

  function prepare(root) {
    const form = (root.querySelector && root.querySelector("[data-new-job]")) || (root.closest && root.closest("[data-new-job]"));
    if (!form) return;
    draw(form);
    if (window.BookBackMap && window.BookBackMap.ready) window.BookBackMap.ready.then(() => autocomplete(form));
  }

  document.addEventListener("htmx:afterSwap", (event) => prepare(event.target));
  document.addEventListener("change", (event) => {
    if (event.target.name === "service_area" && event.target.closest("[data-new-job]")) draw(event.target.form);
  });
  document.addEventListener("DOMContentLoaded", () => prepare(document));
})();
