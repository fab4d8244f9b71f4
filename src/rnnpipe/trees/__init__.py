"""Tree-structured data and models: bracketed parse trees, the level-batched Tree-LSTM, SPINN."""
