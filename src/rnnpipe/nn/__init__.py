"""Network building blocks shared by every task: the recurrent stack, pooling, heads, ensembles."""
