"""Detection: log readers, the local Sigma engine with correlations, conversion, YARA."""
