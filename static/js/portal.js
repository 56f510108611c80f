/* Here's How: the little the portal's pages do in the browser (no inline scripts: see base/csp.py).
 *
 * Copy buttons: <button data-copy-target="ID"> copies the text of the element with that id
 * (the share panel's embed code and republishable HTML) and says "Copied" in a live region
 * next to it, so keyboard and screen-reader users hear that it worked. */
(function () {
  "use strict";

  function selectText(box) {
    if (typeof box.select === "function") {
      box.select();
    } else {
      var range = document.createRange();
      range.selectNodeContents(box);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
  }

  function legacyCopy(box) {
    selectText(box);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function say(status, message) {
    if (!status) return;
    status.textContent = message;
    window.clearTimeout(status._clear);
    status._clear = window.setTimeout(function () { status.textContent = ""; }, 4000);
  }

  function copy(button) {
    var box = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status") || "");
    if (!box) return;
    var text = "value" in box ? box.value : box.textContent;
    var done = function () { say(status, "Copied"); };
    var failed = function () {
      selectText(box);
      say(status, "Press Ctrl+C (or ⌘C) to copy the selected text");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {
        if (legacyCopy(box)) done(); else failed();
      });
    } else if (legacyCopy(box)) {
      done();
    } else {
      failed();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-target]") : null;
    if (button) copy(button);
  });

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.hidden = false; /* shown only where this script runs */
  });
})();
