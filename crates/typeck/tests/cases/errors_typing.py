# args: pyint; array(float64, 1d, C)
def f(x, a):
    t = (x, 1)
    y = x + t
    z = a[0, 1]
    q = a[1:2]
    x = t
    return math.modf(x) + "s"
