"""JupyterLab for the UI tests: galata's test settings, run as root on CI machines."""

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 - `c` is the config object Jupyter passes in
c.ServerApp.allow_root = True  # noqa: F821
c.LabApp.news_url = None  # noqa: F821 - no network: no news fetches
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"  # noqa: F821
