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

How it works: :func:`make_env` gives an ``Environment`` with a
``ChoiceLoader`` (user folder first, then the first default folder that
exists), one kept per folders, so that templates are compiled once a
process rather than once a digest.  Autoescaping is on for ``*.html``/``*.html.j2``/``*.xml`` templates
and off for Markdown ones, whose values go through the ``md`` filter instead.
``StrictUndefined`` makes a typo in a template an error instead of a blank.

Special cases: a user folder that does not exist is an error (a typo in the
configuration should not silently fall back to the defaults).
"""

from __future__ import annotations

import functools
import os
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
    """A Jinja2 environment looking in ``user_templates`` first, then the defaults.

    Environments are shared: compiling the templates costs about 30 ms a format, which every
    digest written, mailed or served paid again.  An environment is kept per default folders
    and per user folder as it stands (its files' names, sizes and modification times: a
    partial added, removed or edited there gives another), and Jinja2 reloads a template
    whose file changed since it was compiled (``auto_reload``): a user's edit shows at the
    next digest, as before."""
    folder: str | None = None
    stamp: tuple[tuple[str, int, int], ...] = ()
    if user_templates is not None:
        path = Path(user_templates).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(f"templates: folder {str(path)!r} does not exist")
        folder = str(path)
    defaults = tuple(str(d) for d in _defaults(package_dir))
    if folder is not None:
        try:
            stamp = _listing(Path(folder))
        except OSError:  # a folder one may open files in but not list (``--x``): read as before,
            # an environment of its own, not kept (its edits could not be told)
            return _environment.__wrapped__(folder, (), defaults)
    return _environment(folder, stamp, defaults)


def _defaults(package_dir: Path | None) -> list[Path]:
    defaults = default_template_dirs(package_dir)
    if not defaults:
        raise FileNotFoundError(
            "templates: default templates not found (expected digest/templates or ../templates)"
        )
    return defaults


def _listing(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """The files of ``folder`` (not of its subfolders, whose edits Jinja2's ``auto_reload``
    sees): name, modification time and size each."""
    out = []
    with os.scandir(folder) as entries:
        for entry in entries:
            try:
                if entry.is_file():
                    st = entry.stat()
                    out.append((entry.name, st.st_mtime_ns, st.st_size))
            except FileNotFoundError:  # removed as it was listed (an editor's file saved over)
                continue
    return tuple(sorted(out))


@functools.lru_cache(maxsize=32)
def _environment(
    folder: str | None, stamp: tuple[tuple[str, int, int], ...], defaults: tuple[str, ...]
) -> jinja2.Environment:
    """The environment of :func:`make_env` (``stamp``: the user folder's :func:`_listing`)."""
    del stamp  # a key only
    loaders: list[jinja2.BaseLoader] = []
    if folder is not None:
        loaders.append(jinja2.FileSystemLoader(folder))
    loaders.append(jinja2.FileSystemLoader(list(defaults)))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=TEMPLATE_SUFFIXES, disabled_extensions=(), default=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=True,
    )
