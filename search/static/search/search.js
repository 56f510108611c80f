// Progressive enhancement for /search/: results update in place, the URL keeps the
// whole state (shareable; back and forward restore it). Without this file the form
// and links work as plain HTML.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var live = document.getElementById("search-live");
  var count = document.getElementById("result-count");
  if (!form || !live || !window.fetch || !window.history.pushState) return;

  document.documentElement.classList.add("search-js");
  var input = document.getElementById("search-q");
  var pending = null;
  var typingTimer = null;

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

  function load(url, push) {
    if (pending) pending.abort();
    pending = new AbortController();
    var key = focusKey();
    live.setAttribute("aria-busy", "true");
    return fetch(url, { signal: pending.signal, headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.getElementById("search-live");
        var freshCount = doc.getElementById("result-count");
        if (!fresh) { window.location.assign(url); return; }
        live.innerHTML = fresh.innerHTML;
        if (freshCount) count.textContent = freshCount.textContent;
        document.title = doc.title;
        if (push) window.history.pushState({ search: true }, "", url);
        restoreFocus(key);
      })
      .catch(function (error) {
        if (error.name !== "AbortError") window.location.assign(url);
      })
      .finally(function () { live.removeAttribute("aria-busy"); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(typingTimer);
    load(urlFromForm(), true);
  });

  form.addEventListener("change", function (event) {
    var t = event.target;
    if (t.type === "checkbox" || t.tagName === "SELECT") load(urlFromForm(), true);
  });

  input.addEventListener("input", function () {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { load(urlFromForm(), true); }, 400);
    suggest(input.value);
  });

  live.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname !== form.getAttribute("action")) return;
    event.preventDefault();
    var q = url.searchParams.get("q");
    input.value = q || "";
    load(url.pathname + url.search, true);
  });

  window.addEventListener("popstate", function () {
    var url = new URL(window.location.href);
    input.value = url.searchParams.get("q") || "";
    load(url.pathname + url.search, false);
  });

  // Suggestions as you type, through the input's <datalist>.
  var list = document.getElementById("search-suggestions");
  var suggestUrl = form.getAttribute("data-suggest-url");
  var suggestTimer = null;
  function suggest(text) {
    clearTimeout(suggestTimer);
    if (!list || !suggestUrl || text.trim().length < 2) return;
    suggestTimer = setTimeout(function () {
      fetch(suggestUrl + "?q=" + encodeURIComponent(text))
        .then(function (r) { return r.json(); })
        .then(function (data) {
          list.innerHTML = "";
          (data.suggestions || []).forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.text;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 150);
  }
})();
