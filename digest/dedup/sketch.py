"""datasketch's MinHash, LeanMinHash and MinHashLSH, imported without ``scipy.integrate``.

Observations
------------
* ``import datasketch`` imports every sketch it has; two of them (``lsh``, ``lsh_bloom``)
  import ``scipy.integrate``'s ``quad``, which brings ``scipy.special`` and
  ``scipy.optimize``: 0.35-0.85 s of a cold ``digest run``'s 2.6 s, for a function
  called only to find an LSH's bands and rows, which ``digest.dedup.index`` knows for its
  usual threshold (``KNOWN_BANDS``).

How it works
------------
While datasketch is imported, ``scipy.integrate`` is a stand-in module whose ``quad``
imports the real one when it is first called; the stand-in is gone once datasketch is in,
so any other ``import scipy.integrate`` gets the real module.  Where scipy.integrate is
already imported, or the stand-in is not enough for this datasketch (an ``ImportError``),
datasketch is imported the plain way.
"""

from __future__ import annotations

import sys
import types
from typing import Any


def _quad(*args: Any, **kwargs: Any) -> Any:
    """``scipy.integrate.quad``, imported at its first call."""
    from scipy.integrate import quad

    return quad(*args, **kwargs)


def _import_datasketch() -> None:
    if "datasketch" in sys.modules or "scipy.integrate" in sys.modules:
        return
    stand_in = types.ModuleType("scipy.integrate")
    stand_in.quad = _quad  # type: ignore[attr-defined]
    sys.modules["scipy.integrate"] = stand_in
    try:
        import datasketch  # noqa: F401
    except ImportError:  # this datasketch asks more of scipy.integrate: the plain way below
        for name in [m for m in sys.modules if m == "datasketch" or m.startswith("datasketch.")]:
            del sys.modules[name]
    finally:
        if sys.modules.get("scipy.integrate") is stand_in:
            del sys.modules["scipy.integrate"]
        scipy = sys.modules.get("scipy")
        # (vars: scipy's module ``__getattr__`` would import the real one to answer)
        if scipy is not None and vars(scipy).get("integrate") is stand_in:
            delattr(scipy, "integrate")


_import_datasketch()

from datasketch import LeanMinHash, MinHash, MinHashLSH  # noqa: E402

__all__ = ["LeanMinHash", "MinHash", "MinHashLSH"]
