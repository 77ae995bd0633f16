"""Entry point: ``streamlit run dashboard/app.py [-- --data PATH --boundaries PATH]``.

Sets the page up, loads the session's data, draws the one sidebar filter and runs
the chosen page. Everything else lives in ``dashboard/ui`` and ``dashboard/views``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on it
    sys.path.insert(0, str(ROOT))

from dashboard.i18n import message_of, said  # noqa: E402  (needs the path above)
from dashboard.readers import LoadError  # noqa: E402
from dashboard.ui import data as ui_data  # noqa: E402
from dashboard.ui.language import _, choose, current, language_menu  # noqa: E402
from dashboard.ui.page import set_context  # noqa: E402
from dashboard.ui.state import sidebar  # noqa: E402
from dashboard.ui.text import escape_md  # noqa: E402

PAGES = Path(__file__).resolve().parent / "views"

choose()
st.set_page_config(page_title=_("Border security events"), page_icon="🛰️",
                   layout="wide")

try:
    data = ui_data.active()
except (LoadError, ValueError, OSError) as err:
    error = err.said(current()) if isinstance(err, LoadError) else said(message_of(err),
                                                                         current())
    st.error(_("Could not open the data file: {error}. Showing the bundled dataset "
               "instead.").format(error=escape_md(error)))
    ui_data.install("bundled", ui_data.load_bundled(), ui_data.BUNDLED_LABEL)
    data = ui_data.active()

language_menu()
filters = sidebar(data)
set_context(data, filters)

page = st.navigation(
    [
        st.Page(PAGES / "overview.py", title=_("Overview"), icon=":material/map:", default=True),
        st.Page(PAGES / "articles.py", title=_("Articles"), icon=":material/newspaper:"),
        st.Page(PAGES / "events.py", title=_("Events"), icon=":material/table_rows:"),
        st.Page(PAGES / "data.py", title=_("Data"), icon=":material/upload_file:"),
        st.Page(PAGES / "about.py", title=_("About"), icon=":material/info:"),
    ]
)
page.run()
