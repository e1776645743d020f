"""From hostile entry to clean article: extraction, junk removal, identity keys.

Pure functions over text; no store and no service.
"""
