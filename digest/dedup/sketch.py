"""datasketch's MinHash, LeanMinHash and MinHashLSH, imported without ``scipy.integrate``;
scipy's average linkage without ``scipy.spatial``.

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

Average linkage (``digest.dedup.neighbours``): ``scipy.cluster.hierarchy.linkage`` of a
condensed distance matrix, method "average", is its compiled ``_hierarchy.nn_chain``; the
package ``scipy.cluster`` imports ``vq`` and ``hierarchy``, and they ``scipy.spatial``,
``scipy.special`` and more: 0.25-0.45 s of a cold run, for that one function.
:func:`average_linkage_tree` loads the compiled module alone (``scipy.cluster`` a stand-in
while it loads) and calls it as ``linkage`` does; where that fails (another scipy), it is
``linkage`` itself.  The same compiled function, so the same tree, bit for bit
(test_average_linkage_tree_is_scipys).
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from typing import Any

import numpy as np


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

__all__ = ["LeanMinHash", "MinHash", "MinHashLSH", "average_linkage_tree"]

#: ``scipy.cluster.hierarchy``'s code of the method "average" (its ``_LINKAGE_METHODS``).
_AVERAGE = 2
_NN_CHAIN: list[Callable[[np.ndarray, int, int], np.ndarray] | None] = []  # once loaded


def _load_nn_chain() -> Callable[[np.ndarray, int, int], np.ndarray] | None:
    import scipy

    stand_in = None
    if "scipy.cluster" not in sys.modules:  # else the package is in: nothing to spare
        stand_in = types.ModuleType("scipy.cluster")
        stand_in.__path__ = [p + "/cluster" for p in scipy.__path__]
        sys.modules["scipy.cluster"] = stand_in
    try:
        return getattr(importlib.import_module("scipy.cluster._hierarchy"), "nn_chain", None)
    except ImportError:
        return None
    finally:
        if stand_in is not None and sys.modules.get("scipy.cluster") is stand_in:
            del sys.modules["scipy.cluster"]
        if stand_in is not None and vars(scipy).get("cluster") is stand_in:
            delattr(scipy, "cluster")


def average_linkage_tree(dist: np.ndarray) -> np.ndarray:
    """``scipy.cluster.hierarchy.linkage(squareform(dist), method="average")`` of a square,
    symmetric, finite distance matrix with a zero diagonal (the merges, one a row)."""
    r = dist.shape[0]
    condensed = np.ascontiguousarray(dist[np.triu_indices(r, 1)], dtype=np.float64)
    if not _NN_CHAIN:
        _NN_CHAIN.append(_load_nn_chain())
    nn_chain = _NN_CHAIN[0]
    if nn_chain is not None:
        try:
            return np.asarray(nn_chain(condensed, r, _AVERAGE))
        except TypeError:  # another scipy's signature: the public way from now on
            _NN_CHAIN[0] = None
    from scipy.cluster.hierarchy import linkage

    return np.asarray(linkage(condensed, method="average"))
