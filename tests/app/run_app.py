"""AppTest entry: runs dashboard/app.py from a folder with no ``pages/`` beside it.

AppTest (streamlit 1.67) rebuilds its PagesManager on every run; with a ``pages/``
folder next to the script it treats later runs as a v1 multipage app and runs the
page file alone, skipping the sidebar in app.py. A real server does not do this.
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py"),
               run_name="__main__")
