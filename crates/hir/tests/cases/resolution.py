    def f(a, p=2.0):
        s = 0.0
        for v in a:
            s += abs(v) ** p
        if not 0 < s <= math.inf and a.shape[0] > 1:
            raise ValueError("bad norm")
        return np.sqrt(s) * math.pi
