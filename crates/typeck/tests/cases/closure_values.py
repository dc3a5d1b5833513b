# args: int64; float64
def f(n, x):
    g = lambda y: y + n
    h = g
    pair = (g, x)
    return n
