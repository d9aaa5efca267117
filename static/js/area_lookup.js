// Service area form, Lookup button: geocode the ZIP now so the user sees the city before
// saving. Saving geocodes again on the server, so the form works the same without this.
(function () {
  "use strict";
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-area-lookup]");
    if (!button) return;
    const form = button.closest("form");
    const status = form.querySelector("[data-lookup-status]");
    const zip = form.elements.zip_code.value.trim();
    status.textContent = "Looking up…";
    status.className = "area-lookup";
    try {
      const response = await fetch(button.dataset.areaLookup + "?zip=" + encodeURIComponent(zip), { headers: { Accept: "application/json" } });
      const data = await response.json();
      if (data.status !== "success") throw new Error(data.error || "Lookup failed.");
      for (const name of ["city", "state", "lat", "lng"]) form.querySelector("[data-place=" + name + "]").value = data[name];
      status.textContent = "✓ " + data.city + ", " + data.state;
    } catch (error) {
      status.textContent = error.message || "Lookup failed.";
      status.className = "area-lookup area-lookup--error";
    }
  });
})();
