# args: pyint
def collatz_max(n):
    best, arg = 0, 0
    for start in range(1, n):
        x, steps = start, 0
        while x != 1:
            x = x // 2 if x % 2 == 0 else 3 * x + 1
            steps += 1
        if steps > best:
            best, arg = steps, start
    return arg, best
