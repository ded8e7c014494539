"""The λ sweep's view and state without a browser: it opens lazily, runs a slice per tick to
the same points as the core's ``sweep``, Cancel stops it, a changed setting stops it, the
grid box and the link read grids strictly."""

import asyncio
import html
import math
import subprocess
import sys

import panel as pn
import pytest
from bokeh.models import Span

from layerlab.config import TrainConfig
from layerlab.sweep import default_grid, sweep, to_csv
from layerlab.ui.app import LayerLab, create_app_from_link
from layerlab.ui.state import LabState
from layerlab.ui.sweep_view import ticks, zero_place
from layerlab.ui.urlstate import parse_query
from layerlab.ui.viewstate import ViewState

LINK = "?view=sweep&sweep=0,0.3,3&n_points=60&hidden_layers=4,3&iterations=40&learning_rate=0.1"


class Page:
    """The sweep view's parts, found as a visitor finds them: by their CSS classes."""

    def __init__(self, lab: LayerLab) -> None:
        layout = lab.__panel__()

        def one(kind, css_class: str):
            return next(obj for obj in layout.select(kind) if css_class in obj.css_classes)

        self.grid = one(pn.widgets.TextInput, "ll-sweep-grid")
        self.start = one(pn.widgets.Button, "ll-sweep-run")
        self.cancel = one(pn.widgets.Button, "ll-sweep-cancel")
        self.download = one(pn.widgets.FileDownload, "ll-sweep-csv")
        self.message = one(pn.pane.HTML, "ll-sweep-msg")
        self.table = one(pn.pane.HTML, "ll-sweep-table-pane")
        figures = [pane.object for pane in layout.select(pn.pane.Bokeh)]
        self.figure = next(fig for fig in figures if fig.select_one({"name": "sweep_source"}))
        self.source = self.figure.select_one({"name": "sweep_source"})


def opened(link: str = LINK) -> tuple[LayerLab, Page]:
    lab = create_app_from_link(link)
    return lab, Page(lab)


def finish(lab: LayerLab) -> None:
    async def ticks_until_idle() -> None:
        while lab.state.busy:
            await lab.tick()

    asyncio.run(ticks_until_idle())


def expected(state: LabState, grid) -> list:
    """The core's sweep of the page's data and settings: the oracle."""
    data = state.session.data
    config = TrainConfig.from_settings(
        {name: getattr(state, name) for name in state.settings()}, iterations=state.iterations
    )
    assert config.learning_rate == 0.1
    assert config.seed == state.weight_seed
    return sweep(
        data.X_train,
        data.Y_train,
        state.session.layer_dims,
        grid,
        X_test=data.X_test,
        Y_test=data.Y_test,
        config=config,
    )


def test_the_view_is_imported_when_first_opened():
    code = (
        "import sys\n"
        "from layerlab.ui.app import create_app_from_link\n"
        "lab = create_app_from_link('')\n"
        "print('layerlab.ui.sweep_view' in sys.modules, 'layerlab.ui.sweep_run' in sys.modules)\n"
        "lab.views.sweep = True\n"
        "print('layerlab.ui.sweep_view' in sys.modules, lab.state.sweep is not None)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False", "True", "True"]


def test_a_sweep_runs_a_slice_per_tick_to_the_core_sweeps_points():
    lab, view = opened()
    state, run = lab.state, lab.state.sweep
    assert view.grid.value == "0, 0.3, 3"
    view.start.clicks += 1
    assert run.running
    assert state.busy
    seen = []
    while state.busy:
        state.tick(budget_s=0.0)  # one unit of work per tick
        seen.append(len(run.points))
    assert seen == sorted(seen)
    assert len(seen) > 3 * 2  # many ticks, points one by one
    points = expected(state, [0, 0.3, 3])
    assert run.points == points  # float64, bit for bit
    assert len({point.test_cost for point in points}) == 3
    assert "Done: 3 values of λ" in run.status
    assert not run.running
    assert view.cancel.disabled
    data = view.source.data
    assert list(data["lambd"]) == [0, 0.3, 3]
    assert list(data["x"]) == [zero_place([0, 0.3, 3]), 0.3, 3]  # λ = 0 a decade left
    assert list(data["test_cost"]) == [point.test_cost for point in points]
    assert view.download.callback().read().decode() == to_csv(points)
    for point in points:
        assert f'data-v="{point.test_cost!r}"' in view.table.object
    assert state.session.iteration == 0  # the page's own run is untouched


def test_the_page_ticks_while_a_sweep_runs():
    lab, view = opened()
    view.start.clicks += 1
    finish(lab)
    assert len(lab.state.sweep.points) == 3
    assert not lab.state.busy


def test_cancel_stops_between_units_and_keeps_the_points():
    lab, view = opened()
    state, run = lab.state, lab.state.sweep
    view.start.clicks += 1
    while not run.points:
        state.tick(budget_s=0.0)
    assert not view.cancel.disabled
    view.cancel.clicks += 1
    assert not run.running
    assert not state.busy
    assert len(run.points) == 1
    assert "Cancelled: the sweep stopped after 1 of 3" in run.status
    assert run.csv().count("\n") == 2  # the header and the point
    state.tick(budget_s=0.0)
    assert len(run.points) == 1


