"""Entry script for `panel serve app/main.py` and `panel convert`: it only builds the page.

The page's link is the experiment: its query sets the starting settings (see
``layerlab.ui.urlstate``). Panel's own query parser is replaced first (a crafted link can
crash it).
"""

import panel as pn

from layerlab.ui import create_app_from_link
from layerlab.ui.share import install_plain_query, startup_query
from layerlab.ui.theme import COMPONENTS_CSS

install_plain_query()
# No IDE tab-completion signatures (no use to a page); our stylesheet in every component.
pn.extension(apply_signatures=False, css_files=[COMPONENTS_CSS])
create_app_from_link(startup_query()).servable(title="Layer Lab")
