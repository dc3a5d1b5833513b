# args: list(pyint)
def f(l):
    e = []
    l.append(0.5)
    return len(e)
