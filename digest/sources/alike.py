"""A poll round's failures and recoveries said in one line where many sources share them.

Observations
------------
* The daemon said each failed read in a line of its own, and each source that read again after
  failing in another ("Feed 7: reads again after 1 failed read").  When the network is down
  every feed fails alike, and comes back alike: 200 feeds were 200 warnings in one round, then
  200 lines in the round after, hiding anything else the log said (stop 56).  Operators of such
  tools expect one line for the many: how many sources, and why in common.
* Two sources' errors differ by the address each names ("cannot connect to 127.0.0.1:19100:
  Connection refused", "... 19101 ..."): the reason they share is the line without it.

How it works
------------
:func:`common_reason` takes a failure's line without the source's name, URL, host and port.
:class:`RoundLines` collects the failure lines and the recovery lines of one round (the
trackers hand them over instead of logging them, ``digest.sources.tracking``); :meth:`RoundLines.say`
logs, for each reason at least :data:`~digest.sources.params.ALIKE_AT` sources share, one
warning naming how many, the reason, the first few names and the next tries; the sources
whose reason no other shares get their own line as before.  :func:`run_lines` does the same
for ``digest run``'s error lines.  Recoveries likewise: one INFO
line for many, each's own for a few.  Every source's own line is still logged, at DEBUG
(``--verbose``).  ``digest sources`` is unchanged: each source keeps its own error.

Special cases
-------------
* A source's name is shown as a terminal shows it (:func:`names`: its bidi runs closed within
  it, its control characters U+FFFD), and so is the reason: a name opening a U+202E it never
  closed turned the rest of the line around (stop 57).
* A line of the trackers' other kinds (a source paused, gone, a paused source's retry) is
  said as it was, in its own line: those are rare, and each asks something of the operator.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import SourceError
from ..records import plural
from ..text.shown import terminal_line
from .params import ALIKE_AT, ALIKE_NAMED

_URL = re.compile(r"\s*(?:\b(?:from|to|for|at)\s+)?\bhttps?://[^\s,;)]*[^\s,;):]", re.I)
_HOST_PORT = re.compile(r"\b(?:(to)\s+(?:\[[0-9a-f:.]+\]|[\w.-]+):\d+|(the host)\s+(?:\[[0-9a-f:.]+\]|[\w.-]+))", re.I)
_ADDRESS = re.compile(r"^(refused):?\s+(?:\[[0-9a-f:.]+\]|[\w.-]+)\s+(is a|resolves only to)", re.I)
_LISTED = re.compile(r"\s*\((?:[0-9a-f:.]+(?:, )?)+(?:, \.\.\.)?\)", re.I)
_PORT = re.compile(r", not allowed on port \d+")


def common_reason(exc: SourceError) -> str:
    """What ``exc`` says without the address it names: the reason several sources can share
    ("cannot connect: Connection refused", "timed out reading (limit 20s)", "HTTP 503
    Service Unavailable")."""
    text = _URL.sub("", exc.problem)
    text = _HOST_PORT.sub(lambda m: "" if m.group(1) else "the host", text)
    text = _ADDRESS.sub(lambda m: f"{m.group(1)}: the host {m.group(2)}", text)
    text = _PORT.sub("", _LISTED.sub("", text))
    return " ".join(text.replace(" :", ":").split())


def names(sources: Sequence[str], shown: int = ALIKE_NAMED) -> str:
    """The first ``shown`` names, and how many more ("A, B, C and 27 more"), each as a terminal
    shows it (``text.shown.terminal_line``): its bidi runs closed within it, its control
    characters U+FFFD.  A name opening a U+202E it never closes (a feed's title, as ``digest
    add`` names a source) turned the rest of the line around, the names after it and the
    reason with them (stop 57)."""
    head = ", ".join(terminal_line(s) for s in sources[:shown])
    return head if len(sources) <= shown else f"{head} and {len(sources) - shown} more"


def run_lines(errors: Sequence[SourceError]) -> list[str]:
    """``digest run``'s error lines: each source's own, but one for each reason at least
    :data:`~digest.sources.params.ALIKE_AT` sources share, where the first of them was
    (a cron run with the network down mailed a line per feed; ``digest sources`` names each)."""
    by_reason: dict[str, list[SourceError]] = {}
    for exc in errors:
        by_reason.setdefault(common_reason(exc), []).append(exc)
    out, said = [], set()
    for exc in errors:
        reason = common_reason(exc)
        alike = by_reason[reason]
        if len(alike) < ALIKE_AT:
            out.append(str(exc))
        elif reason not in said:
            said.add(reason)
            out.append(f"{plural(len(alike), 'source')} failed alike: {terminal_line(reason)} "
                       f"({names([e.source for e in alike])}; digest sources names each)")
    return out


@dataclass
class RoundLines:
    """One round's failure and recovery lines, said together by :meth:`say`."""

    #: (source, its own line, the reason it shares, the seconds before its next try)
    failures: list[tuple[str, str, str, float | None]] = field(default_factory=list)
    #: (source, its own line, how many reads had failed)
    recoveries: list[tuple[str, str, int]] = field(default_factory=list)

    def failed(self, source: str, line: str, exc: SourceError, delay: float | None) -> None:
        self.failures.append((source, line, common_reason(exc), delay))

    def recovered(self, source: str, line: str, failures: int) -> None:
        self.recoveries.append((source, line, failures))

    def say(self, log: logging.Logger, recovered_log: logging.Logger | None = None) -> None:
        """Log the round's lines (see module docstring) and forget them."""
        by_reason: dict[str, list[tuple[str, str, str, float | None]]] = {}
        for item in self.failures:
            by_reason.setdefault(item[2], []).append(item)
        for reason, items in by_reason.items():
            if len(items) < ALIKE_AT:
                for _, line, _, _ in items:
                    log.warning("%s", line)
                continue
            for _, line, _, _ in items:
                log.debug("%s", line)
            delays = [d for *_, d in items if d is not None]
            nxt = f"; next tries in {min(delays):.0f}-{max(delays):.0f}s" if delays else ""
            log.warning("%s failed alike: %s (%s%s)", plural(len(items), "source"), terminal_line(reason),
                        names([s for s, *_ in items]), nxt)
        said = recovered_log or log
        if len(self.recoveries) < ALIKE_AT:
            for _, line, _ in self.recoveries:
                said.info("%s", line)
        elif self.recoveries:
            for _, line, _ in self.recoveries:
                said.debug("%s", line)
            counts = sorted({n for *_, n in self.recoveries})
            each = plural(counts[0], "failed read") + " each" if len(counts) == 1 else (
                f"{counts[0]}-{counts[-1]} failed reads")
            said.info("%s read again after %s (%s)", plural(len(self.recoveries), "source"), each,
                      names([s for s, *_ in self.recoveries]))
        self.failures, self.recoveries = [], []
