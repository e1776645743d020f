"""Robustness check: every file of ../shared/corpus/feeds through local ingestion.

Runs each fixture of the three feed-parser test suites (feedparser, gofeed,
w3c-feedvalidator; about 5,400 files) through :func:`digest.sources.localfiles.read_path`
as a one-file local source, and ``.opml`` files also through
:func:`digest.sources.opml.read_opml`.  Fails (exit 1) on any exception that escapes,
and on any error of kind ``internal`` (an exception read_path had to wrap),
printing the file and traceback.

Skipped: LICENSE/README files, ``.htaccess`` (validator web-server config),
and gofeed's expected-output JSON (``*_expected.json``, or ``name.json`` next
to an input ``name.xml``).  feedparser's ``json/`` fixtures are feeds and are
read.

Agreement with feedparser's own expectations: a fixture whose header comment
says ``Expect: <python expression over feedparser's result>`` is evaluated
against digest's stored record for the fields digest keeps (entry title,
link, id, date, content, summary/description).  The expression is split at
its top-level ``and``; the conjuncts that only look at those fields of
``entries[N]`` are evaluated (restricted namespace, no builtins beyond a
few pure ones) against a dict in feedparser's shape built from the
:class:`Entry`.  Other conjuncts (``bozo``, ``feed[...]``, tags, enclosures,
``*_detail``...) are not digest's business.  Fixtures with no such conjunct,
or that depend on HTTP headers (``Header:`` lines), count as n/a.

    python benchmarks/feeds_corpus.py [--json out.json] [--limit N] [-v]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest.errors import ParseError
from digest.records import Entry
from digest.sources.feeds import plain
from digest.sources.localfiles import read_path
from digest.sources.opml import read_opml

SHARED = Path(os.environ.get("DIGEST_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
CORPUS = SHARED / "corpus" / "feeds"

KEPT = {
    "title", "link", "id", "guid", "summary", "description", "content",
    "published_parsed", "updated_parsed", "created_parsed", "modified_parsed", "issued_parsed",
}  # fmt: skip
SUBKEYS = {"value"}
SAFE_BUILTINS: dict[str, Any] = {"len": len, "str": str, "int": int, "tuple": tuple, "list": list}
_EXPECT = re.compile(r"Expect:\s*(.*?)\s*(?:-->|$)", re.S | re.M)


def corpus_files(root: Path) -> Iterator[Path]:
    for p in sorted(root.rglob("*")):
        if not p.is_file():
            continue
        name = p.name
        if name.upper().startswith(("LICENSE", "README")) or name == ".htaccess":
            continue
        expected_output = name.endswith("_expected.json") or any(
            p.with_suffix(ext).exists() for ext in (".xml", ".rss", ".atom")
        )
        if "gofeed" in p.parts and p.suffix == ".json" and expected_output:
            continue
        yield p


# --------------------------------------------------------------------------
# feedparser Expect: agreement


class Shaped(dict[str, Any]):
    """A dict that also answers attribute access, like FeedParserDict."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def shaped(e: Entry) -> Shaped:
    d = Shaped()
    if e.title:
        d["title"] = e.title
    if e.url:
        d["link"] = e.url
    if e.entry_id:
        d["id"] = d["guid"] = e.entry_id
    body = e.content_html or e.text
    if body:
        d["content"] = [Shaped(value=body, type="text/html" if e.content_html else "text/plain")]
    summary = e.summary_html or body
    if summary:
        d["summary"] = d["description"] = summary
    if e.published:
        t = e.published.utctimetuple()
        for key in ("published_parsed", "updated_parsed", "created_parsed", "modified_parsed", "issued_parsed"):
            d[key] = t
    return d


def _keys_used(node: ast.AST) -> tuple[set[str], bool]:
    """(entry keys used, uses anything other than entries[N][key])."""
    keys: set[str] = set()
    other = False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id not in ("entries",) and sub.id not in SAFE_BUILTINS:
            other = True
        if isinstance(sub, ast.Subscript) and _is_entry(sub.value):
            key = sub.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.add(key.value)
            else:
                other = True
        elif (
            isinstance(sub, ast.Subscript)
            and isinstance(sub.slice, ast.Constant)
            and isinstance(sub.slice.value, str)
            and sub.slice.value not in SUBKEYS
        ):
            other = True  # e.g. content[0]['language']: not kept
        if isinstance(sub, ast.Attribute):
            if _is_entry(sub.value):
                keys.add(sub.attr)
            elif sub.attr not in SUBKEYS:
                other = True
    return keys, other


def _is_entry(node: ast.AST) -> bool:
    """``entries[<int>]``."""
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "entries"
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, int)
    )


def expectation(data: bytes) -> str | None:
    head = data[:4000].decode("utf-8", "replace")
    if "Header:" in head.split("-->")[0] or "127.0.0.1:8097" in head:
        return None  # depends on HTTP headers / the test server's URL
    m = _EXPECT.search(head)
    return m.group(1).strip() if m else None


