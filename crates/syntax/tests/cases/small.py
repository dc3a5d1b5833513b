    def f(a, b=2):
        return a[0] + b if a else -b
