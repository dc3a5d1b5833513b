def f(d, k):
    e = {k: 1, 2: k * 2}
    del e[k]
    for key, v in e.items():
        d = {}
    return e
