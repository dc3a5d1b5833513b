def f(a, n):
    scale = 2.0
    def g(i):
        return a[i] * scale + n
    h = lambda x, y: g(x) + y
    def outer_sum(k):
        def inner(j):
            return j * n
        return inner(k) + scale
    return h(0, 1.0) + outer_sum(3)
