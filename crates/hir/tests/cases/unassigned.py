def f(x, n):
    for i in range(n):
        if i == 0:
            y = 1
        else:
            y = y + 1
    while n > 0:
        z = w if n > 5 else 0
        w = n
        n -= 1
    r = acc * 2
    acc = x
    return r + y + z
