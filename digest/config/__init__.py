"""Configuration: ``feeds.yaml`` read, validated, resolved and edited.

``model`` holds the settings, ``reading`` reads them from the file, ``problems`` turns what
YAML and pydantic report into one line a problem, ``refs`` checks the names
one setting gives another, ``edit`` writes sources into the file in place.
The names below are what the rest of digest imports.
"""

from .model import (
    OTHER,
    WEEKDAYS,
    Config,
    EmailConfig,
    FetchConfig,
    FilterRule,
    SourceConfig,
    mail_address,
    quote_name,
)
from .reading import load_config, parse_config

__all__ = [
    "OTHER",
    "WEEKDAYS",
    "Config",
    "EmailConfig",
    "FetchConfig",
    "FilterRule",
    "SourceConfig",
    "load_config",
    "mail_address",
    "parse_config",
    "quote_name",
]
