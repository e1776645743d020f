"""The archive's page templates (``digest serve``), rendered by :mod:`digest.service.webpages`.

Jinja2 with autoescaping: every value is text, and every link http(s) only or our own
path (``date_lang``, ours: `` lang="de-DE"`` or nothing, marks the dates of a locale not English).  ``web/base.html`` carries the navigation (the index names itself there unlinked), the search box (``web/_search.html``) and
a skip link past them; the digest's own CSS (``_style.css.j2``) with the archive's few rules.
"""

from __future__ import annotations

#: The words of a ``.vh`` span (for screen readers only) hidden by its own style too: a user's own
#: ``_style.css.j2`` (``templates:``, copied before stop 62) has no ``.vh`` rule, and its pages
#: showed "← Previous day: Fri, 13 Mar 2026" and "all versions: <the title>" (stop 62 review).
#: Not selectable: Chromium copied a story's line as "... · all versions: <the title>".
VH_STYLE = "position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap;user-select:none"
_VH = f'<span class="vh" style="{VH_STYLE}">'

PAGES = {
    "web/_search.html": """<form class="search" action="{{ root }}search" method="get" role="search" style="display:flex;flex-wrap:wrap;gap:0.4rem;align-items:center;margin:0 0 1rem">
<input type="search" name="q" value="{{ q }}" maxlength="200" placeholder="Search the archive" aria-label="Search the archive" style="flex:1 1 12rem;min-width:0;font:inherit;padding:0.3rem 0.5rem">
{% if newest %}<input type="hidden" name="sort" value="newest">
{% endif %}{% if with_since %}<label style="font-size:0.9rem">since <input type="date" name="since" value="{{ since }}" style="font:inherit;padding:0.2rem 0.3rem"></label>
{% endif %}<button type="submit" style="font:inherit;padding:0.3rem 0.8rem">Search</button>
</form>
""",
    "web/base.html": """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>{% block title %}{{ site }}{% endblock %}</title>
<link rel="alternate" type="application/atom+xml" href="{{ root }}feed.atom" title="{{ site }}">
<style>
{% include "_style.css.j2" %}
nav { font-size: 0.9rem; color: var(--muted); margin: 0.25rem 0 0.5rem; }
nav span.time { display: inline-block; max-width: 100%; white-space: normal; text-decoration: inherit; }
ul.days, ul.months, ul.versions { padding-left: 1.2rem; }
ul.days li, ul.months li, ul.versions li { margin: 0.35rem 0; }
ul.versions li { margin-bottom: 1rem; }
ul.versions p.excerpt { margin: 0.3rem 0 0; font-size: 0.95rem; }
ol.results { padding-left: 2.4rem; }
ol.results li { margin: 0 0 0.9rem; }
ol.results p.meta { margin: 0.1rem 0 0; }
</style>
</head>
<body>
<a class="skip" href="#content">Skip to content</a>
<main>
<nav aria-label="Archive">{% block all_days %}<a href="{{ root }}">All days</a>{% endblock %}&nbsp;· <a href="{{ root }}feed.atom">Atom feed</a>{% block nav %}{% endblock %}</nav>
{% with with_since = search_page %}{% include "web/_search.html" %}{% endwith %}
<div id="content">
{% block main %}{% endblock %}
</div>
</main>
</body>
</html>
""",
    "web/_days.html": """{% for g in groups %}
{% if headed %}<h2{{ date_lang }}>{{ g.label }}</h2>{% endif %}
<ul class="days">
{% for d in g.days %}
<li><a href="{{ root }}day/{{ d.date }}"{{ date_lang }}>{{ d.label }}</a>&nbsp;· {{ d.stories|num }} {{ "story" if d.stories == 1 else "stories" }}{% if d.earlier %} +&nbsp;{{ d.earlier|num }}&nbsp;earlier{% endif %}</li>
{% endfor %}
</ul>
{% endfor %}
""",
    "web/index.html": """{% extends "web/base.html" %}
{% block all_days %}<span aria-current="page">All days</span>{% endblock %}
{% block main %}
<h1>{{ site }}</h1>
{% if groups %}
<p class="counts">{{ total|num }} {{ "day" if total == 1 else "days" }}{% if total > 1 %}, <span{{ date_lang }}>{{ first }}</span> to <span{{ date_lang }}>{{ last }}</span>{% endif %}</p>
{% with headed = true %}{% include "web/_days.html" %}{% endwith %}
{% if months %}
<h2>Every month</h2>
<ul class="months">
{% for m in months %}
<li><a href="{{ m.href }}"{{ date_lang }}>{{ m.label }}</a>&nbsp;· {{ m.days|num }} {{ "day" if m.days == 1 else "days" }}</li>
{% endfor %}
</ul>
{% endif %}
{% else %}
<p class="lede">No digests yet. Run <code>digest run</code> to read the sources.</p>
{% endif %}
{% endblock %}
""",
    "web/month.html": """{% extends "web/base.html" %}
{% block title %}{{ label }} · {{ site }}{% endblock %}
{% block main %}
<h1{{ date_lang }}>{{ label }}</h1>
{% set months_nav %}{% if newer or older %}
<nav class="months" aria-label="Months" style="display:flex;justify-content:space-between;gap:1rem">{% if older %}<a href="{{ older.href }}" rel="prev"><span aria-hidden="true">← </span><span class="vh">Previous month: </span><span{{ date_lang }}>{{ older.label }}</span></a>{% else %}<span></span>{% endif %}{% if newer %}<a href="{{ newer.href }}" rel="next"><span class="vh">Next month: </span><span{{ date_lang }}>{{ newer.label }}</span><span aria-hidden="true"> →</span></a>{% endif %}</nav>
{% endif %}{% endset %}
{{ months_nav }}
{% with headed = false %}{% include "web/_days.html" %}{% endwith %}
{{ months_nav }}
{% endblock %}
""",
    "web/story.html": """{% extends "web/base.html" %}
{% block title %}{{ title }} · {{ site }}{% endblock %}
{% block nav %}{% if day %}&nbsp;· <a href="{{ root }}day/{{ day }}">Digest of <span class="time"{{ date_lang }}>{{ day_label }}</span></a>{% endif %}{% endblock %}
{% block main %}
<h1 dir="auto"{% if lang %} lang="{{ lang }}"{% endif %}>{% if url %}<a href="{{ url }}" rel="noopener noreferrer nofollow">{{ title }}</a>{% else %}{{ title }}{% endif %}</h1>
<p class="counts">{{ versions|length|num }} {{ "version" if versions|length == 1 else "versions" }} from {{ outlets|num }} {{ "outlet" if outlets == 1 else "outlets" }}{% if first_reported %}&nbsp;· first reported <span class="time"{{ date_lang }}>{{ first_reported }}</span>{% endif %}</p>
<ul class="versions">
{% for v in versions %}
<li><strong dir="auto">{{ v.source }}</strong>{% if v.kind %} <span class="kind">({{ v.kind }})</span>{% endif %}: {% if v.url %}<a href="{{ v.url }}" rel="noopener noreferrer nofollow" dir="auto"{% if v.title_lang %} lang="{{ v.title_lang }}"{% endif %}>{{ v.title }}</a>{% else %}<span dir="auto"{% if v.title_lang %} lang="{{ v.title_lang }}"{% endif %}>{{ v.title }}</span>{% endif %}{% if v.when %}&nbsp;· <span class="time"{{ date_lang }}>{{ v.when }}</span>{% endif %}
{% if v.adds %}<p class="developing"><strong>Updated</strong>: <span dir="auto"{% if v.lang %} lang="{{ v.lang }}"{% endif %}>{{ v.adds }}</span></p>{% endif %}
{% if v.excerpt %}<p class="excerpt" dir="auto"{% if v.lang %} lang="{{ v.lang }}"{% endif %}>{{ v.excerpt }}</p>{% endif %}
</li>
{% endfor %}
</ul>
{% endblock %}
""",
    "web/search.html": """{% extends "web/base.html" %}
{% block title %}{% if q %}{{ q }}{% if since_label %} since {{ since_label }}{% endif %} · {% endif %}Search{% if newest %}, newest first{% endif %}{% if page is defined and page > 1 %}, page {{ page }}{% endif %} · {{ site }}{% endblock %}
{% block main %}
<h1>Search</h1>
{% if no_words %}
<p class="lede">Give a word to look for: {{ "symbols and punctuation are not searched." if no_letters else "“-word” only leaves stories out." }}</p>
{% elif q %}
{% set paged = prev_href or next_href or page > 1 %}
<p class="counts">{% if paged and results %}Stories {{ first }}–{{ last }}{% else %}{{ results|length }} {{ "story" if results|length == 1 else "stories" }}{% endif %} for “{{ q }}”{% if since %} since <span class="time"{{ date_lang }}>{{ since_label }}</span>{% endif %}{% if capped %}, the {{ "latest" if newest else "best" }} {{ limit }} can be read{% endif %}</p>
{% if results %}
<p class="sort">{% if newest %}<a href="{{ other_order_href }}">Best match first</a>&nbsp;· <strong aria-current="true">Newest first</strong>{% else %}<strong aria-current="true">Best match first</strong>&nbsp;· <a href="{{ other_order_href }}">Newest first</a>{% endif %}</p>
<ol class="results" start="{{ first }}">
{% for r in results %}
<li><a href="{{ r.href }}" dir="auto"{% if r.lang %} lang="{{ r.lang }}"{% endif %}>{{ r.title }}</a>
<p class="meta"><strong dir="auto">{{ r.source }}</strong>&nbsp;· {{ r.outlets }} {{ "outlet" if r.outlets == 1 else "outlets" }}&nbsp;· <a href="{{ root }}day/{{ r.day }}"><span class="time"{{ date_lang }}>{{ r.day_label }}</span></a>{% if r.first %}&nbsp;· developing: first in the digest of <a href="{{ root }}day/{{ r.first }}"><span class="time"{{ date_lang }}>{{ r.first_label }}</span></a>{% endif %}</p></li>
{% endfor %}
</ol>
{% if prev_href or next_href %}
<nav class="pages" aria-label="Pages of results">{% if prev_href %}<a href="{{ prev_href }}" rel="prev"><span aria-hidden="true">←</span> {{ "Newer" if newest else "Better matches" }}</a>{% endif %}{% if prev_href and next_href %}&nbsp;· {% endif %}{% if next_href %}<a href="{{ next_href }}" rel="next">More results <span aria-hidden="true">→</span></a>{% endif %}</nav>
{% endif %}
{% else %}
<p class="lede">{{ "No story matches." if page == 1 else "No more stories match." }}</p>
{% endif %}
{% endif %}
{% endblock %}
""",
    "web/noday.html": """{% extends "web/base.html" %}
{% block title %}{% if dated %}No digest: {% endif %}{{ heading }} · {{ site }}{% endblock %}
{% block main %}
<h1{% if dated %}{{ date_lang }}{% endif %}>{{ heading }}</h1>
<p class="lede">{{ message }}</p>
{% if before or after %}
<p class="nearest" style="color:var(--muted);font-size:0.95rem;margin:1rem 0 0.35rem">The nearest {{ "days" if before and after else "day" }} with a digest:</p>
<nav class="days" aria-label="Days" style="display:flex;justify-content:space-between;flex-wrap:wrap;gap:0.5rem 1rem;margin:0 0 1rem">{% if before %}<a href="{{ root }}day/{{ before.date }}" rel="prev"><span aria-hidden="true">← </span><span class="vh">Previous day with a digest: </span><span{{ date_lang }}>{{ before.label }}</span></a>{% else %}<span></span>{% endif %}{% if after %}<a href="{{ root }}day/{{ after.date }}" rel="next"><span class="vh">Next day with a digest: </span><span{{ date_lang }}>{{ after.label }}</span><span aria-hidden="true"> →</span></a>{% endif %}</nav>
{% endif %}
<p>{% if total %}<a href="{{ root }}">All days</a>: the archive holds {{ total|num }} {{ "day" if total == 1 else "days" }}{% if total > 1 %}, <span{{ date_lang }}>{{ first }}</span> to <span{{ date_lang }}>{{ last }}</span>{% endif %}.{% else %}The archive has no days yet: <a href="{{ root }}">its index</a>.{% endif %}</p>
{% endblock %}
""",
    "web/error.html": """{% extends "web/base.html" %}
{% block title %}{{ code }} · {{ site }}{% endblock %}
{% block main %}
<h1>{{ code }}</h1>
<p class="lede">{{ message }}</p>
{% endblock %}
""",
}
PAGES = {name: text.replace('<span class="vh">', _VH) for name, text in PAGES.items()}
