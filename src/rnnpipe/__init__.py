"""rnnpipe: a reproducible DVC pipeline for recurrent text classifiers."""

__version__ = "0.1.0"
