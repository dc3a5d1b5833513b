# args: pyint # parallel
def f(n):
    t = 0.0
    for i in prange(n):
        t = i * 2.0
    if n > 3:
        t = 1.0
    return t + i
