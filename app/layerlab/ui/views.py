"""Thin Panel views of training progress: transport, readout, shapes table, gradient check.

They read ``LabState`` and call its verbs; they compute nothing themselves.
"""

import math
from html import escape

import panel as pn

from layerlab.ui.binding import Controls, html_pane, watch_progress, wrap_row
from layerlab.ui.numbers import number, percent
from layerlab.ui.speed import speed_words
from layerlab.ui.state import LabState
from layerlab.ui.widgets import setting_control


def transport(state: LabState, controls: Controls) -> pn.Column:
    """Play / Pause, Step, Reset, speed, the progress bar and the status line."""
    play = pn.widgets.Button(label="▶ Play", color="primary", width=110, css_classes=["ll-play"])
    step = pn.widgets.Button(label="Step", width=80)
    reset = pn.widgets.Button(label="Reset", width=80)

    play.on_click(lambda _: state.pause() if state.running else state.play())
    step.on_click(lambda _: state.step())
    reset.on_click(lambda _: state.reset())
    progress = pn.indicators.Progress(
        value=0, max=state.iterations, bar_color="primary", width=160, height=12, margin=(0, 12)
    )
    counter = html_pane(width=190, sizing_mode=None, align="center", css_classes=["ll-counter"])
    status = html_pane(name="status", css_classes=["ll-status-pane", "ll-live"])

    def show_running(*_) -> None:
        play.label = "❚❚ Pause" if state.running else "▶ Play"

    def show_progress(*_) -> None:
        session = state.session
        iteration = session.iteration
        progress.max = state.iterations
        progress.value = min(iteration, state.iterations)
        speed = speed_words(session.iterations_per_second, session.progress)
        counter.object = (
            f'<div class="ll-arch">{session.unit.capitalize()} '
            f'<b class="ll-iteration">{iteration}</b> / {state.iterations}</div>'
            + (f'<div class="ll-speed ll-hint">{speed}</div>' if speed else "")
        )

    def show_status(*_) -> None:
        status.object = f'<div class="ll-status {state.status_level}">{escape(state.status)}</div>'

    state.param.watch(show_running, "running")
    watch_progress(state, show_progress)
    state.param.watch(show_status, ["status", "status_level"])
    show_status()
    return pn.Column(
        wrap_row(
            controls.add("play", pn.Row(play, step, reset, margin=0)),
            controls.add("steps_per_tick", setting_control(state, "steps_per_tick", width=120)),
            wrap_row(progress, counter, sizing_mode=None),
        ),
        status,
        sizing_mode="stretch_width",
        margin=0,
    )


def readout(state: LabState) -> pn.pane.HTML:
    """The current weights' numbers, in elements with stable classes (tests read them).

    The costs are those of the weights now, on all the data without dropout (the train cost
    with its L2 and L1 parts): what the exported script prints at the end of the same run. The cost
    curves show each iteration's cost before its update.
    """
    pane = html_pane(name="readout", css_classes=["ll-readout-pane"])

    def show(*_) -> None:
        session = state.session
        latest, now = session.latest(), session.evaluation()
        stats = [
            ("iteration", session.unit.capitalize(), str(latest["iteration"]), ""),
            ("train-cost", "Train cost", number(now and now.train_cost), "train"),
            ("test-cost", "Test cost", number(now and now.test_cost), "test"),
            ("train-accuracy", "Train accuracy", percent(latest["train_accuracy"]), "train"),
            ("test-accuracy", "Test accuracy", percent(latest["test_accuracy"]), "test"),
        ]
        cells = "".join(
            f'<div class="ll-stat"><div class="k">{label}</div>'
            f'<div class="v {tone} ll-{key}">{value}</div></div>'
            for key, label, value, tone in stats
        )
        pane.object = f'<div class="ll-readout">{cells}</div>'

    watch_progress(state, show)
    return pane


def shapes_table(state: LabState) -> pn.pane.HTML:
    """Per layer: shapes of W, b, Z and A, #params, ‖W‖ and ‖dW‖ with log-scaled bars."""
    pane = html_pane(name="shapes", css_classes=["ll-shapes-pane"])

    def bar(value, kind: str) -> str:
        if value is None:
            return "–"
        width = 0 if value <= 0 else max(2, min(80, 10 * (math.log10(value) + 6)))
        return f'<span class="ll-bar {kind}" style="width:{width:.0f}px"></span>{value:.2e}'

    def dead_cell(row: dict) -> str:
        if row["dead"] is None:
            return "<td>–</td>"
        units = row["Z"][0]
        tone = ' class="ll-dead"' if row["dead"] == units else ""
        return f"<td{tone}>{row['dead']} / {units}</td>"

    def show(*_) -> None:
        rows = state.session.layer_table(state.batch_size)
        m = rows[0]["Z"][1]
        n_x, session = state.session.layer_dims[0], state.session
        inputs = escape(", ".join(session.input_names)) if session.data.planar else ""
        body = [
            f'<tr><td>0 (input)</td><td>{inputs or "–"}</td><td class="shape">–</td>'
            f'<td class="shape">–</td><td class="shape">A⁰ = X ({n_x}, {m})</td><td>–</td>'
            "<td>–</td><td>–</td><td>–</td></tr>"
        ]
        for row in rows:
            l, (n, _) = row["layer"], row["Z"]
            body.append(
                f"<tr><td>{l}</td><td>{row['activation']}</td>"
                f'<td class="shape">W{l} {row["W"]}</td><td class="shape">b{l} {row["b"]}</td>'
                f'<td class="shape">Z{l}, A{l} ({n}, {m})</td><td>{row["params"]:,}</td>'
                f"<td>{bar(row['norm_W'], 'weight')}</td>"
                f"<td>{bar(row['norm_dW'], 'grad')}</td>{dead_cell(row)}</tr>"
            )
        total = sum(row["params"] for row in rows)
        pane.object = (
            '<div class="ll-table-scroll" tabindex="0" role="region" aria-label="Shapes per layer">'
            '<table class="ll-shapes"><thead><tr>'
            "<th>layer</th><th>g</th><th>W</th><th>b</th>"
            "<th>Z, A</th><th>#params</th><th>‖W‖<sub>F</sub></th><th>‖dW‖<sub>F</sub></th>"
            '<th title="ReLU units no training example switches on (other units do not die)">'
            "dead</th>"
            f"</tr></thead><tbody>{''.join(body)}</tbody><tfoot><tr><td colspan=5>m = {m} "
            f"examples per update</td><td>{total:,}</td><td colspan=3></td></tr></tfoot>"
            "</table></div>"
        )

    watch_progress(state, show)
    return pane


def gradient_check_panel(state: LabState, controls: Controls) -> pn.Row:
    """A button that runs the core's gradient check, and its pass/fail badge."""
    button = pn.widgets.Button(label="Check gradients", width=150)
    button.on_click(lambda _: state.run_gradient_check())
    result = html_pane(name="gradcheck", css_classes=["ll-gradcheck"], align="center")

    def show(*_) -> None:
        check = state.gradcheck
        if check is None:
            result.object = (
                '<span class="ll-hint">Compares backprop with finite differences '
                "(relative difference: below 1e-6 passes, above 1e-3 fails).</span>"
            )
            return
        verdict = check["verdict"]
        detail = f"difference {check['difference']:.2e}, " if "difference" in check else ""
        result.object = (
            f'<span class="ll-badge {verdict}">{verdict}</span>'
            f'<span class="ll-hint">{escape(detail + check["note"])}</span>'
        )

    state.param.watch(show, "gradcheck")
    show()
    return controls.add("gradcheck", pn.Row(button, result, sizing_mode="stretch_width"))
