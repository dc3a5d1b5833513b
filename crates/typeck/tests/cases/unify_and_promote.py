# args: float32; int8; pyint
def f(x, k, n):
    y = 0
    if n > 0:
        y = 1.5
    z = x * 2.0
    w = k + 1
    m = max(n, 3, 2)
    c = complex(n, 1).conjugate()
    return y, z, w, m, c.imag, math.floor(y), 0 < n <= 10 and n != 5
