"""`rnnpipe predict`: classify texts with a trained model, one output line per input text; or, with
a forecaster's folder, forecast from a CSV of recent readings.

    rnnpipe predict "a dull plot, but great acting"          # texts as arguments
    rnnpipe predict --file reviews.txt                         # one text per line (blank lines
    kept)
    echo "not good at all" | rnnpipe predict                   # standard input, one per line
    rnnpipe predict --file reviews.csv --column review         # a column of a CSV / TSV / JSONL /
    Parquet file
    rnnpipe predict --model data/model --json "..."            # JSON lines with every class's
    probability

Prints, per text: the predicted label, its probability, and the text (tab-separated), or with --json
one object per text with `label`, `probability`, `probabilities` (every class) and `text`. An empty
or blank text gets an empty label (JSON: null) on its own line, so output lines match input lines.

    rnnpipe predict "The old man the boat ."                   # a tagger's folder: each token with
    its tag

prints `The/DET old/NOUN man/VERB the/DET boat/NOUN ./PUNCT` (tokens split at whitespace, as in the
training data); --json gives tokens, tags and every tag's probability per token.

    rnnpipe predict --model forecast/data/model --file recent.csv [--json]

reads the station's recent readings (the training data's columns; at least window.lookback rows up
to now) and prints the time forecast, the target and its forecast value (tab-separated, or one JSON
object).

    rnnpipe predict --model sequences/data/model --file new.csv [--json]

reads sequences laid out as the training data (long CSV/Parquet, list-column Parquet or .npz; no
labels needed) and prints per sequence its id, label and probability; a window model prints each
window's id, first step, label and probability; a per-step model each sequence's id and its steps'
labels.

    rnnpipe predict --model trees/data/model "(2 (2 a) (3 (2 good) (2 film)))"

reads bracketed trees (SST style, one per line; their labels are ignored) and prints per tree the
root's label, its probability and the sentence. Plain text is refused with the command of a parser
that writes such trees (none is bundled).

    rnnpipe export --model data/model --out export/ [--format onnx]

writes a classifier's, tagger's, forecaster's or (bilstm) pair model's folder as one ONNX file
(export/model.onnx, variable batch and length) plus export.json (how to build its inputs) and the
vocabulary it reads, checks
that onnxruntime computes what PyTorch computes on varied-length examples, and prints the largest
difference. --out must be a new or empty folder, or with --force a previous export: nothing the
export did not write is ever deleted.

    rnnpipe sweep --pipeline text --space sweep.yaml --trials 40 --jobs 2 [--storage URL]

runs a hyperparameter study (Optuna: TPE, random or grid, median pruning) whose trials are DVC
experiments named <study>-<n> (`dvc exp show`); sweeps/<study>/ gets trials.csv, history.csv,
importance.csv and best.json; --resume continues a killed or shared study, --best prints its best
trial (docs/workflows.md).

    rnnpipe check [--root .]

validates every pipeline's params file (params.yaml, forecast/params.yaml, ...) and prints `ok` or
the bad param's line: what DVC reports only as "unexpected error" (an empty path param) included.
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata
from pathlib import Path

from .core.errors import RnnpipeError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rnnpipe",
        description="rnnpipe command-line tools: predict with and export the model of any "
        "pipeline (text classification, tagging, forecasting, numeric sequences, trees, "
        "sentence pairs), and "
        "check params files. Python: rnnpipe.api.",
    )
    parser.add_argument(
        "--version", action="version", version=f"rnnpipe {metadata.version('rnnpipe')}"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    predict = commands.add_parser(
        "predict",
        help="predict with a trained model: labels of texts, tags of tokens, forecasts, "
        "sequence labels or tree labels (by the model folder's kind)",
    )
    predict.add_argument(
        "texts", nargs="*", help="texts to classify; none: read --file or standard input"
    )
    predict.add_argument(
        "--file",
        help="read texts from this file, one per line ('-' for standard input), or "
        "with --column from a CSV / TSV / JSONL / Parquet table",
    )
    predict.add_argument("--column", help="the table column holding the texts (with --file)")
    predict.add_argument(
        "--premise",
        action="append",
        default=[],
        help="a sentence-pair model: the first sentence of a pair (repeat with --hypothesis for "
        "more pairs)",
    )
    predict.add_argument(
        "--hypothesis",
        action="append",
        default=[],
        help="a sentence-pair model: the second sentence of a pair",
    )
    predict.add_argument(
        "--model", default="data/model", help="trained model folder (default: data/model)"
    )
    predict.add_argument("--json", action="store_true", help="print one JSON object per text")
    predict.add_argument(
        "--batch-size", type=_positive_int, default=256, help="texts per forward pass (>= 1)"
    )
    export = commands.add_parser(
        "export",
        help="write a trained classifier, tagger or forecaster as ONNX for "
        "programs without rnnpipe (onnxruntime)",
    )
    export.add_argument(
        "--model", default="data/model", help="trained model folder (default: data/model)"
    )
    export.add_argument(
        "--out",
        required=True,
        help="folder to write: new or empty; a previous export only with --force (never a "
        "folder holding other files, nor a model folder)",
    )
    export.add_argument(
        "--force", action="store_true", help="replace --out if it holds a previous export"
    )
    export.add_argument("--format", choices=["onnx"], default="onnx", help="onnx (the only format)")
    summary = commands.add_parser(
        "summary",
        help="one line per pipeline: its test score beside its baselines and the best epoch "
        "(dvc metrics show puts every metric of every pipeline in one wide table)",
    )
    check = commands.add_parser(
        "check",
        help="validate every pipeline's params file here, naming each bad param (what DVC's "
        "'unexpected error' before any stage runs may hide)",
    )
    sweep = commands.add_parser(
        "sweep",
        help="a hyperparameter study whose trials are DVC experiments (Optuna; docs/workflows.md)",
    )
    sweep.add_argument("--pipeline", required=True, help="text, tagging, forecast, sequences, ...")
    sweep.add_argument("--space", help="the sweep.yaml: params to search, objective, fixed params")
    sweep.add_argument("--trials", type=_positive_int, default=20, help="trials in the study")
    sweep.add_argument(
        "--jobs", type=_positive_int, default=1, help="trials at once on this machine"
    )
    sweep.add_argument(
        "--study",
        help="the study's name (default: <pipeline>-<space file name>); its "
        "experiments are <study>-<trial number>",
    )
    sweep.add_argument(
        "--storage",
        default=None,
        help="the study's database (default: SQLite in .dvc/tmp/rnnpipe-sweeps.db); one URL "
        "shared by several machines runs one study on all of them",
    )
    sweep.add_argument(
        "--resume", action="store_true", help="continue a study that has trials already"
    )
    sweep.add_argument(
        "--best", action="store_true", help="print the study's best trial and its experiment"
    )
    sweep.add_argument(
        "--trial-timeout",
        type=float,
        default=6 * 3600,
        help="seconds before a trial is stopped and recorded as failed (default 6 h)",
    )
    for command in (summary, check):
        command.add_argument(
            "--root", default=".", help="the repository root holding the pipelines (default: .)"
        )
    return parser


def _positive_int(value: str) -> int:
    """argparse type: an integer >= 1 (argparse turns the ValueError into a usage error naming
    the option)."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def predict(args) -> int:
    """The model folder's kind (rnnpipe.tasks) loads the model and prints its predictions."""
    from .core.allocator import keep_freed_memory
    from .tasks import load_model, model_kind, resolve  # torch is imported only when needed

    keep_freed_memory()  # batches of long sequences: see core/allocator.py
    kind = model_kind(args.model)
    resolve(kind.predict)(args, load_model(args.model, kind))
    return 0


