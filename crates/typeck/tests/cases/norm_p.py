# args: float64[:]; float64
def norm_p(a, p):
    s = 0.0
    for v in a:
        s += abs(v) ** p
    return s ** (1.0 / p)
