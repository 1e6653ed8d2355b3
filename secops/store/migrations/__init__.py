"""Schema migrations, one module per version (see secops.store.migrate)."""
