# args: array(int16, 1d, C); class(float32)
def f(a, t):
    dt = a.dtype
    b = np.zeros(3, dtype=dt)
    c = t(a)
    return b, c, a.dtype.type(7), dt == np.int16, np.dtype(t)
