# args: array(float64, 2d, C); pyint # boundscheck
def f(a, i):
    a[i, -1] += 1.0
    n, m = a.shape
    a[0, 0] = i
    return a[i, 0] + a.size + len(a) + a.ndim + m
