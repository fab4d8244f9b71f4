"""`rnnpipe sweep`: hyperparameter studies whose trials are DVC experiments."""
