/* Tell Python the visitor's color scheme (see page_scripts.py): write "dark" or "light" into
 * the hidden text field marked ll-color-scheme, now and whenever the system setting changes.
 * In the static site the page may draw the document before the worker has linked it to Python;
 * a value written then would never reach Python, so wait for the link. `cb_obj` is the
 * document. No template literals: `panel convert` rewrites them. */
(function (doc) {
  "use strict";
  var field = null;
  doc.all_models.forEach(function (model) {
    if (model.css_classes && model.css_classes.indexOf("ll-color-scheme") >= 0) field = model;
  });
  if (field === null) return;
  var query = window.matchMedia("(prefers-color-scheme: dark)");

  function linked() {
    var worker = window.pyodideWorker;
    return !worker || worker.jsdoc === doc;
  }

  function tell() {
    if (!linked()) {
      setTimeout(tell, 200);
      return;
    }
    var scheme = query.matches ? "dark" : "light";
    if (field.value !== scheme) field.value = scheme;
  }

  tell();
  query.addEventListener("change", tell);
})(cb_obj);
