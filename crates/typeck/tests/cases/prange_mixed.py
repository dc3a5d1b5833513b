# args: array(float64, 1d, C) # parallel
def f(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i]
        if s > 10:
            s = 0.0
    return s
