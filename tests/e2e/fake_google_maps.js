// A stand-in for https://maps.googleapis.com/maps/api/js, served by the test through
// Playwright's routing: the slice of the google.maps API map_google.js uses, drawn as plain
// DOM so the test can see and click it. Calls back like Google's loader does.
(function () {
  "use strict";
  function Events() { this.handlers = {}; }
  Events.prototype.addListener = function (name, handler) { (this.handlers[name] = this.handlers[name] || []).push(handler); return { remove() {} }; };
  Events.prototype.fire = function (name, event) { (this.handlers[name] || []).forEach((h) => h(event)); };
  const latLng = (lat, lng) => ({ lat: () => lat, lng: () => lng });

  function Map(el, options) {
    Events.call(this);
    this.el = el; this.options = options;
    el.classList.add("fake-google-map");
    el.addEventListener("click", (event) => { if (event.target === el) this.fire("click", { latLng: latLng(25.8, -80.2) }); });
  }
  Map.prototype = Object.create(Events.prototype);
  Map.prototype.fitBounds = function (bounds) { this.el.dataset.fitted = bounds.points.length; };
  Map.prototype.setOptions = function (options) { Object.assign(this.options, options); };

  function Marker(options) {
    Events.call(this);
    this.node = document.createElement("button");
    this.node.type = "button";
    this.node.className = "fake-marker";
    this.node.dataset.title = options.title;
    this.setIcon(options.icon);
    options.map.el.appendChild(this.node);
    this.node.addEventListener("click", () => this.fire("click", {}));
    this.node.addEventListener("mouseenter", () => this.fire("mouseover", {}));
    this.node.addEventListener("mouseleave", () => this.fire("mouseout", {}));
  }
  Marker.prototype = Object.create(Events.prototype);
  Marker.prototype.setIcon = function (icon) { this.node.dataset.fill = icon.fillColor; };
  Marker.prototype.setMap = function (map) { if (!map) this.node.remove(); };

  function InfoWindow() { Events.call(this); this.node = document.createElement("div"); this.node.className = "fake-info"; }
  InfoWindow.prototype = Object.create(Events.prototype);
  InfoWindow.prototype.setContent = function (html) { this.node.innerHTML = html; };
  InfoWindow.prototype.setPosition = function () {};
  InfoWindow.prototype.open = function (where) { where.map.el.appendChild(this.node); };
  InfoWindow.prototype.close = function () { this.node.remove(); };

  function Polygon(options) { Events.call(this); this.options = options; }
  Polygon.prototype = Object.create(Events.prototype);
  Polygon.prototype.setPath = function (path) { this.options.paths = path; };
  Polygon.prototype.setMap = function () {};

  function LatLngBounds() { this.points = []; }
  LatLngBounds.prototype.extend = function (point) { this.points.push(point); };

  function Circle(options) { this.options = options; }
  Circle.prototype.setMap = function () {};

  // Places autocomplete: the test picks a suggestion with window.fakePlaces[i].choose(place).
  window.fakePlaces = [];
  function Autocomplete(input, options) { Events.call(this); this.input = input; this.options = options; window.fakePlaces.push(this); }
  Autocomplete.prototype = Object.create(Events.prototype);
  Autocomplete.prototype.getPlace = function () { return this.place; };
  Autocomplete.prototype.choose = function (place) {
    this.place = { ...place, geometry: { location: latLng(place.lat, place.lng) } };
    this.fire("place_changed", {});
  };

  window.google = { maps: { Map, Marker, InfoWindow, Polygon, Circle, LatLngBounds, SymbolPath: { CIRCLE: 0 }, places: { Autocomplete } } };
  const callback = new URL(document.currentScript.src).searchParams.get("callback");
  setTimeout(() => window[callback](), 0);
})();
