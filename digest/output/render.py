"""Rendering a :class:`~digest.records.DigestView` as Markdown, HTML, email HTML or JSON.

Observations
------------
Every text field of the view is raw feed text and every URL may be
``javascript:``/``data:``/relative/None.  Escaping happens at exactly one
place per format:

* Plain text (``templates/digest.txt.j2`` + ``_story.txt.j2``, the email's
  text part): values as they are (no markup to escape), one title, outlet and
  URL a line, control characters dropped.
* Markdown (``templates/digest.md.j2`` + ``_story.md.j2``): values go through
  the ``md`` filter (:func:`digest.output.sanitize.escape_md`); URLs are computed here
  with :func:`digest.output.sanitize.safe_url`, so a template only ever sees an
  http(s) URL or ``None`` (no link).
* HTML: the same Markdown, rendered with an ``attr_list`` "hook" (``{: .meta }``
  lines that give our CSS something to hold on to; never present in the plain
  Markdown), converted by Python-Markdown, then sanitized by nh3
  (:func:`digest.output.sanitize.clean_html`) *before* it is placed, as ``Markup``,
  into ``templates/digest.html.j2``: one self-contained page with our inline
  CSS, a CSP meta tag and no external requests.
* Email HTML: the sanitized body with our CSS written onto each element as
  ``style="..."`` (mail clients drop ``<style>``), wrapped in
  ``templates/digest.email.html.j2``.
* JSON: raw strings (JSON escaping is enough) except URLs, which are
  ``safe_url`` or ``null``.

How it works: ``digest.output.context`` turns the view into plain dicts (display title, safe
URLs, local times, excerpt) so the templates stay dumb and a user's template folder can restyle
everything without touching escaping rules.  Stories keep the caller's order.
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import Any, Literal

import jinja2
import markdown
from markupsafe import Markup

from digest.errors import DigestError
from digest.output.context import (
    PAGE_LANG,
    TOC_MIN,
    anchor,
    excerpt,
    failing_context,
    story_context,
)
from digest.output.dates import NB_HYPHEN, NBSP, date_lang, format_day, format_days, format_time
from digest.output.email_styles import inline_styles
from digest.output.jsonview import render_json
from digest.output.linkify import link_excerpts
from digest.output.mailfit import Fit, apply_fit
from digest.output.mdlinks import fast_links
from digest.output.newsline import marked_md
from digest.output.numbers import format_count
from digest.output.plainwrap import wrap_plain
from digest.output.sanitize import NOT_TEXT, clean_html, escape_md, safe_url
from digest.output.templates import make_env as _make_loader_env
from digest.records import DigestView, SectionView, newest_first, plural
from digest.text.shown import one_line

Format = Literal["md", "html", "json"]

__all__ = [
    "excerpt",
    "inline_styles",
    "make_env",
    "render",
    "render_email_html",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
]


# -- environment ------------------------------------------------------------

_default_env: jinja2.Environment | None = None


def make_env(
    user_templates: Path | None = None, *, package_dir: Path | None = None
) -> jinja2.Environment:
    """Template environment (user folder first, then defaults) with our filters."""
    env = _make_loader_env(user_templates, package_dir=package_dir)
    _install(env)
    return env


@jinja2.pass_context
def num(ctx: jinja2.runtime.Context, n: object) -> str:
    """The ``num`` filter: a count in the page's locale (the context's ``locale``), "20,002"."""
    return format_count(n, ctx.get("locale"))


def _install(env: jinja2.Environment) -> jinja2.Environment:
    env.filters.setdefault("md", escape_md)
    env.filters.setdefault("num", num)
    env.filters.setdefault("url", safe_url)
    env.globals.setdefault("plural", plural)
    return env


def _env(env: jinja2.Environment | None) -> jinja2.Environment:
    global _default_env
    if env is not None:
        return _install(env)
    if _default_env is None:
        _default_env = make_env()
    return _default_env


def _context(
    view: DigestView,
    tz: tzinfo | None,
    excerpt_chars: int,
    hooks: bool,
    locale: str | None,
    text: bool = False,
    fit: Fit | None = None,
    apart: bool = True,
) -> dict[str, Any]:
    """What the templates see.  ``hooks``: the Markdown that becomes HTML (CSS classes,
    ids, dates as spans); ``text``: for the plain-text template (dates not escaped);
    ``fit``: an email's stories in full and by title (``digest.output.mailsize``); ``apart``:
    a new source's backlog listed apart (``backlog``), else in its section as before (a
    user's own template that does not know it: nothing is left out)."""

    def hcls(name: str) -> str:  # attr_list on a heading line
        return f" {{: .{name} }}" if hooks else ""

    def pcls(name: str) -> str:  # attr_list after a paragraph
        return f"\n{{: .{name} }}" if hooks else ""

    def said_in(lang: str) -> str:  # the words giving a language, in HTML ("" for the page's)
        return f' lang="{lang}"' if hooks and lang else ""

    def bidi(shown: str, lang: str = "") -> str:  # feed text, escaped; in HTML isolated in its
        # own direction (and its language, when stated)
        return f'<span dir="auto"{said_in(lang)}>{shown}</span>' if hooks and shown else shown

    def iso_in(lang: str) -> str:  # ``iso``, with the stated language
        return f"{{: dir=auto{said_in(lang)} }}" if hooks else ""

    dates_said = said_in(date_lang(locale))  # dates in the locale's language (a lang of babel's)

    def time(when: str, after: str = "") -> str:  # a date, escaped; in HTML a span set whole
        # (CSS: span.time), with what must stay on its line (``after``: a weekly digest's ": 3",
        # which went to the next line's start: a line may break after an inline block)
        shown = (when + after) if text else escape_md(when + after)
        return f'<span class="time"{dates_said}>{shown}</span>' if hooks and shown else shown

    def dated(when: str) -> str:  # " · " and a date; in HTML the dot kept with what precedes it
        # (a no-break space before it, a space after): a line broken there ends with the dot and
        # the next begins with the date ("· Wednesday, ..." began a phone's line, stop 60; a
        # line may break before a date's inline block whatever precedes it)
        if not (hooks and when):  # plain Markdown: as it was
            return " · " + time(when)
        return f"{NBSP}· {time(when)}"

    def timed(when: str) -> str:  # a line's " · " and its time (a version's, a story's): as
        # ``dated`` in HTML; plain, the separator as before (the text part's wrap keeps a lone
        # dot with what follows, ``plainwrap``)
        if not (hooks and when):
            return " ·" + NBSP + time(when)
        return f"{NBSP}· {time(when)}"

    day = one_line(view.date)
    taken: set[str] = set()
    sections = []
    every = view.sections or [SectionView("", view.stories)]
    for sec in every:
        shown = [story_context(s, tz, excerpt_chars, day, locale, taken) for s in sec.stories
                 if not (apart and s.backlog)]
        sections.append({"name": one_line(sec.name), "anchor": anchor(f"section {sec.name}", taken),
                         "stories": [s for s in shown if not s["also_reported"]],
                         #: the "also reported since" lines, after the section's stories
                         "since": [s for s in shown if s["also_reported"]]})
    # a new source's old items: one line each, after every section, newest first
    # (one stating no date of its own shows none: its arrival is no publication "long before")
    backlogged = newest_first([s for sec in every for s in sec.stories if apart and s.backlog])
    backlog = [{**story_context(s, tz, excerpt_chars, day, locale, taken), **({"when": ""} if s.lead.undated else {})}
               for s in backlogged]
    # a section of backlog alone has nothing else to show: its lines are in the backlog's
    sections = [sec for sec in sections if sec["stories"] or sec["since"]]
    stories = [s for sec in sections for s in sec["stories"]]
    ctx = {
        "sections": sections,
        #: Named sections: their headings are h2 and the stories' h3.
        "sectioned": any(sec["name"] for sec in sections),
        "muted": [{"title": one_line(t), "rule": one_line(r)} for t, r in view.muted],
        "per_day": [(format_day(d, locale), n) for d, n in view.per_day],
        #: each of ``per_day``'s days, its new sources' earlier news (0: none): "+ 9 earlier"
        "per_day_earlier": view.per_day_earlier or [0] * len(view.per_day),
        "digest_name": one_line(view.name or ""),
        "view": view,
        "hooks": hooks,
        "date": day,
        #: The days covered, written out: the day, or a weekly digest's week.
        "day": format_days(one_line(view.first_day) or day, day, locale),
        "weekly": bool(view.first_day),
        #: The days covered as YYYY-MM-DD ("first – last" for a week).
        "dates": one_line(view.dates),
        "title": one_line(view.title) or "digest",
        "stories": stories,
        "toc": len(stories) >= TOC_MIN,
        #: A new source's backlog (``StoryView.backlog``): new stories of its first read, published
        #: long before; listed after the day's news under their own heading, not in the contents.
        "backlog": backlog,
        #: How many of them state no date of their own (an undated feed's first read): the
        #: heading's "published long before" is not said of them (review of stop 55).
        "backlog_undated": sum(1 for s in backlogged if s.lead.undated),
        #: How many of those stated dates, ahead of the clock (not believed): "no date" is not
        #: said of them (stop 56: a feed with its clock or time zone wrong).
        "backlog_ahead": sum(1 for s in backlogged if s.lead.undated and s.story_id in view.dates_ahead),
        "backlog_anchor": anchor("earlier news", taken) if backlog else "",
        "failing": [failing_context(f, tz, day, locale) for f in view.failing],
        "all_failed": view.all_failed,
        "articles_read": view.articles_read,
        "duplicates_collapsed": view.duplicates_collapsed,
        #: The muted stories' articles of the period (shown when more than the stories).
        "muted_articles": view.muted_articles,
        "generated": format_time(view.generated, tz, day=day, locale=locale),
        #: ``generated`` is when the latest article of a page built on request arrived
        "on_request": view.on_request,
        #: the archive's page of a day regrouped since its digest was written (``generated``)
        "regrouped": view.regrouped,
        #: Between two parts of a line: in HTML the dot stays at the end of the line before
        #: a wrap, never begins one ("· new", "· same text as ..." began a phone's line); plain,
        #: it stays with what follows.
        "sep": NBSP + "· " if hooks else " ·" + NBSP,
        #: The counts line's " · " (articles read, stories, duplicates): in HTML tied to the word
        #: before it, as ``sep`` (at 240-260 px, a phone zoomed 150 %, a line began with the dot)
        "dot": NBSP + "· " if hooks else " · ",
        "nbsp": NBSP,
        #: the configured locale, read by the ``num`` filter (counts: "20,002", "20.002")
        "locale": locale,
        "hcls": hcls,
        "pcls": pcls,
        "time": time,
        "dated": dated,
        "timed": timed,
        #: Feed text (a title, an outlet) in a line of ours is isolated in the HTML: a
        #: right-to-left title drew the count after it ("· 3 outlets") on its left.
        #: ``iso`` follows a link or ``**strong**`` (attr_list); ``bidi()`` wraps plain text.
        "iso": iso_in(""),
        "bidi": bidi,
        #: a "what is new" line's parts, escaped, its new figures strong (``newsline.marked_md``;
        #: in HTML, "(was 4,000)" in the pages' language, left to right)
        "marked": lambda parts: marked_md(parts, PAGE_LANG if hooks else ""),
        "said_in": said_in,
        "iso_in": iso_in,
    }
    apply_fit(ctx, fit)  # each section's stories shown in full (all of them without a fit)
    if fit is not None:  # the contents list the stories in full
        ctx["toc"] = sum(len(sec["shown"]) for sec in sections) >= TOC_MIN
    return ctx