@pytest.mark.parametrize(
    ("change", "stops"),
    [
        ({"learning_rate": 0.2}, "Learning rate changed"),
        ({"n_points": 80}, "changed"),
        ({"features": ["x1", "x2", "x1x2"]}, "changed"),
        ({"lambd": 0.5}, None),  # λ is what the sweep varies
        ({"steps_per_tick": 5}, None),
    ],
    ids=["learning-rate", "data", "features", "lambda", "speed"],
)
def test_a_changed_setting_stops_a_sweep_that_depends_on_it(change, stops):
    lab, view = opened()
    state, run = lab.state, lab.state.sweep
    view.start.clicks += 1
    state.tick(budget_s=0.0)
    state.apply(**change)
    if stops is None:
        assert run.running
        finish(lab)
        assert len(run.points) == 3
    else:
        assert not run.running
        assert stops in run.status
        assert "Run sweep again" in run.status
        assert run.status_level == "warning"


def test_reset_and_play_do_not_stop_a_sweep_and_share_the_ticks():
    lab, view = opened()
    state, run = lab.state, lab.state.sweep
    view.start.clicks += 1
    state.reset()  # same data, same settings
    state.play()
    state.tick(budget_s=0.0)  # a unit each
    assert run.running
    assert state.session.iteration > 0
    finish(lab)
    assert run.points == expected(state, [0, 0.3, 3])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0, -1", "below 0"),
        ("abc", "'abc', which is not a number"),
        ("", "empty"),
        ("0, 99", "above the maximum 10"),
        (",".join(str(i / 10) for i in range(21)), "at most 20"),
        ("<script>alert(1)</script>", "not a number"),
    ],
    ids=["negative", "word", "empty", "above", "too-many", "script"],
)
def test_a_bad_grid_in_the_box_is_said_and_changes_nothing(text, words):
    lab, view = opened()
    before = (list(lab.views.sweep_grid), lab.address.query())
    view.grid.value = text
    shown = view.message.object
    assert words in html.unescape(shown)
    assert "kept 0, 0.3, 3" in html.unescape(shown)
    assert "<script>" not in shown
    assert (list(lab.views.sweep_grid), lab.address.query()) == before
    view.start.clicks += 1  # the bad text stays in the box: nothing starts
    assert not lab.state.sweep.running
    view.grid.value = "1, 0.1,0.1"
    assert view.message.object == ""
    assert lab.views.sweep_grid == [0.1, 1]
    assert "sweep=0.1,1" in lab.address.query()


def test_the_link_carries_the_grid_and_reopens_the_view():
    lab, _ = opened()
    query = lab.address.query()
    assert "view=sweep" in query
    assert "sweep=0,0.3,3" in query
    parsed = parse_query(query)
    assert parsed.sweep == (0, 0.3, 3)
    assert "sweep" in parsed.views
    assert not parsed.notices
    closed = create_app_from_link("")
    assert "sweep=" not in closed.address.query()  # default grid, view closed: not written
    closed.views.sweep_grid = [0.0, 1.0]
    assert "sweep=0,1" in closed.address.query()  # an edited grid travels


@pytest.mark.parametrize(
    "query",
    ["?sweep=-1", "?sweep=abc", "?sweep=", "?sweep=1e999", "?sweep=11", "?sweep=<b>x</b>"],
)
def test_a_bad_grid_link_gets_a_notice_and_the_default_grid(query):
    lab = create_app_from_link(query + "&view=sweep")
    assert lab.views.sweep_grid == default_grid()
    notices = parse_query(query).notices
    assert len(notices) == 1
    assert notices[0].startswith("sweep= in the link: the λ grid")
    assert "Kept the default grid" in notices[0]
    assert "<" not in notices[0]


def test_the_axis_draws_zero_a_decade_left_with_its_own_tick():
    assert zero_place([0, 0.001, 10]) == pytest.approx(1e-4)
    assert zero_place([0]) == pytest.approx(0.1)
    assert ticks([0, 0.001, 0.003, 10]) == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1, 10])
    assert ticks([0, 0.5]) == pytest.approx([0.05, 0.1, 1])
    lab, view = opened()
    view.start.clicks += 1
    finish(lab)
    axis = view.figure.xaxis[0]
    assert axis.ticker.ticks == pytest.approx([0.03, 0.1, 1, 10])
    assert axis.formatter.args["zero"] == pytest.approx(0.03)
    (span,) = view.figure.select({"type": Span})
    assert span.location == pytest.approx(0.03 * math.sqrt(10))


def test_view_state_writes_the_grid_only_when_it_matters():
    views = ViewState()
    assert views.link_grid() is None
    views.sweep = True
    assert views.link_grid() == default_grid()


def test_optional_views_open_again():
    lab = create_app_from_link("")
    for name in ("steps", "sweep"):
        setattr(lab.views, name, True)
        setattr(lab.views, name, False)
        setattr(lab.views, name, True)  # the walk restarts; the sweep is as it was
    assert lab.state.sweep is not None
