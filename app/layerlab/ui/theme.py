"""The lab's look: colors and the stylesheets handed to Panel components.

Everything is inline (no fonts or CSS fetched from anywhere): the site makes no external
requests. Panel renders each component in its own shadow root, so HTML panes get
``CONTENT_CSS`` themselves (one stylesheet model per document, shared by reference: see
``binding.html_pane``) and layouts get ``PAGE_CSS``.
"""

# Served beside the page (build.py copies static/components.css there; under ``panel serve``
# pass ``--static-dirs assets=static``): colors, focus ring and touch targets for every
# component's shadow root.
COMPONENTS_CSS = "assets/components.css"

INK = "#1d2433"
MUTED = "#5b6275"
ACCENT = "#2a78b5"
PAGE_BG = "#f3f4f7"
BORDER = "#e1e4ea"
TRAIN_TEXT = "#1f6aa5"  # the train and test colors as text: 4.5:1 on the readout's grey
TEST_TEXT = "#a3500f"

PAGE_CSS = f"""
:host {{
  --ll-ink: {INK};
  --ll-muted: {MUTED};
  --ll-accent: {ACCENT};
  --ll-border: {BORDER};
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ll-ink, {INK});
}}
:host(.ll-page) {{
  background: var(--ll-page, {PAGE_BG}); min-height: 100vh; min-width: 0 !important;
}}
:host(.ll-panel) {{ min-width: 0 !important; }}
:host(.ll-panel) {{
  background: var(--ll-surface, #fff);
  border: 1px solid var(--ll-border, {BORDER});
  border-radius: 10px;
  box-shadow: 0 1px 2px rgba(29, 36, 51, 0.05);
}}
"""

# Inside each wrapping box (``app._flex``): who goes where as the screen narrows. Below
# 1024 px the controls move under the views; below 720 px everything is one column.
LAYOUT_CSS = """
:host { gap: 12px; align-items: flex-start; }
:host(.ll-body) { padding: 0 16px 24px; box-sizing: border-box; }
:host(.ll-header-row) { padding: 12px 16px 8px; box-sizing: border-box; align-items: center; }
.ll-title { flex: 1 1 320px; }
.ll-main { order: 2; flex: 1 1 560px; min-width: 0; }
.ll-sidebar { order: 1; flex: 0 0 320px; width: 320px; min-width: 0; }
:host(.ll-sidebar) { align-items: stretch; }
:host(.ll-sidebar) > * { flex: 1 1 100%; min-width: 0; }
.ll-predictions { flex: 0 1 470px; min-width: 0; }
.ll-curves { flex: 1 1 320px; min-width: 0; }
.ll-diagram { flex: 1 1 300px; min-width: 0 !important; }
.ll-unit-side { flex: 0 1 240px; min-width: 0 !important; }
@media (max-width: 1023px) {
  .ll-main { order: 1; flex-basis: 100%; }
  .ll-sidebar { order: 2; flex: 1 1 100%; width: auto; }
  :host(.ll-sidebar) > * { flex: 1 1 300px; min-width: 0; }
}
@media (max-width: 719px) {
  :host(.ll-body) { padding: 0 8px 16px; }
  :host(.ll-header-row) { padding: 8px; }
  .ll-predictions, .ll-curves { flex: 1 1 100%; }
}
"""

CARD_CSS = f"""
:host {{
  background: var(--ll-surface, #fff);
  border: 1px solid var(--ll-border, {BORDER}) !important;
  border-radius: 10px !important;
  box-shadow: 0 1px 2px rgba(29, 36, 51, 0.05);
}}
.card-header {{ background: var(--ll-surface, #fff) !important; border-radius: 10px 10px 0 0; }}
.card-title {{ font-weight: 600; font-size: 14px; color: var(--ll-ink, {INK}); }}
"""