def export(args) -> int:
    from .export import export_model  # torch and the exporter are imported only when needed

    result = export_model(args.model, args.out, force=args.force)
    written = Path(args.out) / "model.onnx"
    print(
        f"rnnpipe export: {result['kind']} -> {written} (inputs: {', '.join(result['inputs'])}); "
        f"onnxruntime matches PyTorch on {result['examples']} varied-length examples to "
        f"{result['difference']:.1e}"
    )
    return 0


def sweep(args) -> int:
    """`rnnpipe sweep`: run (or resume, or report) a study whose trials are DVC experiments."""
    from .render import PIPELINES
    from .sweep.space import load_space
    from .sweep.study import DEFAULT_STORAGE, best_summary, run_sweep
    from .sweep.trials import TrialRun

    if args.pipeline not in PIPELINES:
        raise RnnpipeError(f"--pipeline {args.pipeline!r}: one of {', '.join(PIPELINES)}.")
    pipeline = PIPELINES[args.pipeline]
    if not args.best and not args.space:
        raise RnnpipeError("--space names the sweep.yaml to search (docs/workflows.md).")
    if not (Path(".git").exists() and Path(".dvc").is_dir()):
        raise RnnpipeError(
            "run it at the root of a Git repository with DVC (`git init && dvc init`): every "
            "trial is a DVC experiment, which DVC keeps in Git."
        )
    name = args.study or f"{args.pipeline}-{Path(args.space or 'sweep').stem}"
    storage = args.storage or DEFAULT_STORAGE
    if storage.startswith("sqlite:///") and not storage.startswith("sqlite:////"):
        # the trials' train stages run in DVC's temporary copies: they need the absolute path
        storage = "sqlite:///" + str(Path(storage.removeprefix("sqlite:///")).resolve())
    folder = f"{pipeline.folder}/" if pipeline.folder else ""
    space = load_space(args.space, pipeline.schema) if args.space else None
    run = TrialRun(
        Path.cwd(),
        pipeline.dvc_file,
        pipeline.params_file,
        f"{folder}metrics/train.json",
        storage,
        name,
        space.objective if space else "",
        space.pruner if space else "none",
        args.trial_timeout,
    )
    if args.best:
        summary = best_summary(run)
    else:
        trials = args.trials
        if space.sampler == "grid":
            import math

            trials = min(trials, math.prod(len(d.grid()) for d in space.dimensions))
        summary = run_sweep(pipeline, space, run, trials, args.jobs, args.resume)
    print(
        f"rnnpipe sweep: best of study {summary['study']}: trial {summary['best_trial']} "
        f"({summary['experiment']}), {summary['objective']} {summary['value']:.4f}; "
        + ", ".join(f"{k}={v}" for k, v in summary["params"].items())
    )
    print(f"  dvc exp apply {summary['experiment']}    # its params, model and metrics")
    return 0


