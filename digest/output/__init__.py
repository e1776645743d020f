"""What a reader sees: the day's view, rendering (Markdown, HTML, JSON, Atom),
sanitizing, templates and mail.
"""
