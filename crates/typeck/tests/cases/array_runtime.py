# args: array(float64, 1d, C); array(float64, 2d, C)
def f(a, m):
    np.random.seed(42)
    r = np.random.rand(3, 2) + np.random.random()
    pos = a[a > 0]
    a[a < 0] = 0.0
    idx = np.nonzero(a)[0]
    s = np.sort(a)[idx]
    c = np.cumsum(m, axis=1)
    d = m @ m + np.dot(m, m.T)
    e = np.concatenate((a, pos))
    return r, s, c, d, e, np.random.randint(0, 10, size=(2, 2)), np.random.normal(1.0, 2.0)
