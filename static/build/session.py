"""The session build.py traces to decide what the fast site ships (see ``trace.py``).

It uses every feature of the app once, through the app's own verbs, so that every module
and data file a visitor can need is imported or opened while the build watches. What it
leaves out still works in the browser (it comes from the second pack), but costs that
visitor a second download: when the app gains a feature, add a line here.
"""

from contextlib import suppress

import panel as pn
from bokeh.document import Document

from layerlab.datasets import DATASETS
from layerlab.initializers import INITIALIZERS
from layerlab.optimizers import OPTIMIZERS
from layerlab.ui import create_app_from_link, page_scripts
from layerlab.ui.model_io import params_file, script_file, use_params_file
from layerlab.ui.points import add_point, remove_point
from layerlab.ui.presets import PRESETS
from layerlab.ui.upload import use_csv

LINK = (
    "?dataset=circles&hidden_layers=4,4&lambd=0.05&keep_prob=0.9&batch_size=16&hide=presets"
    "&changes=lambd@2:0.1,learning_rate@3:0.02&pin=3;lambd:0.3&pin=x#junk"
)
# Three features and text labels, with a byte-order mark (as spreadsheets save it).
CSV = "\ufeffa,b,c,label\n" + "".join(
    f"{i % 7},{(i * 3) % 5}.5,{i % 2},{'yes' if i % 3 else 'no'}\n" for i in range(40)
)
BAD_CSV = "a,b,label\n1,2,0\n3,x,1\n"


def widget(lab, kind, css_class: str):
    """The page's widget of ``kind`` with ``css_class``."""
    return next(w for w in lab.__panel__().select(kind) if css_class in w.css_classes)


async def sweep_lambda(lab) -> None:
    """The λ sweep: open it, a grid, a sweep cancelled by a change, one to the end, a bad
    grid, the CSV."""
    state = lab.state
    lab.views.sweep = True  # imports and builds the λ sweep's view
    state.apply(iterations=3)
    widget(lab, pn.widgets.TextInput, "ll-sweep-grid").value = "0, 1"
    run = widget(lab, pn.widgets.Button, "ll-sweep-run")
    run.clicks += 1
    state.apply(learning_rate=0.02)  # cancels it
    run.clicks += 1
    while state.busy:
        await lab.tick()
    widget(lab, pn.widgets.TextInput, "ll-sweep-grid").value = "0, -1"  # said, not used
    widget(lab, pn.widgets.FileDownload, "ll-sweep-csv").callback()


async def run() -> None:
    """Every feature once, on an app built from a link with settings and shown."""
    lab = create_app_from_link(LINK)
    pn.panel(lab).get_root(pn.state.curdoc)  # the views follow the state from now on
    state = lab.state
    page_scripts.install(Document())  # reads the page scripts
    lab.plots.use_scheme("dark")
    lab.views.discrete = True
    lab.views.steps = True  # imports and builds the step-through view
    while lab.pins.busy:  # the link's pinned run, replayed
        await lab.tick()
    state.step()
    lab.pin_view.pin_button.clicks += 1  # compare runs: pin, change λ, run, unpin
    state.apply(lambd=0.7)
    state.reset()
    state.step()
    lab.pin_view.rows[0].objects[-1].clicks += 1
    lab.pin_view.unpin_all.clicks += 1
    state.session.set_weight(1, 0, 0, 0.5)
    state.apply_text("data_seed", "1e3")
    state.apply_text("data_seed", "abc")
    for name in PRESETS:
        state.apply_preset(name)
    for dataset in DATASETS:
        state.apply(dataset=dataset)
        state.step()
    for optimizer in OPTIMIZERS:
        state.apply(optimizer=optimizer, init=list(INITIALIZERS)[len(optimizer) % 4])
        state.play()
        await lab.tick()
        state.pause()
    state.add_layer()
    state.widen(0)
    state.apply(lambd=0.2)  # a change during the run
    add_point(state, 0.5, 0.5, 1)
    remove_point(state, 0.5, 0.5)
    state.run_gradient_check()
    for kind in ("npz", "json"):
        use_params_file(state, params_file(state, kind), f"weights.{kind}")
    script_file(state)
    state.apply(features=["x1", "x2", "x1sq", "x1x2", "sinx1"])  # the network's inputs
    state.step()
    script_file(state)  # copies layerlab/features.py's source
    state.apply(features=["x1", "x2"])
    for csv in (BAD_CSV, CSV):
        with suppress(ValueError):  # the bad one: its message is the feature
            use_csv(state, csv.encode("utf-8"), "data.csv", label_map={"no": 0, "yes": 1})
    state.step()  # the evaluation view of data with more than two features
    use_params_file(state, params_file(state, "json"), "weights.json", switch_architecture=True)
    script_file(state)
    state.use_generated()
    state.reset()
    await sweep_lambda(lab)
