# args: list(pyint); array(float64, 1d, C)
def f(l, a):
    out = []
    for x in l:
        out.append(x * 0.5)
    sq = [v * v for v in a if v > 0.0]
    sq.insert(0, 1.0)
    last = sq.pop()
    l[0] += 1
    return out, sq[1:], last, len(l), 3 in l, sorted(l)
