/* A table too wide for the screen says so (issue 13): added to every page by tools/page_layout.py.
   pydata-sphinx-theme puts each table in a container that scrolls sideways, but on a phone nothing
   shows that columns are hidden. For every such container that overflows, this script adds a
   visible hint above the table and a shade on the edge where columns are hidden; both follow the
   scroll position and every change of the table's or its container's size. tests/browser/test_browser.py checks them at phone width. */
(function () {
  "use strict";
  var HINT = "Scroll sideways to see every column";

  function update(container) {
    var hidden = container.scrollWidth - container.clientWidth;
    var scrolls = hidden > 1;
    container.classList.toggle("sae-scrolls", scrolls);
    var frame = container.parentNode;  // the shade sits on the frame, which does not scroll
    frame.classList.toggle("sae-more-left", scrolls && container.scrollLeft > 1);
    frame.classList.toggle("sae-more-right", scrolls && container.scrollLeft < hidden - 1);
    var hint = frame.previousElementSibling;
    if (hint && hint.classList.contains("sae-scroll-hint")) hint.hidden = !scrolls;
  }

  function setUp() {
    var containers = document.querySelectorAll(".bd-content .pst-scrollable-table-container");
    containers.forEach(function (container) {
      var hint = document.createElement("p");
      hint.className = "sae-scroll-hint";
      hint.textContent = HINT + " \u2192";
      hint.hidden = true;
      var frame = document.createElement("div");
      frame.className = "sae-table-frame";
      container.parentNode.insertBefore(frame, container);
      frame.appendChild(container);
      frame.parentNode.insertBefore(hint, frame);
      container.addEventListener("scroll", function () { update(container); }, { passive: true });
      update(container);
    });
    // widths change after load (web fonts, MathJax, a turned phone): re-check on every resize of a
    // container or of its table
    var observer = new ResizeObserver(function () { containers.forEach(update); });
    containers.forEach(function (container) {
      observer.observe(container);
      if (container.firstElementChild) observer.observe(container.firstElementChild);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
