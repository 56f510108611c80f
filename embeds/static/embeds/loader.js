/* Here's How embed loader: resizes embedded story cards to their content height.
   Optional: without it each card still shows in full at its default height. */
(function () {
  "use strict";
  if (window.heresHowEmbedLoader) return;
  window.heresHowEmbedLoader = true;

  var SELECTOR = "iframe[data-heres-how-embed]";

  function originOf(frame) {
    try {
      return new URL(frame.src, window.location.href).origin;
    } catch (e) {
      return null;
    }
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "heres-how:height") return;
    var height = Math.ceil(Number(data.height));
    if (!(height > 0 && height < 10000)) return;
    var frames = document.querySelectorAll(SELECTOR);
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      if (frame.contentWindow !== event.source || originOf(frame) !== event.origin) continue;
      frame.style.height = height + "px";
      frame.setAttribute("height", String(height));
    }
  });

  // Cards that finished loading before this script ran are asked again.
  function measureAll() {
    var frames = document.querySelectorAll(SELECTOR);
    for (var i = 0; i < frames.length; i++) {
      var origin = originOf(frames[i]);
      if (origin && frames[i].contentWindow) {
        frames[i].contentWindow.postMessage({ type: "heres-how:measure" }, origin);
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", measureAll);
  } else {
    measureAll();
  }
})();
