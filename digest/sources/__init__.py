"""Retrieve and parse: feed URLs (guarded fetch), local files and folders, OPML, dates.

I/O lives here; everything leaves as :class:`digest.records.Entry`.
"""
