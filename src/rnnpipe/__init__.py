"""rnnpipe: reproducible DVC pipelines for recurrent networks (text classification, forecasting).

Layout, by role and by task kind:
- core/      what every pipeline shares: errors, atomic writes, hashing, params, stage runner, fetch,
             device, labels, metrics, the model folder.
- data/      the batch-source contract, length bucketing, ragged sequences.
- nn/        the recurrent stack, pooling, heads, ensembles.
- training/  the loop, objectives, optimisers and schedules, checkpoints, history writers.
- text/      the text-classification task; forecast/: the forecasting task.
core/, data/, nn/ and training/ never import a task package (tests/test_layout.py checks it).
Package __init__ files hold no code, so importing a package runs nothing but its modules.
"""
