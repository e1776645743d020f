"""Persistence: the :class:`~digest.store.base.Store` protocol, its SQLite and
PostgreSQL backends, the shared SQL, the shared log and migrations.
"""
