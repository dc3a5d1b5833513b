# args: unicode_type
def f(s):
    return s.join([1, 2])
