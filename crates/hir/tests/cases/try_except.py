def f(a, b):
    try:
        r = a // b
    except (ZeroDivisionError, KeyError) as e:
        r = len(str(e))
    except ValueError:
        raise
    except:
        r = 0
    else:
        r += 1
    finally:
        b = 2
    return r
