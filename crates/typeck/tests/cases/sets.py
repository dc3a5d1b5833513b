# args: int64; list(int64)
def f(n, l):
    s = set()
    for i in range(n):
        s.add(i % 5)
    t = {1, 2.5}
    u = s | {7}
    u &= {1, 2, 7}
    s.update(l)
    return s, t, u, 3 in s, s <= u, len(s), sorted(s), {x * 2 for x in s if x > 1}
