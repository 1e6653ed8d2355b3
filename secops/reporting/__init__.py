"""Report sources: each gathers what one report shows from the features (assets, 等保, data,
incidents) into a ``secops.render`` Report; report definitions (``reports/*.yml``) and building
a named report (run its source, render, record it)."""
