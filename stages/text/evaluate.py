"""Stage 6, evaluate: the trained model on the test split -> metrics/eval.json and plots.

    python stages/text/evaluate.py      # reads params: evaluate.batch_size, evaluate.device

Writes metrics/eval.json, metrics/confusion.csv (`dvc plots show`: confusion matrix) and metrics/roc.csv
(ROC curve; one-vs-rest per class when there are more than two).
"""

from rnnpipe.core.atomic import atomic_path, write_json
from rnnpipe.core.device import resolve_device
from rnnpipe.core.metrics import classification_metrics, confusion_rows, probabilities, roc_points
from rnnpipe.core.stage import run_stage
from rnnpipe.text.classifier import TrainedClassifier
from rnnpipe.text.params import TEXT_SCHEMA
from rnnpipe.text.sequences import load_padded
from rnnpipe.training.inference import predict


def main(params: dict) -> None:
    settings = params["evaluate"]
    device = resolve_device(settings["device"])
    classifier = TrainedClassifier.load("data/model", device)
    sets, _ = load_padded("data/padded.parquet", splits=("test",))
    test = sets["test"]
    proba = probabilities(predict(classifier.model, test, settings["batch_size"], device))
    labels = test.labels.numpy()
    result = classification_metrics(labels, proba)
    write_json("metrics/eval.json", result)
    with atomic_path("metrics/confusion.csv") as tmp:
        confusion_rows(labels, proba, classifier.label_map.labels).to_csv(tmp, index=False)
    with atomic_path("metrics/roc.csv") as tmp:
        roc_points(labels, proba, classifier.label_map.labels).to_csv(tmp, index=False, float_format="%.6f")
    print("evaluate: " + ", ".join(f"{k} {v:.4f}" for k, v in result.items()))


if __name__ == "__main__":
    run_stage("evaluate", main, TEXT_SCHEMA)
