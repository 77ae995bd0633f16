"""The session's interface language: from ``lang=`` in the URL, the sidebar's choice, or
the browser's language, kept across pages like the filter.

``choose()`` runs first in every app run (before any word is drawn); pages and the other
ui modules then call ``_()`` / ``ngettext()`` / ``current()``. A language taken from the
URL or the menu is written back into the URL after a page switch drops it; one taken
from the browser stays out of the URL, so a shared link does not impose it.
"""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import DEFAULT_LANG, LANGUAGES, Translator, resolve_lang, translator
from dashboard.ui.text import escape_md

LANG_KEY = "lang"
WIDGET_KEY = "lang_choice"
_LANG = "_lang"  # the language shown
_URL_SEEN = "_lang_url_seen"  # the URL's lang= value the language was last taken from
_EXPLICIT = "_lang_explicit"  # chosen in the URL or the menu (then kept in the URL)
_NOTICE = "_lang_notice"


def _browser_language() -> str | None:
    """``navigator.language`` as Streamlit reports it, or the request's Accept-Language."""
    try:
        return st.context.locale or st.context.headers.get("Accept-Language")
    except (AttributeError, RuntimeError, KeyError):  # no browser behind this run (tests)
        return None


def choose() -> Translator:
    """Settle this run's language; call before anything is drawn."""
    in_url = st.query_params.get(LANG_KEY)
    changed = in_url is not None and in_url != st.session_state.get(_URL_SEEN)
    if _LANG not in st.session_state or changed:
        lang, notice = resolve_lang(in_url, _browser_language())
        st.session_state[_LANG] = lang
        st.session_state[_NOTICE] = notice
        st.session_state[_URL_SEEN] = in_url
        st.session_state[_EXPLICIT] = in_url is not None and notice is None
    elif in_url is None and st.session_state.get(_EXPLICIT):
        st.query_params[LANG_KEY] = st.session_state[_LANG]  # a page switch dropped it
        st.session_state[_URL_SEEN] = st.session_state[_LANG]
    return current()


def current() -> Translator:
    """This session's translator (English before ``choose`` ran)."""
    return translator(st.session_state.get(_LANG, DEFAULT_LANG))


def _(message: str) -> str:
    """``message`` in the session's language."""
    return current().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The plural form for ``count`` in the session's language."""
    return current().ngettext(singular, plural, count)


def link_query() -> dict[str, str]:
    """``{"lang": …}`` when the language was chosen (URL or menu), for links to keep it."""
    return {LANG_KEY: st.session_state[_LANG]} if st.session_state.get(_EXPLICIT) else {}


def _chosen() -> None:
    lang = st.session_state[WIDGET_KEY]
    st.session_state[_LANG] = lang
    st.session_state[_NOTICE] = None
    st.session_state[_EXPLICIT] = True
    st.session_state[_URL_SEEN] = lang
    st.query_params[LANG_KEY] = lang


def language_menu() -> None:
    """The sidebar's language menu, each language named in itself."""
    st.session_state[WIDGET_KEY] = current().lang  # the URL (Back button) may have changed it
    st.sidebar.selectbox(_("Language"), list(LANGUAGES),
                         key=WIDGET_KEY, format_func=LANGUAGES.__getitem__,
                         on_change=_chosen)


def show_notice() -> None:
    """The notice about an unknown ``lang=`` value, while the URL still holds it."""
    notice = st.session_state.get(_NOTICE)
    if notice and st.query_params.get(LANG_KEY) == st.session_state.get(_URL_SEEN):
        st.warning(escape_md(notice), icon=":material/translate:")
