# args: unicode_type; int64
def f(s, n):
    words = s.split()
    d = {}
    for w in words:
        d[w] = d.get(w, 0) + 1
    t = ""
    for c in s[::-1]:
        if c != " ":
            t += c.upper()
    return f"{n:>4}|{s!r}|{len(t)}", "-".join(words) * n, s < t, "a" in s, int("12") + ord(s[0]), d
