# args: array(float64, 1d, C); array(float32, 2d, C); pyfloat
def f(a, b, t):
    c = np.sqrt(a * 2.0 + t) - np.tanh(a)
    d = b[1:, ::2] * 2.0
    b[0, :] = 1.5
    a += c
    z = np.zeros((3, 4), dtype=np.int32)
    r = np.arange(10)
    s = c.sum() + b.mean(axis=0)[0] + np.max(a)
    for row in b:
        s += row[0]
    return a + 1, s, b.T, d[None, :, 0]