# -- formats ----------------------------------------------------------------


def _fill(env: jinja2.Environment, name: str, ctx: dict[str, Any], **extra: Any) -> str:
    """Render the template ``name`` with ``ctx``; a template that does not parse or fails as
    it renders (a user's own, ``templates:``: an undefined name, or Python's error in an
    expression, ``{{ count + ' read' }}``) is one :class:`DigestError` line naming its file,
    line and problem, not a traceback."""
    try:
        return env.get_template(name).render(ctx, **extra)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name or name}:{exc.lineno}"
        raise DigestError(f"templates: {where}: {exc.message}") from None
    except Exception as exc:
        tb, where = exc.__traceback__, name
        while tb is not None:  # Jinja2 maps a template's frames onto its file and line
            if tb.tb_frame.f_code.co_filename.endswith((".j2", ".html", ".xml")):
                where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
            tb = tb.tb_next
        raise DigestError(f"templates: {where}: {type(exc).__name__}: {exc}") from None


def _knows_backlog(env: jinja2.Environment, name: str) -> bool:
    """Whether the template ``name`` lists a new source's backlog apart (it names ``backlog``):
    a user's own template written before does not, and gets those stories in their sections."""
    try:
        source = env.loader.get_source(env, name)[0] if env.loader is not None else ""
    except jinja2.TemplateNotFound:
        return True
    return "backlog" in source


