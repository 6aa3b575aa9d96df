/*
 * Employer search as you type (progressive enhancement: the search form works without it).
 *
 * On <input data-employer-search data-url="…/search.json" data-detail-url="…/employers/0/"
 *           data-results="<id of a <ul>>" data-status="<id of an aria-live element>">
 * it asks search.json after a pause in typing (at least 2 characters) and lists the matches as
 * links to their directory pages. Text goes in with textContent only, never as HTML.
 */
(function () {
  "use strict";

  var DELAY_MS = 250;
  var MIN_CHARS = 2;
  var QUALITY = { verified: "Verified by staff", submitted: "Submitted by a user", unverified: "Unverified" };

  function detailUrl(template, id) {
    return template.replace(/\/0\/$/, "/" + encodeURIComponent(String(id)) + "/");
  }

  function enhance(input) {
    var list = document.getElementById(input.getAttribute("data-results"));
    var status = document.getElementById(input.getAttribute("data-status"));
    var url = input.getAttribute("data-url");
    var template = input.getAttribute("data-detail-url") || "";
    if (!list || !url) {
      return;
    }
    var timer = null;
    var controller = null;
    var lastQuery = null;

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function clear() {
      while (list.firstChild) {
        list.removeChild(list.firstChild);
      }
      list.hidden = true;
    }

    function render(results, query) {
      clear();
      if (!results.length) {
        say("No employer matches \u201c" + query + "\u201d.");
        return;
      }
      results.forEach(function (item) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = detailUrl(template, item.id);
        link.textContent = item.name;
        li.appendChild(link);
        var about = [];
        if (item.other_names && item.other_names.length) {
          about.push("also " + item.other_names.join(", "));
        }
        about.push(item.country);
        about.push(QUALITY[item.quality] || item.quality);
        var small = document.createElement("span");
        small.className = "help";
        small.textContent = about.join(" \u00b7 ");
        li.appendChild(small);
        list.appendChild(li);
      });
      list.hidden = false;
      say(results.length === 1 ? "1 employer found." : results.length + " employers found.");
    }

    function search() {
      var query = input.value.trim();
      if (query === lastQuery) {
        return;
      }
      lastQuery = query;
      if (controller) {
        controller.abort();
        controller = null;
      }
      if (query.length < MIN_CHARS) {
        clear();
        say("");
        return;
      }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      var address = url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
      fetch(address, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          if (input.value.trim() === query) {
            render((data && data.results) || [], query);
          }
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") {
            return;
          }
          lastQuery = null;
          say("Live search is unavailable; press Search instead.");
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY_MS);
    });
  }

  function start() {
    var inputs = document.querySelectorAll("input[data-employer-search]");
    Array.prototype.forEach.call(inputs, enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
