def f(l, d):
    s = {x * 2 for x in l if x > 1}
    e = {k: v for k, v in d.items()}
    t = sum(x for x in l)
    u = {1, 2, 3}
    w = sorted(l, key=lambda y: -y)
    return s, e, t, u, w, [x for x in l for z in range(x)]
