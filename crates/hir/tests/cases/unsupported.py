def f(a, *rest):
    xs = [i for i in range(3)]
    g = lambda t: t
    try:
        pass
    except* Exception:
        pass
    return undefined_name + math.nonexistent
