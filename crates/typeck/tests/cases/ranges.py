# args: int64; range_state64
def f(n, r):
    q = range(1, n, 2)
    s = 0
    for x in q:
        s += x
    return s, len(r), r[-1], n in r, r.step, q
