"""Settings that come from the environment.

- ``OXJIT_DISABLE_JIT=1``: the decorators return the Python function
  unchanged (read when a function is decorated).
- ``OXJIT_BOUNDSCHECK``: ``1`` turns bounds checking on for every function,
  ``0`` turns it off for every function, unset leaves it to the decorator's
  ``boundscheck=`` option (off by default).

The values are read once at import; tests and tools that change the
environment call `reload_config()`. Assigning to the module attributes
(``oxjit.config.DISABLE_JIT = True``) also works, as in Numba.
"""

import os

DISABLE_JIT = False
BOUNDSCHECK = None


def _flag(name):
    """The environment variable as True/False, or None when unset or empty."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    if value.lower() in ("0", "false", "no", "off"):
        return False
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    try:
        return bool(int(value))
    except ValueError:
        raise ValueError(f"{name} must be 0 or 1, not {value!r}") from None


def reload_config():
    """Re-read the environment into this module's settings."""
    global DISABLE_JIT, BOUNDSCHECK
    DISABLE_JIT = bool(_flag("OXJIT_DISABLE_JIT"))
    BOUNDSCHECK = _flag("OXJIT_BOUNDSCHECK")


reload_config()
