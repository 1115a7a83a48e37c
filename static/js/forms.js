// A form sent once: its submit buttons turn off while the page waits, so that a double click
// sends one request. The server keeps one row per form anyway (a one-time token); this spares
// the second request. Buttons come back when htmx swaps the answer in, or the page is shown
// again from the back/forward cache.
(function () {
  "use strict";

  function buttons(form) {
    return form.querySelectorAll('button[type="submit"], button:not([type]), input[type="submit"]');
  }

  function setBusy(form, busy) {
    buttons(form).forEach(function (button) {
      button.disabled = busy;
      if (busy) button.setAttribute("aria-busy", "true");
      else button.removeAttribute("aria-busy");
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
    // Let the browser submit first: a disabled button would drop its own name/value. A form
    // whose sending was called off stays usable (htmx calls it off to send it itself).
    window.setTimeout(function () {
      if (!event.defaultPrevented || form.hasAttribute("hx-post")) setBusy(form, true);
    }, 0);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (form instanceof HTMLFormElement) setBusy(form, false);
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) document.querySelectorAll("form").forEach(function (form) {
      setBusy(form, false);
    });
  });
})();
