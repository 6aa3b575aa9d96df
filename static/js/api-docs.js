// Accessibility fixes for Swagger UI's page (/api/v1/docs/), which renders after load: its tag headings
// (h3) follow the h1 title directly, so they are announced as level 2; the title block becomes a named
// region so that no content sits outside a landmark. A same-origin file: the CSP allows no inline script.
(function () {
  "use strict";
  function fix() {
    document.querySelectorAll("#swagger-ui h3.opblock-tag").forEach(function (h) {
      if (h.getAttribute("aria-level") !== "2") h.setAttribute("aria-level", "2");
    });
    document.querySelectorAll("#swagger-ui h4").forEach(function (h) {
      if (h.getAttribute("aria-level") !== "3") h.setAttribute("aria-level", "3");
    });
    document.querySelectorAll("#swagger-ui .information-container, #swagger-ui .scheme-container").forEach(function (el) {
      if (el.getAttribute("role") !== "region") {
        el.setAttribute("role", "region");
        el.setAttribute("aria-label", el.classList.contains("information-container") ? "About the API" : "Servers and authorisation");
      }
    });
  }
  var root = document.getElementById("swagger-ui");
  if (!root) return;
  new MutationObserver(fix).observe(root, { childList: true, subtree: true });
  fix();
})();
