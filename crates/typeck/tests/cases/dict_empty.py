# args: int64
def f(n):
    e = {}
    return len(e)
