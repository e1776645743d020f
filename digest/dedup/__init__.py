"""The dedup core: terms and fingerprints, copies, the LSH index, the engine, the lead.

Plain data in, plain data out: nothing here imports the store, the sources,
the output or the service (an import-linter contract in pyproject.toml).
"""
