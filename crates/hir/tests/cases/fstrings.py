def f(x, w):
    return f"a{x}b{x!r:>{w}}c{x=}" "tail"
