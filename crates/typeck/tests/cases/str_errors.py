# args: unicode_type
def f(s):
    return s + 1
