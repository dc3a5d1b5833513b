# args: int64; int64
def f(a, b):
    r = 0
    try:
        r = a // b
    except (ZeroDivisionError, KeyError) as e:
        s = str(e)
        r = -len(s)
    except ValueError:
        raise
    except:
        r = -100
    else:
        r += 1
    finally:
        if a < 0:
            raise ValueError("negative a", a, f"{b}")
    return r
