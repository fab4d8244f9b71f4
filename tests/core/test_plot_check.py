"""scripts/check_plots.py's static check flags what makes a DVC plot come out blank."""

import importlib.util

from conftest import ROOT

spec = importlib.util.spec_from_file_location("check_plots", ROOT / "scripts" / "check_plots.py")
check_plots = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_plots)


def linear(x, values, x_type="quantitative"):
    return {
        "data": {"values": values},
        "encoding": {
            "x": {"field": x, "type": x_type},
            "y": {"field": "dvc_inferred_y_value", "type": "quantitative"},
        },
        "transform": [{"fold": ["truth", "rnn"], "as": ["rev", "dvc_inferred_y_value"]}],
    }


def test_timestamps_on_a_quantitative_axis_are_flagged():
    rows = [{"time": "2021-07-07 11:00", "truth": "21.5", "rnn": "21.8"}]
    assert check_plots.plot_problems("forecast", linear("time", rows)) == [
        "forecast: x is quantitative but 'time' holds non-numbers, e.g. '2021-07-07 11:00'"
    ]
    assert check_plots.plot_problems("forecast", linear("time", rows, "temporal")) == []


def test_missing_data_columns_and_text_values_are_flagged():
    assert check_plots.plot_problems("p", {"data": {"values": []}}) == ["p: no data"]
    rows = [{"epoch": "1", "truth": "n/a"}]
    assert check_plots.plot_problems("p", linear("step", rows)) == [
        "p: column 'truth' holds values that are not numbers",
        "p: x field 'step' is not in the data (columns: ['epoch', 'truth'])",
    ]
