"""The app with its first tab alone (build_app(tabs=TABS[:1]), served as the app is): benchmarks/page_load.py loads
it beside the app and the floor page in the same run, so a page load splits into what gradio and plotly.js take
(the floor), what the first tab adds, and what the other tabs add: the page mounts none of their components until
a tab is opened (widgets/lazy_tabs.py), but their API copies and events are in the config it reads.

    .venv/bin/python benchmarks/page_first_tab_app.py PORT
"""

from __future__ import annotations

import sys

from diffusion_core.app.layout import TABS, build_app, serve

if __name__ == "__main__":
    serve(build_app(tabs=TABS[:1]), "127.0.0.1", int(sys.argv[1]))
