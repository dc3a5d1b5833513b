# args: array(float64, 1d, C); array(int64, 1d, C) # parallel
def f(a, b):
    total = 0.0
    prod = 1
    lo = 1e300
    hi = -1
    bits = 0
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        t = a[i] * 2.0
        total += t
        total -= 1.0
        prod *= b[i]
        lo = min(lo, t)
        hi = max(b[i], hi)
        bits |= b[i]
        out[i] = t
    for i in prange(3):
        for j in range(b[i]):
            prod = prod * 2
    return total, prod, lo, hi, bits, out
