"""rnnpipe: reproducible DVC pipelines for recurrent networks (text classification, tagging,
forecasting, numeric sequences, trees).

Layout, by role and by task kind (docs/architecture.md):
- core/      what every pipeline shares: errors, atomic writes, hashing, params, stage runner,
fetch,
             device, labels, metrics, the model folder.
- data/      the batch-source contract, length bucketing, ragged sequences.
- nn/        the recurrent stack, pooling, heads, ensembles.
- training/  the loop, objectives, optimisers and schedules, checkpoints, history writers, the train
             stages' runner, ensembles of members.
- text/, tagging/, forecast/, sequences/, trees/: one package per task kind, with one module per
stage.
- tasks.py   the task registry (per model format: loader, predict printer, exporter); cli.py,
predict.py,
             export.py: `rnnpipe predict` / `rnnpipe export`; render.py: files rendered from the
             source.
core/, data/, nn/ and training/ never import a task package (tests/core/test_layout.py checks it).
Package __init__ files hold no code, so importing a package runs nothing but its modules.
"""
