// Search in the browser, for every search box marked data-suggest-url (the home page's and
// the search page's). Without this file the forms and links work as plain HTML.
//
// Suggestions as you type are real links under the box: a story opens it, a taxonomy term
// applies that filter. Down arrow moves from the box into them, up and down move between
// them, Escape goes back to the box, Enter (or a click) follows the link.
//
// On /search/ the results also update in place and the address keeps the whole state
// (shareable; back and forward restore it). Typing only rewrites the current address
// (history.replaceState): a submit or a filter change adds an entry. Previous results stay
// until new ones arrive, and "no results" waits until typing pauses, so a half-typed word
// never flashes it.
//
// Phone first: on narrow screens the filters stay folded behind "Filters (n)" until the
// visitor opens them (and stay open while they tick boxes); on wide screens they are open
// beside the results. The sort applies only when its button is pressed, never while the
// arrow keys move through the menu. "Skip to results" moves focus and view to the results.
(function () {
  "use strict";
  if (!window.fetch || !window.history.pushState || !window.URLSearchParams) return;

  var TYPING_DELAY = 300; // ms after the last keystroke before results are fetched
  var EMPTY_DELAY = 1000; // ms of no typing before "no results" may replace results
  var SUGGEST_DELAY = 120;
  var NARROW = "(max-width: 48rem)"; // search.css stacks filters and results below this

  // --- Suggestions -----------------------------------------------------------------

  function Suggestions(form) {
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector("[data-suggestions]");
    var status = form.querySelector("[data-suggestions-status]");
    var url = form.getAttribute("data-suggest-url");
    if (!input || !list || !url) return null;
    var timer = null;
    var pending = null;
    var shownFor = null;

    function links() {
      return Array.prototype.slice.call(list.querySelectorAll("a"));
    }

    function close() {
      list.hidden = true;
    }

    function render(text, items) {
      list.innerHTML = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = item.url;
        a.className = "suggest__link suggest__link--" + item.kind;
        var label = document.createElement("span");
        label.className = "suggest__text";
        label.textContent = item.text;
        a.appendChild(label);
        if (item.kind_label) {
          var kind = document.createElement("span");
          kind.className = "suggest__kind";
          kind.textContent = item.kind_label;
          a.appendChild(document.createTextNode(" "));
          a.appendChild(kind);
        }
        li.appendChild(a);
        list.appendChild(li);
      });
      shownFor = text;
      list.hidden = items.length === 0;
      if (status) {
        status.textContent = items.length
          ? items.length + (items.length === 1 ? " suggestion" : " suggestions") +
            ", press the down arrow to choose"
          : "";
      }
    }

    function update() {
      var text = input.value.trim();
      clearTimeout(timer);
      if (pending) pending.abort();
      if (text.length < 2) { close(); return; }
      if (text === shownFor && links().length) { list.hidden = false; return; }
      timer = setTimeout(function () {
        pending = new AbortController();
        fetch(url + "?q=" + encodeURIComponent(text), { signal: pending.signal })
          .then(function (response) { return response.json(); })
          .then(function (data) {
            if (input.value.trim() === text) render(text, data.suggestions || []);
          })
          .catch(function () {});
      }, SUGGEST_DELAY);
    }

    input.addEventListener("input", update);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !list.hidden && links().length) {
        event.preventDefault();
        links()[0].focus();
      } else if (event.key === "Escape") {
        close();
      }
    });
    list.addEventListener("keydown", function (event) {
      var all = links();
      var at = all.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < all.length - 1) {
        event.preventDefault();
        all[at + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (at > 0 ? all[at - 1] : input).focus();
      } else if (event.key === "Escape") {
        event.preventDefault();
        input.focus();
        close();
      }
    });
    form.addEventListener("focusout", function (event) {
      if (!event.relatedTarget || !form.contains(event.relatedTarget)) close();
    });
    input.addEventListener("focus", function () {
      if (links().length && input.value.trim() === shownFor) list.hidden = false;
    });
    return { close: close };
  }

  var suggestions = {};
  Array.prototype.forEach.call(document.querySelectorAll("form[data-suggest-url]"), function (f) {
    suggestions[f.id] = Suggestions(f);
  });

  // --- Live results on /search/ -----------------------------------------------------

  var form = document.getElementById("search-form");
  var live = document.getElementById("search-live");
  var count = document.getElementById("result-count");
  if (!form || !live || !count) return;

  document.documentElement.classList.add("search-js");
  var input = document.getElementById("search-q");
  var pending = null;
  var typingTimer = null;
  var emptyTimer = null;
  var lastKey = 0;
  // The address of the current history entry before typing rewrote it.
  var committed = window.location.pathname + window.location.search;
  // The address whose results are on screen: a skip link's "#..." changes nothing else.
  var shown = committed;
  var narrow = window.matchMedia(NARROW);
  var filtersOpened = false; // whether the visitor opened the folded filters on a narrow screen

  function showFilters() {
    var filters = document.getElementById("search-filters");
    if (filters) filters.open = !narrow.matches || filtersOpened;
  }

  function here() {
    return window.location.pathname + window.location.search;
  }

  function urlFromForm() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (key === "q" && !String(value).trim()) return;
      if (key === "sort" && value === "relevance") return;
      params.append(key, value);
    });
    var query = params.toString();
    return form.getAttribute("action") + (query ? "?" + query : "");
  }

  function focusKey() {
    var el = document.activeElement;
    if (!el || !live.contains(el)) return null;
    return { id: el.id, name: el.name, value: el.value, tag: el.tagName };
  }

  function restoreFocus(key) {
    if (!key) return;
    var target = null;
    if (key.tag === "INPUT" && key.name) {
      live.querySelectorAll("input[name='" + CSS.escape(key.name) + "']").forEach(function (el) {
        if (el.value === key.value) target = el;
      });
    } else if (key.id) {
      target = document.getElementById(key.id);
    }
    if (target) target.focus();
  }

  function record(url, how) {
    var state = { search: true };
    shown = url;
    if (how === "replace") {
      window.history.replaceState(state, "", url);
    } else if (how === "push" || how === "submit") {
      // A search typed and then submitted is one step back, not two to the same place.
      if (how === "submit" && here() !== committed) {
        window.history.replaceState(state, "", committed);
      }
      window.history.pushState(state, "", url);
      committed = url;
    } else {
      committed = url;
    }
  }

  function cancel() {
    clearTimeout(typingTimer);
    typingTimer = null;
    clearTimeout(emptyTimer);
    emptyTimer = null;
    if (pending) pending.abort();
    pending = null;
  }

  // how: "submit", "push" (filter, link), "replace" (typing) or "none" (back/forward).
  function load(url, how, then) {
    cancel();
    var mine = (pending = new AbortController());
    var key = focusKey();
    var requestedQuery = input.value;
    live.setAttribute("aria-busy", "true");
    return fetch(url, { signal: pending.signal, headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.getElementById("search-live");
        var freshCount = doc.getElementById("result-count");
        if (!fresh) { window.location.assign(url); return; }
        function apply() {
          emptyTimer = null;
          live.innerHTML = fresh.innerHTML;
          showFilters();
          if (freshCount) count.textContent = freshCount.textContent;
          document.title = doc.title;
          live.removeAttribute("aria-busy");
          record(url, how);
          restoreFocus(key);
          if (then) then();
        }
        var waited = Date.now() - lastKey;
        if (how === "replace" && fresh.querySelector(".search__empty") && waited < EMPTY_DELAY) {
          // Still typing: keep the previous results; show "no results" only if typing stops.
          emptyTimer = setTimeout(function () {
            if (input.value === requestedQuery) apply();
          }, EMPTY_DELAY - waited);
          return;
        }
        apply();
      })
      .catch(function (error) {
        if (error.name !== "AbortError") window.location.assign(url);
      })
      .finally(function () {
        if (pending === mine && !emptyTimer) live.removeAttribute("aria-busy");
      });
  }

  function toResults() {
    var heading = document.getElementById("results-heading");
    if (!heading) return;
    heading.focus({ preventScroll: true });
    (heading.closest("section") || heading).scrollIntoView({ block: "start" });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (suggestions[form.id]) suggestions[form.id].close();
    load(urlFromForm(), "submit");
  });

  form.addEventListener("change", function (event) {
    // A filter of this form; not a "Compare" box, which belongs to the compare form.
    if (event.target.type === "checkbox" && event.target.form === form) load(urlFromForm(), "push");
  });

  // "toggle" does not bubble: listen while it passes down to the <details>.
  live.addEventListener("toggle", function (event) {
    if (event.target.id === "search-filters" && narrow.matches) {
      filtersOpened = event.target.open;
    }
  }, true);
  narrow.addEventListener("change", showFilters);
  showFilters();

  Array.prototype.forEach.call(document.querySelectorAll("a[href='#results-heading']"), function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault(); // no "#results-heading" entry in history (or in a shared link)
      toResults();
    });
  });

  input.addEventListener("input", function () {
    lastKey = Date.now();
    cancel(); // an answer for fewer letters is never shown once more are typed
    typingTimer = setTimeout(function () {
      typingTimer = null;
      load(urlFromForm(), "replace");
    }, TYPING_DELAY);
  });

  live.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname !== form.getAttribute("action")) return;
    event.preventDefault();
    input.value = url.searchParams.get("q") || "";
    var paging = link.closest(".pagination") !== null;
    load(url.pathname + url.search, "push", paging ? toResults : null);
  });

  window.addEventListener("popstate", function () {
    var url = new URL(window.location.href);
    var idle = !typingTimer && !live.hasAttribute("aria-busy");
    if (idle && url.pathname + url.search === shown) return; // only the "#..." changed
    input.value = url.searchParams.get("q") || "";
    load(url.pathname + url.search, "none");
  });
})();
