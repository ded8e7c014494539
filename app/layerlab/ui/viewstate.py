"""Which optional views are open, and the λ sweep's grid; a link carries them
(``view=discrete,steps,sweep&sweep=0,0.1,1``). No Panel."""

import param

from layerlab.sweep import default_grid
from layerlab.ui.urlstate import VIEWS


class ViewState(param.Parameterized):
    """The page's optional views, one switch each (named as in ``urlstate.VIEWS``)."""

    discrete = param.Boolean(default=False, doc="The decision map as two classes (P > 0.5).")
    steps = param.Boolean(default=False, doc="One iteration, walked step by step.")
    sweep = param.Boolean(default=False, doc="The λ sweep: train at several λ, compare.")
    sweep_grid = param.List(
        default=default_grid(), item_type=float, doc="The λ values the sweep trains at."
    )

    def open_views(self) -> list[str]:
        """The names of the open views, in link order."""
        return [name for name in VIEWS if getattr(self, name)]

    def link_grid(self) -> list[float] | None:
        """The grid a link should carry: when the sweep is open or the grid was edited."""
        if self.sweep or self.sweep_grid != default_grid():
            return list(self.sweep_grid)
        return None
