"""Which optional views are open; a link carries them (``view=discrete,steps``). No Panel."""

import param

from layerlab.ui.urlstate import VIEWS


class ViewState(param.Parameterized):
    """The page's optional views, one switch each (named as in ``urlstate.VIEWS``)."""

    discrete = param.Boolean(default=False, doc="The decision map as two classes (P > 0.5).")
    steps = param.Boolean(default=False, doc="One iteration, walked step by step.")

    def open_views(self) -> list[str]:
        """The names of the open views, in link order."""
        return [name for name in VIEWS if getattr(self, name)]
