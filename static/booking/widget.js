// The booking widget's only script. Without it every step is a plain GET/POST form; with
// it, each form is sent with the HX-Request header (the server answers with the step
// fragment, as it does for htmx) and swapped into the card in place, focus moved to the
// new step's heading. Also: the host page's referrer, Places autocomplete when a key is
// set, and sending the top window (through the iframe) to a configured thank-you page.
(function () {
  "use strict";
  var card = document.getElementById("bk-card");
  if (!card || !window.fetch) return;

  function topRedirect(url) {
    try { window.top.location.href = url; } catch (error) { window.location.href = url; }
  }

  function fillReferrer(root) {
    var ref = document.referrer;
    if (!ref || ref.indexOf(location.origin + "/") === 0) return;
    root.querySelectorAll("input[name=ref]").forEach(function (input) { if (!input.value) input.value = ref; });
    root.querySelectorAll("form").forEach(function (form) {
      if (!form.elements.ref) {
        var input = document.createElement("input");
        input.type = "hidden"; input.name = "ref"; input.value = ref;
        form.appendChild(input);
      }
    });
  }

  function places(root) {
    var input = root.querySelector("[data-places-key]");
    if (!input) return;
    input.addEventListener("focus", function load() {
      input.removeEventListener("focus", load);
      window.bkPlacesReady = function () {
        var picker = new google.maps.places.Autocomplete(input, { componentRestrictions: { country: "us" }, fields: ["formatted_address", "address_components"] });
        picker.addListener("place_changed", function () {
          var place = picker.getPlace() || {};
          if (place.formatted_address) input.value = place.formatted_address;
          (place.address_components || []).forEach(function (part) {
            if (part.types.indexOf("postal_code") >= 0) input.form.elements.zip_code.value = part.short_name;
          });
        });
      };
      if (window.google && google.maps && google.maps.places) return window.bkPlacesReady();
      var script = document.createElement("script");
      script.src = "https://maps.googleapis.com/maps/api/js?key=" + encodeURIComponent(input.dataset.placesKey) + "&libraries=places&loading=async&callback=bkPlacesReady";
      script.async = true;
      document.head.appendChild(script);
    });
  }

  function prepare(root, focus) {
    fillReferrer(root);
    places(root);
    var redirect = root.querySelector("[data-top-redirect]");
    if (redirect) topRedirect(redirect.href);
    var heading = focus && root.querySelector("[data-bk-focus]");
    if (heading) heading.focus();
  }

  card.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.plain) return;  // the fallback below: let the browser send it
    event.preventDefault();
    if (card.getAttribute("aria-busy")) return;  // one request at a time: no double submit
    var data = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var body = new URLSearchParams(data);
    var isGet = form.method.toLowerCase() === "get";
    var url = form.action.split("?")[0] + (isGet ? "?" + body : "");
    card.setAttribute("aria-busy", "true");
    fetch(url, { method: isGet ? "GET" : "POST", body: isGet ? null : body, headers: { "HX-Request": "true" } })
      .then(function (response) {
        var redirect = response.headers.get("HX-Redirect");
        if (redirect) return topRedirect(redirect);
        return response.text().then(function (html) {
          card.innerHTML = html;
          if (isGet) history.replaceState(null, "", url);
          prepare(card, true);
        });
      })
      .catch(function () {
        form.dataset.plain = "1";
        form.requestSubmit ? form.requestSubmit(submitter) : form.submit();
      })
      .finally(function () { card.removeAttribute("aria-busy"); });
  });

  prepare(card, false);
})();
