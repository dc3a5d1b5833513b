# args: array(float64, 1d, C) # parallel
def f(a):
    s = 0.0
    for i in prange(a.shape[0]):
        if a[i] < 0:
            break
        s += a[i]
    return s
