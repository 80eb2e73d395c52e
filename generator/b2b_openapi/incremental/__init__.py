"""The incremental build: stages, content-hash cache, process pool."""
