"""Sentence pairs: natural language inference and relatedness with Siamese BiLSTM, Tree-LSTM,
Child-Sum Tree-LSTM and SPINN encoders."""
