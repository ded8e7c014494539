/* Layer Lab's accessibility touch-ups, run once the page's document is ready (see
 * accessibility.py). Bokeh's widgets render inside shadow roots without some of the names and
 * roles assistive technology needs, so this walks every shadow root and adds them:
 *
 * - a slider's handle gets the slider's title as its name ("Noise", "L2 λ", ...);
 * - a file input gets its component's description as its name;
 * - the − / + buttons of a hidden layer say which layer they change;
 * - the input features' toggles are a named group, each toggle saying whether it is on;
 * - components marked ll-live (the status line) become polite live regions, announced
 *   when their text changes.
 *
 * Views are redrawn as the lab changes (a new layer's row, a rebuilt slider), so every shadow
 * root is watched and the walk runs again, debounced, after a change. No template literals:
 * `panel convert` rewrites them.
 */
(function () {
  "use strict";
  if (window.layerlabAccessibility) return;
  window.layerlabAccessibility = true;
  var watched = new WeakSet();
  var timer = null;

  /* The text a component shows (its shadow root's, without its stylesheets). */
  function textOf(host) {
    var root = host.shadowRoot || host;
    var text = Array.prototype.map.call(root.children, function (child) {
      return child.tagName === "STYLE" || child.tagName === "LINK" ? "" : child.textContent;
    }).join(" ");
    return text.replace(/\s+/g, " ").trim();
  }

  function hostsIn(root, className) {
    return Array.prototype.filter.call(root.querySelectorAll("." + className),
      function (el) { return el.shadowRoot; });
  }

  function innerButton(host) {
    return host.shadowRoot ? host.shadowRoot.querySelector("button") : null;
  }

  function name(el, label) {
    if (el && label && el.getAttribute("aria-label") !== label) el.setAttribute("aria-label", label);
  }

  /* A slider's title: in its own shadow root, or (a ladder slider: a title above a slider)
   * the text of the first other component beside it. */
  function sliderTitle(root) {
    var title = root.querySelector(".bk-slider-title");
    if (title && title.textContent.trim()) return title.textContent;
    var parent = root.host && root.host.getRootNode();
    if (!parent || parent === document) return "Value";
    var siblings = Array.prototype.filter.call(parent.querySelectorAll("*"),
      function (el) { return el.shadowRoot && el !== root.host && textOf(el); });
    return siblings.length ? textOf(siblings[0]) : "Value";
  }

  function touchUp(root) {
    var handles = root.querySelectorAll(".noUi-handle");
    if (handles.length) {
      var title = sliderTitle(root).split(":")[0].trim();
      handles.forEach(function (handle) { name(handle, title); });
    }
    root.querySelectorAll("input[type=file]").forEach(function (input) {
      name(input, input.getAttribute("accept") && input.getAttribute("accept").indexOf("csv") >= 0
        ? "Your data: a CSV file" : "Weights file (.npz or .json)");
    });
    hostsIn(root, "ll-layer-row").forEach(function (row) {
      var label = row.shadowRoot.querySelector(".ll-layer-name");
      var layer = label ? textOf(label).replace(/ ·.*/, "") : "this layer";
      hostsIn(row.shadowRoot, "ll-narrow").forEach(function (host) {
        name(innerButton(host), "Fewer units in " + layer);
      });
      hostsIn(row.shadowRoot, "ll-widen").forEach(function (host) {
        name(innerButton(host), "More units in " + layer);
      });
    });
    hostsIn(root, "ll-features").forEach(function (host) {
      var group = host.shadowRoot.querySelector(".bk-btn-group");
      if (!group) return;
      group.setAttribute("role", "group");
      name(group, "Input features");
      group.querySelectorAll("button").forEach(function (button) {
        pressed(button);
        if (!button.dataset.llPressed) {
          button.dataset.llPressed = "1";
          button.addEventListener("click", function () { setTimeout(function () { pressed(button); }, 0); });
        }
      });
    });
    hostsIn(root, "ll-live").forEach(function (host) {
      if (host.getAttribute("role") !== "status") {
        host.setAttribute("role", "status");
        host.setAttribute("aria-live", "polite");
      }
    });
  }

  function pressed(button) {
    var on = String(button.classList.contains("bk-active"));
    if (button.getAttribute("aria-pressed") !== on) button.setAttribute("aria-pressed", on);
  }

  function walk(root) {
    touchUp(root);
    root.querySelectorAll("*").forEach(function (el) {
      if (el.shadowRoot) {
        watch(el.shadowRoot);
        walk(el.shadowRoot);
      }
    });
  }

  function watch(root) {
    if (watched.has(root)) return;
    watched.add(root);
    new MutationObserver(schedule).observe(root, {childList: true, subtree: true});
  }

  function schedule() {
    if (timer === null) {
      timer = setTimeout(function () { timer = null; walk(document); }, 150);
    }
  }

  walk(document);
  watch(document.body);
})();
