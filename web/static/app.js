/* Liandong pages: the action dialog, toasts and live countdowns. No dependencies besides htmx. */
(function () {
  "use strict";

  function dialog() { return document.getElementById("action-dialog"); }

  function closeDialog() {
    var d = dialog();
    if (d && d.open) { d.close(); }
  }

  // Action forms load into the dialog: open it when something arrives there.
  document.addEventListener("htmx:afterSwap", function (e) {
    var d = dialog();
    if (!d) { return; }
    var body = document.getElementById("dialog-body");
    if (e.detail.target === body && body.children.length && !d.open) {
      d.showModal();
      var first = body.querySelector("textarea, select, input:not([type=hidden])");
      if (first) { first.focus(); }
    }
    tick();
  });

  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-close-dialog]");
    if (el) { e.preventDefault(); closeDialog(); }
  });

  document.addEventListener("close-dialog", closeDialog);

  document.addEventListener("flash", function (e) {
    var text = e.detail && e.detail.value;
    if (!text) { return; }
    var box = document.getElementById("toasts");
    var toast = document.createElement("div");
    toast.className = "toast";
    toast.setAttribute("role", "status");
    toast.textContent = text;
    box.appendChild(toast);
    setTimeout(function () { toast.classList.add("toast-out"); }, 3500);
    setTimeout(function () { toast.remove(); }, 4200);
  });

  // A refused request that htmx did not swap (network or 5xx): say so instead of doing nothing.
  document.addEventListener("htmx:responseError", function (e) {
    var status = e.detail.xhr ? e.detail.xhr.status : 0;
    var ev = new CustomEvent("flash", { detail: { value: (document.body.dataset.lang === "en"
      ? "The server could not do this (" + status + "). Please try again."
      : "服务器暂时无法处理（" + status + "），请稍后重试。") } });
    document.dispatchEvent(ev);
  });

  // Countdowns: every [data-deadline] shows the time left (or overdue) to its ISO instant.
  function span(ms) {
    var en = document.body.dataset.lang === "en";
    var min = Math.floor(Math.abs(ms) / 60000);
    var d = Math.floor(min / 1440), h = Math.floor((min % 1440) / 60), m = min % 60;
    if (d > 0) { return en ? d + "d " + h + "h" : d + "天" + h + "小时"; }
    if (h > 0) { return en ? h + "h " + m + "m" : h + "小时" + m + "分"; }
    return en ? m + "m" : m + "分钟";
  }

  function tick() {
    var tpl = document.getElementById("countdown-text");
    if (!tpl) { return; }
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(at)) { return; }
      var left = at - now;
      // Under a minute either side the deadline is due: never "overdue 0 minutes".
      var due = Math.abs(left) < 60000;
      var text = due ? tpl.dataset.due
        : (left > 0 ? tpl.dataset.left : tpl.dataset.over).replace("{time}", span(left));
      if (el.textContent !== text) { el.textContent = text; }
      el.classList.toggle("countdown-over", left <= -60000);
    });
  }

  document.addEventListener("DOMContentLoaded", tick);
  setInterval(tick, 1000);
}());
