"""The asset inventory: fingerprints, diffs against the previous state, alerts, queries."""
