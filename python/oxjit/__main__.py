"""``python -m oxjit``: version information, and ``python -m oxjit demo``
to run the demonstration (the same as ``python -m oxjit.demo``)."""

import sys


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "demo":
        from .demo import main as demo_main

        return demo_main(argv[1:])
    if argv and argv[0] not in ("-V", "--version", "version"):
        print("usage: python -m oxjit [--version | demo [--quick] [--no-numba]]", file=sys.stderr)
        return 2
    import numpy

    import oxjit

    print(f"oxjit {oxjit.__version__} (NumPy {numpy.__version__}, Python {sys.version.split()[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