def _markdown(
    view: DigestView,
    env: jinja2.Environment | None,
    tz: tzinfo | None,
    excerpt_chars: int,
    hooks: bool,
    locale: str | None = None,
    fit: Fit | None = None,
) -> str:
    e = _env(env)
    return _fill(e, "digest.md.j2", _context(view, tz, excerpt_chars, hooks, locale, fit=fit,
                                             apart=_knows_backlog(e, "digest.md.j2")))


def render_markdown(
    view: DigestView,
    *,
    env: jinja2.Environment | None = None,
    tz: tzinfo | None = None,
    excerpt_chars: int = 400,
    locale: str | None = None,
) -> str:
    """The digest as Markdown (every feed value escaped, links http(s) only)."""
    return _markdown(view, env, tz, excerpt_chars, False, locale)


def render_text(
    view: DigestView,
    *,
    env: jinja2.Environment | None = None,
    tz: tzinfo | None = None,
    excerpt_chars: int = 400,
    locale: str | None = None,
    fit: Fit | None = None,
) -> str:
    """The digest as plain text (``templates/digest.txt.j2``): the email's text part
    (``fit``: its stories in full and by title, as the HTML part's).

    Not Markdown: no escapes, no link syntax; each title, outlet and URL on its own
    line.  Control characters and noncharacters from feeds are dropped
    (:data:`~digest.output.sanitize.NOT_TEXT`: C1 ones too); dates keep their no-break spaces
    and the no-break hyphen becomes a plain one (monospace fonts may lack it).  Its lines are
    wrapped at 72 characters (:func:`~digest.output.plainwrap.wrap_plain`: at spaces only, a
    URL or a word never split, a list item's lines under its text).
    """
    e = _env(env)
    ctx = _context(view, tz, excerpt_chars, False, locale, text=True, fit=fit, apart=_knows_backlog(e, "digest.txt.j2"))
    out = _fill(e, "digest.txt.j2", ctx)
    return wrap_plain(NOT_TEXT.sub("", out).replace(NB_HYPHEN, "-"))


