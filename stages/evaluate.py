"""Stage 6, evaluate: the trained model on the test split -> metrics/eval.json and plots.

    python stages/evaluate.py      # reads params: evaluate.batch_size, evaluate.device

Writes metrics/eval.json, metrics/confusion.csv (`dvc plots show`: confusion matrix) and metrics/roc.csv
(ROC curve; one-vs-rest per class when there are more than two).
"""

from rnnpipe.artifacts import TrainedClassifier, probabilities
from rnnpipe.atomic import atomic_path, write_json
from rnnpipe.batching import load_padded
from rnnpipe.evaluation import classification_metrics, confusion_rows, roc_points
from rnnpipe.stage import run_stage
from rnnpipe.training import predict, resolve_device


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
    run_stage("evaluate", main)
