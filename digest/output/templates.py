"""Where the digest's Jinja2 templates come from.

Observations
------------
The default templates live in the repository's top-level ``templates/``
folder.  The wheel ships them inside the package as ``digest/templates/``
(pyproject maps ``templates`` to ``digest/templates``), while a source checkout or an editable
install sees them one level up, next to the package.  Users may point the
``templates:`` setting at a folder of their own; any file there (the whole
``digest.md.j2`` or just one partial such as ``_story.md.j2``) replaces the
default of the same name.

How it works: :func:`make_env` builds one ``Environment`` with a
``ChoiceLoader`` (user folder first, then the first default folder that
exists).  Autoescaping is on for ``*.html``/``*.html.j2``/``*.xml`` templates
and off for Markdown ones, whose values go through the ``md`` filter instead.
``StrictUndefined`` makes a typo in a template an error instead of a blank.

Special cases: a user folder that does not exist is an error (a typo in the
configuration should not silently fall back to the defaults).
"""

from __future__ import annotations

from pathlib import Path

import jinja2

import digest

TEMPLATE_SUFFIXES = ("html", "htm", "xml", "html.j2", "htm.j2", "xml.j2")


def default_template_dirs(package_dir: Path | None = None) -> list[Path]:
    """Default template folders that exist, installed-wheel location first."""
    pkg = package_dir if package_dir is not None else Path(digest.__file__).resolve().parent
    candidates = [pkg / "templates", pkg.parent / "templates"]
    return [p for p in candidates if (p / "digest.md.j2").is_file()]


def make_env(
    user_templates: Path | None = None, *, package_dir: Path | None = None
) -> jinja2.Environment:
    """A Jinja2 environment looking in ``user_templates`` first, then the defaults."""
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        folder = Path(user_templates).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(f"templates: folder {str(folder)!r} does not exist")
        loaders.append(jinja2.FileSystemLoader(str(folder)))
    defaults = default_template_dirs(package_dir)
    if not defaults:
        raise FileNotFoundError(
            "templates: default templates not found (expected digest/templates or ../templates)"
        )
    loaders.append(jinja2.FileSystemLoader([str(d) for d in defaults]))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=TEMPLATE_SUFFIXES, disabled_extensions=(), default=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env
