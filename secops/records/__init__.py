"""Records that cross features: typed values one feature produces and others (reports, the CLI,
the scheduler, the center) read. Foundation: a record imports no feature."""
