# args: array(float64, 1d, C) # parallel
def f(a):
    last = 0.0
    for i in prange(a.shape[0]):
        a[i] = last
        last = a[i] * 2.0
    return last