CONTENT_CSS = f"""
:host {{
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ll-ink, {INK});
}}
.ll-header h1 {{ margin: 0; font-size: 22px; letter-spacing: -0.01em; }}
.ll-header p {{ margin: 2px 0 0; color: var(--ll-muted, {MUTED}); font-size: 13px; }}
.ll-msg-text {{
  color: var(--ll-error-ink, #a8221b); background: var(--ll-error-bg, #fdecea); border-radius: 6px;
  padding: 4px 8px; font-size: 12px; line-height: 1.35;
}}
.ll-hint {{ color: var(--ll-muted, {MUTED}); font-size: 12px; line-height: 1.4; }}
.ll-arch {{ font-size: 13px; color: var(--ll-ink, {INK}); }}
.ll-toggles-title {{ font-size: 13px; color: var(--ll-ink, {INK}); }}
.ll-arch b {{ font-variant-numeric: tabular-nums; }}
.ll-status {{ font-size: 13px; padding: 6px 10px; border-radius: 6px; line-height: 1.4; }}
.ll-status.info {{ background: var(--ll-info-bg, #eef4fb); color: var(--ll-info-ink, #1f4e79); }}
.ll-status.success {{
  background: var(--ll-success-bg, #e8f5ec);
  color: var(--ll-success-ink, #1d6b35);
}}
.ll-status.warning {{
  background: var(--ll-warning-bg, #fff5e0);
  color: var(--ll-warning-ink, #6e4600);
}}
.ll-status.error {{ background: var(--ll-error-bg, #fdecea); color: var(--ll-error-ink, #a8221b); }}
.ll-readout {{ display: flex; gap: 10px; flex-wrap: wrap; }}
.ll-stat {{
  flex: 1 1 100px; background: var(--ll-soft, #f7f8fa); border-radius: 8px; padding: 6px 10px;
  border: 1px solid var(--ll-border, {BORDER});
}}
.ll-stat .k {{
  font-size: 11px;
  color: var(--ll-muted, {MUTED});
  text-transform: uppercase;
  letter-spacing: .04em;
}}
.ll-stat .v {{ font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }}
.ll-stat .v.train {{ color: var(--ll-train, {TRAIN_TEXT}); }}
.ll-stat .v.test {{ color: var(--ll-test, {TEST_TEXT}); }}
.ll-table-scroll {{ overflow-x: auto; }}
td.ll-dead {{ color: var(--ll-error-ink, #a8221b); font-weight: 600; }}
table.ll-shapes {{ border-collapse: collapse; width: 100%; font-size: 12.5px; }}
table.ll-shapes th {{
  text-align: left;
  font-weight: 600;
  color: var(--ll-muted, {MUTED});
  border-bottom: 1px solid var(--ll-border, {BORDER});
  padding: 4px 8px; white-space: nowrap;
}}
table.ll-shapes td {{
  padding: 4px 8px; border-bottom: 1px solid var(--ll-soft, #f0f1f4); white-space: nowrap;
  font-variant-numeric: tabular-nums;
}}
table.ll-shapes td.shape {{ font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }}
table.ll-shapes tfoot td {{ font-weight: 600; border-bottom: none; }}
.ll-bar {{
  display: inline-block; height: 8px; border-radius: 4px; background: {ACCENT};
  vertical-align: middle; margin-right: 6px; opacity: .75;
}}
.ll-bar.grad {{ background: #c8641c; }}
.ll-badge {{
  display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 600;
  font-size: 12px; margin-right: 8px;
}}
.ll-badge.pass {{
  background: var(--ll-success-bg, #e8f5ec);
  color: var(--ll-success-ink, #1d6b35);
}}
.ll-badge.borderline {{
  background: var(--ll-warning-bg, #fff5e0);
  color: var(--ll-warning-ink, #6e4600);
}}
.ll-badge.fail {{ background: var(--ll-error-bg, #fdecea); color: var(--ll-error-ink, #a8221b); }}
.ll-badge.skipped {{ background: var(--ll-soft, #eef0f4); color: var(--ll-muted, {MUTED}); }}
.ll-layer-label {{
  font-size: 13px;
  color: var(--ll-ink, {INK});
  font-variant-numeric: tabular-nums;
}}
.ll-layer-label span {{ color: var(--ll-muted, {MUTED}); }}
.ll-equation {{
  font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px;
  background: var(--ll-soft, #f7f8fa); border-radius: 6px; padding: 6px 10px;
}}
.ll-legend {{ font-size: 12px; color: var(--ll-muted, {MUTED}); }}
.ll-notice {{
  background: var(--ll-warning-bg, #fff5e0); color: var(--ll-warning-ink, #6e4600);
  border-radius: 8px; padding: 8px 12px;
  font-size: 13px; line-height: 1.4;
}}
.ll-notice ul {{ margin: 4px 0 0; padding-left: 18px; }}
.ll-ok-text {{
  color: var(--ll-success-ink, #1d6b35); background: var(--ll-success-bg, #e8f5ec);
  border-radius: 6px;
  padding: 4px 8px; font-size: 12px; line-height: 1.35;
}}
"""
