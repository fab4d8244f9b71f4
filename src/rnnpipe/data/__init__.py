"""Task-independent data handling: the batch-source contract, length bucketing, ragged sequences."""
