"""Array expressions call glibc's SIMD math (libmvec) inside their loops;
scalar code keeps libm. Stated accuracy of the SIMD variants against NumPy:
4 ULP for float64 and 8 ULP for float32 (glibc documents libmvec's functions
to 4 ULP; NumPy's own SIMD loops differ from the exact result too, and the
two errors add up)."""

import re

import numpy as np
import pytest

from array_helpers import expr_kernel
from conftest import assert_precise_equal
from oxjit import njit

VECTOR_ULPS = {np.float64: 4, np.float32: 8}


def has_avx2():
    try:
        with open("/proc/cpuinfo") as f:
            return " avx2" in f.read()
    except OSError:
        return False


@njit
def tanh_array(a):
    return np.tanh(a)


@njit
def tanh_scalar_loop(a):
    s = 0.0
    for x in a:
        s += np.tanh(x)
    return s


@pytest.mark.skipif(not has_avx2(), reason="libmvec's variants need AVX2")
def test_array_expression_uses_simd_math():
    tanh_array(np.ones(8))
    ir = tanh_array.inspect_llvm()[(tanh_array.signatures[0])]
    assert re.search(r"call <\d+ x double> @_ZGV[de]N\d+v_tanh", ir), "the loop should call a libmvec variant"


def test_scalar_code_keeps_libm():
    tanh_scalar_loop(np.ones(8))
    ir = tanh_scalar_loop.inspect_llvm()[(tanh_scalar_loop.signatures[0])]
    assert "@_ZGV" not in ir.split("llvm.compiler.used")[-1] or "call double @tanh" in ir


@pytest.mark.parametrize("name", ["tanh", "exp", "log", "sin", "cos", "tan", "arctan", "sinh", "log1p", "expm1", "cbrt", "log10", "arcsinh"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=lambda d: np.dtype(d).name)
def test_simd_math_accuracy(name, dtype):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(4099) * 3).astype(dtype)
    if name.startswith("log"):
        x = np.abs(x) + dtype(0.01)
    assert_precise_equal(expr_kernel(f"np.{name}(a)")(x), getattr(np, name)(x), VECTOR_ULPS[dtype])
