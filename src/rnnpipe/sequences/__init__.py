"""Sequences of numeric vectors: classify whole sequences (or windows of long recordings) or
label every step."""
