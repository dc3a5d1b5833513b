# args: array(int64, 1d, C); array(float64, 2d, C)
def f(a, b):
    a += 1.5
    z = np.zeros(3, dtype="nonsense")
    w = b.sum(axis=2)
    return b.frobnicate()
