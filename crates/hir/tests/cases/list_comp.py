def f(n, a):
    i = -1
    xs = [i * j for i in range(n) if i % 2 for j in range(i)]
    ys = [[k for k in range(j)] for j in a]
    return xs, ys, i
