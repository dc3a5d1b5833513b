# args: pyint
def f(n):
    return f(n - 1) + 1
