"""Charts and map: taxonomy labels and colours in the spec, selections, small data."""

from __future__ import annotations

import pandas as pd

from dashboard import charts

TOPICS = pd.DataFrame({"key": ["strike", "legal"], "label": ["Strikes", "Legal"],
                       "colour": ["#CC6677", "#88CCEE"], "description": ["", ""]})


def spec(chart) -> dict:
    return chart if isinstance(chart, dict) else chart.to_dict()


def test_timeline_uses_labels_and_colours():
    bins = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-01-08"]),
                         "topic": ["strike", "mystery"], "events": [2, 1]})
    out = spec(charts.timeline_chart(bins, TOPICS, "week"))
    scale = out["encoding"]["color"]["scale"]
    # only the topics drawn are in the legend, each in its taxonomy colour; unknown grey
    assert scale["domain"] == ["Strikes", "mystery"]
    assert scale["range"] == ["#CC6677", charts.OTHER_COLOUR]
    values = next(iter(out["datasets"].values()))
    assert {v["topic_label"] for v in values} == {"Strikes", "mystery"}


def test_country_chart_selects_by_country():
    counts = pd.DataFrame({"country": ["POL", "LTU"], "topic": ["strike", "legal"],
                           "events": [3, 1]})
    out = spec(charts.country_chart(counts, TOPICS, {"POL": "Poland"}))
    assert out["params"][0]["name"] == charts.COUNTRY_SELECTION
    assert out["params"][0]["select"]["fields"] == ["country"]
    assert out["encoding"]["y"]["sort"] == ["Poland", "LTU"]


def test_verification_chart_in_level_order():
    mix = pd.DataFrame({"verification": ["confirmed", "reported"], "events": [1, 2],
                        "share": [1 / 3, 2 / 3]})
    out = spec(charts.verification_chart(mix))
    assert out["encoding"]["y"]["sort"] == ["confirmed", "reported"]


