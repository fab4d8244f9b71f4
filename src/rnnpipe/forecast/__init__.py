"""The forecasting task: weather series, windows, baselines and the forecaster."""
