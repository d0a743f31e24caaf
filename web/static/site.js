// ThaiTrust pages: small conveniences only. Every form works without
// this file. No inline scripts (the CSP forbids them).
(function () {
  "use strict";

  // Drag and drop onto a .drop zone fills its file input and submits.
  document.querySelectorAll(".drop").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    if (!input) { return; }
    ["dragenter", "dragover"].forEach(function (ev) {
      zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (ev) {
      zone.addEventListener(ev, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      if (!e.dataTransfer || !e.dataTransfer.files.length) { return; }
      input.files = e.dataTransfer.files;
      if (input.form) { input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit(); }
    });
    // Choosing a file submits the form too (the button remains for keyboards).
    input.addEventListener("change", function () {
      if (input.files.length && input.form && zone.hasAttribute("data-autosubmit")) {
        input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit();
      }
    });
  });

  // [data-poll]: fetch the URL every few seconds; when the answer's
  // status is final, load the page given by its "href".
  document.querySelectorAll("[data-poll]").forEach(function (el) {
    var url = el.getAttribute("data-poll");
    var tries = 0;
    function tick() {
      tries++;
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) {
          if (j && j.final) { window.location.assign(j.href); return; }
          if (j && j.label) { var s = el.querySelector("[data-poll-status]"); if (s) { s.textContent = j.label; } }
          if (tries < 600) { setTimeout(tick, 1500); }
        })
        .catch(function () { if (tries < 600) { setTimeout(tick, 3000); } });
    }
    setTimeout(tick, 1500);
  });

  // [data-copy]: copy the text of the element it names.
  document.querySelectorAll("[data-copy]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var t = document.getElementById(b.getAttribute("data-copy"));
      if (t && navigator.clipboard) {
        navigator.clipboard.writeText(t.value || t.textContent).then(function () {
          var old = b.textContent; b.textContent = b.getAttribute("data-copied") || "✓"; setTimeout(function () { b.textContent = old; }, 1500);
        });
      }
    });
  });
})();
