"""The lab's look: colors and the stylesheets handed to Panel components.

Everything is inline (no fonts or CSS fetched from anywhere): the site makes no external
requests. Panel renders each component in its own shadow root, so HTML panes get
``CONTENT_CSS`` themselves (one stylesheet model per document, shared by reference: see
``binding.html_pane``) and layouts get ``PAGE_CSS``.
"""

INK = "#1d2433"
MUTED = "#5b6275"
ACCENT = "#2a78b5"
PAGE_BG = "#f3f4f7"
BORDER = "#e1e4ea"

PAGE_CSS = f"""
:host {{
  --ll-ink: {INK};
  --ll-muted: {MUTED};
  --ll-accent: {ACCENT};
  --ll-border: {BORDER};
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: {INK};
}}
:host(.ll-page) {{ background: {PAGE_BG}; min-height: 100vh; }}
:host(.ll-panel) {{
  background: #fff;
  border: 1px solid {BORDER};
  border-radius: 10px;
  box-shadow: 0 1px 2px rgba(29, 36, 51, 0.05);
}}
"""

CARD_CSS = f"""
:host {{
  background: #fff;
  border: 1px solid {BORDER} !important;
  border-radius: 10px !important;
  box-shadow: 0 1px 2px rgba(29, 36, 51, 0.05);
}}
.card-header {{ background: #fff !important; border-radius: 10px 10px 0 0; }}
.card-title {{ font-weight: 600; font-size: 14px; color: {INK}; }}
"""

CONTENT_CSS = f"""
:host {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: {INK}; }}
.ll-header h1 {{ margin: 0; font-size: 22px; letter-spacing: -0.01em; }}
.ll-header p {{ margin: 2px 0 0; color: {MUTED}; font-size: 13px; }}
.ll-msg-text {{
  color: #b3261e; background: #fdecea; border-radius: 6px;
  padding: 4px 8px; font-size: 12px; line-height: 1.35;
}}
.ll-hint {{ color: {MUTED}; font-size: 12px; line-height: 1.4; }}
.ll-arch {{ font-size: 13px; color: {INK}; }}
.ll-arch b {{ font-variant-numeric: tabular-nums; }}
.ll-status {{ font-size: 13px; padding: 6px 10px; border-radius: 6px; line-height: 1.4; }}
.ll-status.info {{ background: #eef4fb; color: #1f4e79; }}
.ll-status.success {{ background: #e8f5ec; color: #1d6b35; }}
.ll-status.warning {{ background: #fff5e0; color: #7a4d00; }}
.ll-status.error {{ background: #fdecea; color: #b3261e; }}
.ll-readout {{ display: flex; gap: 10px; flex-wrap: wrap; }}
.ll-stat {{
  flex: 1 1 100px; background: #f7f8fa; border-radius: 8px; padding: 6px 10px;
  border: 1px solid {BORDER};
}}
.ll-stat .k {{ font-size: 11px; color: {MUTED}; text-transform: uppercase; letter-spacing: .04em; }}
.ll-stat .v {{ font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }}
.ll-stat .v.train {{ color: {ACCENT}; }}
.ll-stat .v.test {{ color: #c8641c; }}
table.ll-shapes {{ border-collapse: collapse; width: 100%; font-size: 12.5px; }}
table.ll-shapes th {{
  text-align: left; font-weight: 600; color: {MUTED}; border-bottom: 1px solid {BORDER};
  padding: 4px 8px; white-space: nowrap;
}}
table.ll-shapes td {{
  padding: 4px 8px; border-bottom: 1px solid #f0f1f4; white-space: nowrap;
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
.ll-badge.pass {{ background: #e8f5ec; color: #1d6b35; }}
.ll-badge.borderline {{ background: #fff5e0; color: #7a4d00; }}
.ll-badge.fail {{ background: #fdecea; color: #b3261e; }}
.ll-badge.skipped {{ background: #eef0f4; color: {MUTED}; }}
.ll-layer-label {{ font-size: 13px; color: {INK}; font-variant-numeric: tabular-nums; }}
.ll-layer-label span {{ color: {MUTED}; }}
.ll-legend {{ font-size: 12px; color: {MUTED}; }}
.ll-notice {{
  background: #fff5e0; color: #7a4d00; border-radius: 8px; padding: 8px 12px;
  font-size: 13px; line-height: 1.4;
}}
.ll-notice ul {{ margin: 4px 0 0; padding-left: 18px; }}
.ll-ok-text {{
  color: #1d6b35; background: #e8f5ec; border-radius: 6px;
  padding: 4px 8px; font-size: 12px; line-height: 1.35;
}}
"""
