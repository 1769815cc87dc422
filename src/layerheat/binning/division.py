"""Correctly rounded division by a number known ahead, in fused multiply-adds that vectorize.

A vector division costs several times a multiply-add per lane, and a loop that divides
by the same canvas side or cell count for every row pays it on every row. From the
divisor's correctly rounded reciprocal ``rb``, :func:`divide` gets ``a / b`` with one
product and two Markstein corrections (Markstein 1990; Muller et al., *Handbook of
Floating-Point Arithmetic*, the theorem on division with an FMA): the first makes the
quotient faithful, the second, from the exact remainder ``a - b * q``, rounds it as
IEEE division does. The result equals ``a / b`` bit for bit while no step underflows or
overflows, which holds when ``a``, ``b`` and ``a / b`` are zero or have magnitudes in
[SAFE_LOW, SAFE_HIGH]; callers check that and divide plainly otherwise.

    >>> import numpy as np
    >>> from numba import njit
    >>> @njit
    ... def third(a):
    ...     return divide(a, 3.0, 1.0 / 3.0)
    >>> all(third(float(a)) == a / 3.0 for a in range(1, 1000))
    True
"""

from __future__ import annotations

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["SAFE_HIGH", "SAFE_LOW", "divide", "fma"]

#: magnitudes between these keep every step of :func:`divide` clear of underflow and
#: overflow (the remainder's exponent is about a's minus 53; the limits leave margin)
SAFE_LOW = 2.0**-900
SAFE_HIGH = 2.0**900


@intrinsic
def fma(typingctx, a, b, c):  # noqa: ANN001, ANN201, ARG001 - Numba's intrinsic protocol
    """``a * b + c`` rounded once (LLVM's ``llvm.fma.f64``: one instruction where the CPU
    has FMA, a correct library call where it has not)."""
    if not all(isinstance(t, types.Float) for t in (a, b, c)):
        return None
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202, ARG001
        d = ir.DoubleType()
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(d, [d, d, d]), "llvm.fma.f64"
        )
        return builder.call(fn, args)

    return sig, codegen


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def divide(a, b, rb):  # noqa: ANN001, ANN201
    """``a / b`` exactly as IEEE division rounds it, given ``rb = 1.0 / b``, for operands
    in the safe range (see the module). NaN in, NaN out."""
    q = a * rb
    q = fma(fma(-q, b, a), rb, q)  # faithful: within one unit in the last place
    return fma(fma(-q, b, a), rb, q)  # the remainder is exact now: correctly rounded