def judge(expr: str, entries: list[Entry]) -> tuple[str, str]:
    """("agree" | "disagree" | "n/a", reason)."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        return "n/a", "unparseable expectation"
    body = tree.body
    conjuncts = body.values if isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And) else [body]
    checks: list[tuple[ast.expr, list[str]]] = []
    for c in conjuncts:
        keys, other = _keys_used(c)
        if keys and not other and keys <= KEPT:
            checks.append((c, sorted(keys)))
    if not checks:
        return "n/a", "no kept field"
    env = {"__builtins__": SAFE_BUILTINS, "entries": [shaped(e) for e in entries]}
    for c, names in checks:
        try:
            ok = bool(_eval(c, env))
        except IndexError:
            return "disagree", "entry not kept (no text) or feed rejected"
        except (KeyError, AttributeError, TypeError):
            return "disagree", f"{'/'.join(names)}: absent"
        if not ok:
            return "disagree", f"{'/'.join(names)}: {_why(c, names, env)}"
    return "agree", ""


def _eval(node: ast.expr, env: dict[str, Any]) -> Any:
    code = compile(ast.Expression(body=node), "<expect>", "eval")
    return eval(code, env)  # trusted corpus text, restricted namespace


def _why(c: ast.expr, keys: list[str], env: dict[str, Any]) -> str:
    """Why ``entries[N][key] == expected`` differs, when it is by design."""
    if not (isinstance(c, ast.Compare) and len(c.ops) == 1 and isinstance(c.ops[0], ast.Eq)):
        return "differs"
    try:
        ours, expected = _eval(c.left, env), _eval(c.comparators[0], env)
    except Exception:
        return "differs"
    if not isinstance(ours, str) or not isinstance(expected, str):
        return "differs"
    if keys == ["title"] and plain(expected) == ours:
        return "plain text by design"
    if escape(expected) == ours:
        return "non-HTML type escaped by design"
    if plain(expected) == plain(ours):
        return "same text, different markup"
    return "differs"


# --------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", metavar="FILE", help="write machine-readable results")
    ap.add_argument("--limit", type=int, default=0, help="only the first N files")
    ap.add_argument("-v", "--verbose", action="store_true", help="list disagreements")
    args = ap.parse_args()
    if not CORPUS.is_dir():
        print(f"feeds corpus: {CORPUS} not found (set DIGEST_SHARED)", file=sys.stderr)
        return 2

    files = ingested = entries_n = unhandled = 0
    kinds: Counter[str] = Counter()
    wrapped: list[str] = []
    expect: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    disagreements: list[tuple[str, str, str]] = []
    opml = Counter[str]()
    slowest: list[tuple[float, str]] = []
    start = time.perf_counter()
    for f in corpus_files(CORPUS):
        if args.limit and files >= args.limit:
            break
        files += 1
        rel = str(f.relative_to(CORPUS))
        t0 = time.perf_counter()
        try:
            items = list(read_path(f, source=rel))
        except Exception:
            unhandled += 1
            print(f"UNHANDLED {rel}\n{traceback.format_exc()}", file=sys.stderr)
            continue
        slowest.append((time.perf_counter() - t0, rel))
        got = [i for i in items if isinstance(i, Entry)]
        errs = [i for i in items if isinstance(i, ParseError)]
        entries_n += len(got)
        for err in errs:
            kinds[err.kind] += 1
            if err.kind == "internal":
                unhandled += 1
                print(f"UNHANDLED (wrapped) {rel}: {err}", file=sys.stderr)
            elif "cannot parse:" in str(err):
                wrapped.append(f"{rel}: {err.problem}")
        if not errs:
            ingested += 1
        if f.suffix == ".opml":
            try:
                read_opml(f.read_bytes(), source=rel)
                opml["ok"] += 1
            except ParseError:
                opml["error"] += 1
            except Exception:
                unhandled += 1
                print(f"UNHANDLED opml {rel}\n{traceback.format_exc()}", file=sys.stderr)
        if "feedparser" in f.parts:
            exp = expectation(f.read_bytes())
            if exp is None:
                continue
            verdict, why = judge(exp, got)
            expect[verdict] += 1
            if verdict == "disagree":
                reasons[why] += 1
                disagreements.append((rel, why, exp))
    elapsed = time.perf_counter() - start

    if args.verbose:
        for rel, why, exp in disagreements:
            print(f"disagree {rel}: {why}: {exp}")
    slowest.sort(reverse=True)
    by_kind = ", ".join(f"{k}={v}" for k, v in sorted(kinds.items())) or "none"
    top = ", ".join(f"{r}={n}" for r, n in reasons.most_common(6)) or "none"
    print(f"slowest files: {', '.join(f'{r} {t:.2f}s' for t, r in slowest[:3])}")
    if wrapped:
        print(f"wrapped parser exceptions ({len(wrapped)}): {'; '.join(wrapped[:5])}")
    print(f"opml files: ok={opml['ok']} error={opml['error']}")
    print(f"main disagreement reasons: {top}")
    print(
        f"feeds corpus: files={files} ingested={ingested} entries={entries_n} "
        f"errors={sum(kinds.values())} (by kind: {by_kind}) unhandled={unhandled}; "
        f"expect agree={expect['agree']} disagree={expect['disagree']} n/a={expect['n/a']} "
        f"({elapsed:.0f}s)"
    )
    if args.json:
        result = {
            "files": files,
            "ingested": ingested,
            "entries": entries_n,
            "errors": dict(kinds),
            "unhandled": unhandled,
            "wrapped": wrapped,
            "opml": dict(opml),
            "expect": dict(expect),
            "reasons": dict(reasons),
            "disagreements": [{"file": r, "reason": w, "expect": e} for r, w, e in disagreements],
            "seconds": round(elapsed, 1),
        }
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 1 if unhandled else 0


if __name__ == "__main__":
    sys.exit(main())
