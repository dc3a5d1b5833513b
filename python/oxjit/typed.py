"""Typed containers shared with compiled code, as Numba's `numba.typed`.

``List`` and ``Dict`` hold a list or dict of one item type (one key and one
value type) in oxjit's runtime. Passed to a jitted function they are the
same value there, not a copy: what the function changes, the caller sees,
and a function that returns one gives back that object. From Python every
operation works on the runtime value directly.

    >>> from oxjit.typed import List, Dict
    >>> from oxjit import types
    >>> l = List.empty_list(types.int64)
    >>> l.append(3); l[0]
    3
    >>> d = Dict.empty(types.unicode_type, types.float64)
    >>> d["a"] = 1.5; d
    DictType[unicode_type,float64]({'a': 1.5})
"""

from ._core import Dict, List

__all__ = ["List", "Dict"]
