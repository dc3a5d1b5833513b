# args: int64
def f(n):
    d = {}
    for i in range(n):
        d[i % 3] = d.get(i % 3, 0) + i
    t = {(1, 2): 0.5}
    s = 0
    for k, v in d.items():
        s += k * v
    del d[0]
    return d, s, len(d), 2 in d, t[(1, n)], d.pop(1, -1), list(d.values())
