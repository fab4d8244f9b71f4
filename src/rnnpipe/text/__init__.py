"""The text-classification task: tokenizer, vocabulary, datasets, vectors, sequences, the
classifier."""
