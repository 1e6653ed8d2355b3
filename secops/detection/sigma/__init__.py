"""The local Sigma engine: rules parsed with pySigma, compiled to matchers, evaluated over event batches."""
