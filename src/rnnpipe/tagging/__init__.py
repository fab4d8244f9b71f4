"""Per-token tagging (POS, NER, chunks): the tagging pipeline's readers, tagger model, metrics
and stages."""
