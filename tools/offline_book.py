"""Sphinx extension (``sphinx.local_extensions`` in ``_config.yml``): the book works offline.

1. Fails the build with a clear message when the JavaScript that ``_config.yml``
   serves from ``_vendor/npm/`` (``mathjax_path``, ``nb_ipywidgets_js``) has
   not been fetched: run ``python tools/static_assets.py`` (``make book`` does).
2. Drops duplicate ``<script>`` tags from every page. sphinx-thebe 0.3.1 adds an
   inline script (``const THEBE_JS_URL = ...``) with ``app.add_js_file(None, body=...)``
   while the HTML builder is already running; Sphinx 7.4 then lists it twice
   (once as ``None``, once as ``''``), and the second ``const`` declaration is a
   SyntaxError in the browser console on every page.
3. On pages with ipywidgets (whose notebook stored widget state), adds one inline
   script before require.js that
   - tells require.js where html-manager lives (``paths``), so the icon fonts its
     CSS loads resolve to ``_static/npm/html-manager/`` instead of a 404 beside
     the page (its webpack public path is derived from the AMD module's URL);
   - gives MathJax 3 the one MathJax 2 call html-manager 1.0 makes
     (``MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`` in
     ``@jupyter-widgets/base``'s ``typeset``), mapped to ``MathJax.typesetPromise``;
     without it every widget label throws "Cannot read properties of undefined
     (reading 'Queue')".
"""

from __future__ import annotations

import pathlib

from sphinx.errors import ConfigError


def check_vendor_files(app) -> None:
    if app.builder.format != "html":
        return
    wanted = [app.config.mathjax_path, *getattr(app.config, "nb_ipywidgets_js", {})]
    local = [path for path in wanted if path and "://" not in path and not path.startswith("/")]
    static_dirs = [
        pathlib.Path(app.confdir or app.srcdir, entry) for entry in app.config.html_static_path
    ]
    missing = [
        path for path in local if not any((folder / path).is_file() for folder in static_dirs)
    ]
    if missing:
        raise ConfigError(
            f"{', '.join(missing)} not found in html_static_path: the offline JavaScript has not "
            "been fetched. Run `python tools/static_assets.py` (or `make book`) first."
        )


HTML_MANAGER = "npm/html-manager/embed-amd.js"

# %(html_manager)s: the URL of html-manager's folder, relative to the page (require.js resolves it
# against the page).
WIDGET_PAGE_JS = """\
var require = {paths: {"@jupyter-widgets/html-manager/dist": "%(html_manager)s"}};
(function () {
  // html-manager 1.0 typesets widget labels with MathJax 2's MathJax.Hub.Queue;
  // the book loads MathJax 3.
  function typeset(element) {
    var mathjax = window.MathJax;
    var started = mathjax && mathjax.startup && mathjax.startup.promise;
    if (element && started && mathjax.typesetPromise) {
      mathjax.startup.promise.then(function () { return mathjax.typesetPromise([element]); })
        .catch(function (error) { console.warn("MathJax could not typeset a widget:", error); });
    }
  }
  function addHub(mathjax) {
    if (mathjax && typeof mathjax === "object" && !mathjax.Hub) {
      var hub = {Queue: function (job) { typeset(job && job[2]); }};
      Object.defineProperty(mathjax, "Hub", {value: hub});
    }
  }
  var current = window.MathJax;
  addHub(current);
  // MathJax 3 replaces its configuration object when it loads
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () { return current; },
    set: function (value) { current = value; addHub(value); }
  });
})();
"""


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # the builder restores its list after each page


def configure_widget_page(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files") or []
    if any((script.filename or "").endswith(HTML_MANAGER) for script in scripts):
        folder = context["pathto"]("_static/" + HTML_MANAGER.rsplit("/", 1)[0], 1)
        # priority 499: before myst-nb's per-page require.js and embed-amd.js (500), after
        # MathJax's config
        app.add_js_file(None, body=WIDGET_PAGE_JS % {"html_manager": folder}, priority=499)


def setup(app):
    app.connect("builder-inited", check_vendor_files, priority=900)
    app.connect("html-page-context", configure_widget_page, priority=800)  # after myst-nb's (500)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