def body_html(
    view: DigestView,
    *,
    env: jinja2.Environment | None = None,
    tz: tzinfo | None = None,
    excerpt_chars: int = 400,
    locale: str | None = None,
    fit: Fit | None = None,
) -> str:
    """The digest body as sanitized HTML (Markdown -> Python-Markdown -> nh3)."""
    e = _env(env)
    return _body(view, e, _context(view, tz, excerpt_chars, True, locale, fit=fit,
                                   apart=_knows_backlog(e, "digest.md.j2")))


def _body(view: DigestView, e: jinja2.Environment, ctx: dict[str, Any]) -> str:
    """``body_html`` of the context ``ctx`` (the Markdown's, with its hooks)."""
    md_text = _fill(e, "digest.md.j2", ctx)
    # md_in_html: the <details> of a long "also reported by" list holds Markdown (ours
    # only: feed text reaches the Markdown escaped, so it never opens an HTML block)
    converter = fast_links(markdown.Markdown(extensions=["attr_list", "md_in_html"], output_format="html"))
    notes = {s.story_id: told.links for s in view.stories if (told := s.news_lead or s.lead).links}  # a note's [words](https://...)
    # (the excerpt's version: the day's where a developing story leads with it, ``context.story_context``)
    return clean_html(link_excerpts(converter.convert(md_text), notes))


def _page(
    view: DigestView, e: jinja2.Environment, name: str, tz: tzinfo | None, excerpt_chars: int,
    locale: str | None, fit: Fit | None, styled: bool,
) -> str:
    """The page ``name`` around the body: one context for both (it was made twice, a third of a
    huge day's writing, stop 65) where the Markdown template lists the backlog apart as the
    page's context does."""
    apart = _knows_backlog(e, "digest.md.j2")
    ctx = _context(view, tz, excerpt_chars, True, locale, fit=fit, apart=apart)
    body = _body(view, e, ctx)
    if styled:
        body = inline_styles(body)
    page = ctx if apart else _context(view, tz, excerpt_chars, True, locale, fit=fit)
    return _fill(e, name, page, body=Markup(body))


def render_html(
    view: DigestView,
    *,
    env: jinja2.Environment | None = None,
    tz: tzinfo | None = None,
    excerpt_chars: int = 400,
    locale: str | None = None,
) -> str:
    """The digest as one self-contained HTML page."""
    return _page(view, _env(env), "digest.html.j2", tz, excerpt_chars, locale, None, False)


def render_email_html(
    view: DigestView,
    *,
    env: jinja2.Environment | None = None,
    tz: tzinfo | None = None,
    excerpt_chars: int = 400,
    locale: str | None = None,
    fit: Fit | None = None,
) -> str:
    """The digest as email HTML: CSS inlined on each element, no ``<style>`` (``fit``: its
    stories in full and by title only, ``digest.output.mailsize``)."""
    return _page(view, _env(env), "digest.email.html.j2", tz, excerpt_chars, locale, fit, True)


def render(
    view: DigestView,
    fmt: Format,
    *,
    env: jinja2.Environment | None = None,
    tz: tzinfo | None = None,
    excerpt_chars: int = 400,
    locale: str | None = None,
) -> str:
    """Render ``view`` as ``"md"``, ``"html"`` or ``"json"``."""
    opts: dict[str, Any] = {"env": env, "tz": tz, "excerpt_chars": excerpt_chars, "locale": locale}
    if fmt == "md":
        return render_markdown(view, **opts)
    if fmt == "html":
        return render_html(view, **opts)
    if fmt == "json":
        return render_json(view)
    raise ValueError(f"unknown digest format {fmt!r} (expected md, html or json)")
