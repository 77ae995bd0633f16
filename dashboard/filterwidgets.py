"""The sidebar's widget state ⇄ ``Filters``, by the registry's ``Widget`` entries.

Widget values live in ``st.session_state`` under each field's ``Widget.key``; these plain
functions turn a filter into those values and back, kind by kind, so the sidebar
(``dashboard/ui/state.py``) draws and the tests check them without Streamlit.
"""

from __future__ import annotations

from typing import Any, Protocol, overload

from dashboard.filterfields import FilterField, Widget
from dashboard.filters import Filters


class State(Protocol):
    """Widget values by key: ``st.session_state``, or a dict in tests."""

    @overload
    def get(self, key: str, /) -> Any: ...
    @overload
    def get(self, key: str, default: Any, /) -> Any: ...


def drawn(kind: type[Filters] = Filters) -> list[tuple[FilterField, Widget]]:
    """The fields with a widget, in the sidebar's order."""
    pairs = [(spec, spec.widget) for spec in kind.FIELDS if spec.widget is not None]
    return sorted(pairs, key=lambda pair: pair[1].rank)


def widget_keys(kind: type[Filters] = Filters) -> list[str]:
    """The session-state keys of the filter's widgets."""
    return [widget.key for _, widget in drawn(kind)]


def end_only_key(widget: Widget) -> str:
    """Where a date range keeps a last day given without a first (a link's ``to`` alone:
    the date widget cannot hold an end without a start)."""
    return f"_{widget.key}_end_only"


def widget_values(filters: Filters) -> dict[str, object]:
    """The session-state values that show ``filters`` in the widgets."""
    values: dict[str, object] = {}
    for spec, widget in drawn(type(filters)):
        value = getattr(filters, spec.field)
        if widget.kind == "multiselect":
            values[widget.key] = list(value)
        elif widget.kind == "select":
            values[widget.key] = value or None
        elif widget.kind == "date_range":
            end = getattr(filters, widget.also[0])
            values[widget.key] = (value, end) if value and end else (value,) if value else ()
            values[end_only_key(widget)] = end if not value else None
        else:  # text, checkbox, toggle, link_only: the value itself
            values[widget.key] = value
    return values


def from_widgets(state: State, kind: type[Filters] = Filters) -> Filters:
    """The filter the widgets' values in ``state`` show (a missing key: the default)."""
    values: dict[str, Any] = {}
    for spec, widget in drawn(kind):
        got = state.get(widget.key)
        if widget.kind == "multiselect":
            values[spec.field] = tuple(got or ())
        elif widget.kind in ("text", "select"):
            values[spec.field] = got or ""
        elif widget.kind in ("checkbox", "toggle"):
            values[spec.field] = bool(state.get(widget.key, spec.default))
        elif widget.kind == "date_range":
            dates = tuple(got or ())
            start = dates[0] if len(dates) >= 1 else None
            end = dates[1] if len(dates) == 2 else state.get(end_only_key(widget))
            if start is not None and end is not None and start > end:
                end = None
            values[spec.field], values[widget.also[0]] = start, end
        else:  # link_only
            values[spec.field] = got
    return kind(**values)
