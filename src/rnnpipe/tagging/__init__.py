"""Per-token tagging (POS, NER, chunks): CoNLL readers, the tagger model and its metrics."""
