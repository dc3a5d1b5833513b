# args: list(int64); unicode_type
def f(l, w):
    total = sum(x * 0.5 for x in l if x > 0)
    big = any(x > 10 for x in l)
    small = all(x < 100 for x in l)
    lo = min(x for x in l)
    hi = max(c for c in w)
    d = {x: x * x for x in l}
    pairs = dict(zip(l, w))
    words = " ".join(str(x) for x in l)
    n = 0
    for y in (x + 1 for x in l if x % 2 == 0):
        n += y
    return total, big, small, lo, hi, d, pairs, words, n, sum(set(l))
