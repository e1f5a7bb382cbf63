"""The formulas' primitives on PyTorch: ``torch`` kernels, eager-friendly
(eager PyTorch runs each op as its own kernel), each keeping float64 in
float64 (``keras.ops.minimum``, ``maximum`` and ``logaddexp`` do not)."""

import torch
import torch.nn.functional as F

# -- element-wise ----------------------------------------------------------------
abs = torch.abs  # noqa: A001  (keras.ops's names, shadowing builtins on purpose)
cos = torch.cos
erf = torch.special.erf
erfc = torch.special.erfc
exp = torch.exp
expm1 = torch.special.expm1
log = torch.log
log1p = torch.log1p
reciprocal = torch.reciprocal
relu = torch.relu
sigmoid = torch.sigmoid
sign = torch.sign
sin = torch.sin
sqrt = torch.sqrt
tanh = torch.tanh
isnan = torch.isnan
isinf = torch.isinf
isfinite = torch.isfinite
maximum = torch.maximum
minimum = torch.minimum
where = torch.where
equal = torch.eq
not_equal = torch.ne
logical_and = torch.logical_and
logical_or = torch.logical_or
logical_not = torch.logical_not
zeros_like = torch.zeros_like
ones_like = torch.ones_like


def relu6(x):
    return F.hardtanh(x, 0.0, 6.0)


def softplus(x):
    """``log(1 + exp(x))`` for any x, to full precision: PyTorch's kernel (one
    pass; ``max(x, 0) + log1p(exp(-|x|))``, four, took 1.9x its time on 2^22
    float32 elements), whose threshold, past which it returns x itself, is
    where ``exp(-x)`` is below half an ulp of x (its default, 20, is off by
    exp(-20) ~ 2e-9 in float64)."""
    return F.softplus(x, threshold=40.0 if x.dtype == torch.float64 else 20.0)


def softsign(x):
    return x / (1 + torch.abs(x))


def clip(x, low, high):
    return torch.clamp(x, low, high)


def identity(x):
    return x.clone()


# -- PyTorch's own kernels of the formulas' rules (torch_kernels) ------------------
from keras_acts.backend.torch_kernels import (  # noqa: E402, F401  (the seam's names)
    EAGER_KERNELS,
    EXACT_KERNELS,
    FINITE_KERNELS,
    all_finite,
    known_finite,
    mark_finite,
    recording_gradients,
)


# -- reductions and shapes ---------------------------------------------------------
def _dim(axis):
    return () if axis is None else axis


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return torch.sum(x, dim=_dim(axis), keepdim=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return torch.amax(x, dim=_dim(axis), keepdim=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return torch.amin(x, dim=_dim(axis), keepdim=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    if axis is None:
        return torch.any(x)
    return torch.any(x, dim=axis, keepdim=keepdims)


def cumsum(x, axis):
    return torch.cumsum(x, dim=axis)


def moveaxis(x, source, destination):
    return torch.movedim(x, source, destination)


def reshape(x, shape):
    return torch.reshape(x, tuple(shape))


def stack(values, axis):
    return torch.stack(values, dim=axis)


def cast(x, dtype):
    if not isinstance(dtype, torch.dtype):
        from keras.src.backend.torch.core import to_torch_dtype

        dtype = to_torch_dtype(dtype)
    return x.to(dtype)


def unstack(x, num, axis):
    return list(torch.unbind(x, dim=axis))


def full_like(x, value):
    return torch.full_like(x, float(value))


def dims(x):
    return list(x.shape)


def sort_descending(x):
    return torch.sort(x, dim=-1, descending=True).values


def arange(start, stop, like):
    return torch.arange(start, stop, dtype=like.dtype, device=like.device)


def constant(value, like):
    return torch.tensor(value, dtype=like.dtype, device=like.device)


def dtype_name(x):
    return str(x.dtype).rpartition(".")[2]


def largest(x):
    return torch.finfo(x.dtype).max