def check(args) -> int:
    """Each pipeline's params file under --root: `ok` or the first problem; 1 if any has one."""
    from .core.params import load_params
    from .render import PIPELINES

    problems = 0
    for pipeline in PIPELINES.values():
        path = Path(args.root) / pipeline.params_file
        if not path.is_file():
            continue
        try:
            load_params(path, pipeline.schema)
            print(f"{pipeline.params_file}: ok")
        except RnnpipeError as exc:
            problems += 1
            print(f"rnnpipe check: error: {exc}", file=sys.stderr)
    return 1 if problems else 0


def summary(args) -> int:
    """`rnnpipe summary`: the table of api.summary, fitting a terminal."""
    from .api import summary as results

    rows = results(args.root)
    if not rows:
        print(
            f"rnnpipe summary: no pipeline under {args.root} has metrics yet; run `dvc repro -P`."
        )
        return 1
    print(f"{'pipeline':<10} {'test':<17} {'baselines':<41} best epoch (val)")
    for row in rows:
        bars = ", ".join(f"{name} {value:.4f}" for name, value in row["baselines"].items())
        mark = "" if row["beats_baselines"] else "  (below a baseline)"
        epoch = (
            f"{row['best_epoch']} ({row['val_score']:.4f})"
            if row["best_epoch"] is not None and row["val_score"] is not None
            else ""
        )
        print(
            f"{row['pipeline']:<10} {row['metric'] + ' ' + format(row['score'], '.4f'):<17} "
            f"{bars:<41} {epoch}{mark}".rstrip()
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {
        "export": export,
        "predict": predict,
        "check": check,
        "summary": summary,
        "sweep": sweep,
    }
    try:
        return commands[args.command](args)
    except RnnpipeError as exc:
        print(f"rnnpipe {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
