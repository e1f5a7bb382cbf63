"""Validators for activation parameters.

Each validator is called as ``validator(name, value)`` and returns the
normalized value or raises ``ValueError`` (``TypeError`` for a value of the
wrong kind altogether is not used: every message has one form) naming the
parameter and the value. They run when a function is called with Python
values, when a layer is constructed and when a saved layer is loaded, so a bad
argument fails before any tensor is touched. ``describe()`` gives the
constraint in words for the catalog page and the command line.
"""

import math
import numbers

import keras
import numpy as np


def invalid(name, value, expected):
    """The one form of a bad-argument error: the name, the value, the rule."""
    return ValueError(
        f"Invalid value for argument `{name}`: {value!r}. Expected {expected}."
    )


class Real:
    """A finite real number, optionally bounded; ``optional`` admits None."""

    def __init__(self, min=None, max=None, min_open=False, optional=False):
        self.min = min
        self.max = max
        self.min_open = min_open
        self.optional = optional

    def describe(self):
        words = "float"
        if self.min is not None:
            words += f" {'>' if self.min_open else '>='} {self.min}"
        if self.max is not None:
            words += f" {'and ' if self.min is not None else ''}<= {self.max}"
        if self.optional:
            words += " or None"
        return words

    def __call__(self, name, value):
        if value is None and self.optional:
            return None
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise invalid(name, value, f"a {self.describe()}")
        value = float(value)
        if math.isnan(value) or math.isinf(value):
            raise invalid(name, value, f"a finite {self.describe()}")
        too_small = self.min is not None and (
            value <= self.min if self.min_open else value < self.min
        )
        too_large = self.max is not None and value > self.max
        if too_small or too_large:
            raise invalid(name, value, f"a {self.describe()}")
        return value


class Boolean:
    """``True`` or ``False`` (NumPy booleans accepted)."""

    def describe(self):
        return "bool"

    def __call__(self, name, value):
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise invalid(name, value, "True or False")


class Integer:
    """An integer, optionally bounded below; ``optional`` admits None."""

    def __init__(self, min=None, optional=False):
        self.min = min
        self.optional = optional

    def describe(self):
        words = "int" if self.min is None else f"int >= {self.min}"
        return words + (" or None" if self.optional else "")

    def __call__(self, name, value):
        if value is None and self.optional:
            return None
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise invalid(name, value, f"an {self.describe()}")
        if self.min is not None and value < self.min:
            raise invalid(name, value, f"an {self.describe()}")
        return int(value)


class Axis:
    """An axis: an int, or a non-empty tuple/list of distinct ints."""

    def __init__(self, allow_tuple=True, allow_none=False):
        self.allow_tuple = allow_tuple
        self.allow_none = allow_none

    def describe(self):
        words = "int or tuple of ints" if self.allow_tuple else "int"
        return words + (" or None" if self.allow_none else "")

    @staticmethod
    def _is_int(value):
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)

    def __call__(self, name, value):
        if value is None and self.allow_none:
            return None
        if self._is_int(value):
            return int(value)
        if self.allow_tuple and isinstance(value, (tuple, list)):
            if value and all(self._is_int(v) for v in value):
                if len(set(value)) == len(value):
                    return tuple(int(v) for v in value)
        raise invalid(name, value, f"an axis ({self.describe()})")

    @staticmethod
    def check_rank(name, value, rank):
        """Refuse an axis outside ``[-rank, rank)`` of an input of ``rank``
        (None: unknown, nothing to check). TensorFlow would wrap a huge axis
        around onto another one, or fail deep inside a kernel."""
        if value is None or rank is None:
            return
        for axis in value if isinstance(value, tuple) else (value,):
            if not -rank <= axis < rank:
                raise invalid(
                    name, value,
                    f"axes in [-{rank}, {rank}) for an input of rank {rank}"
                    if rank else "no axis for a scalar input (rank 0): give it a rank",
                )


class TensorLike:
    """A number, or numbers broadcastable to the input: a tensor, a NumPy
    array, or a list or tuple of numbers (nested for more axes).

    Numbers and NumPy values must be finite real numbers: a list or tuple
    becomes a float64 NumPy array (Python's floats are float64), a NumPy
    array keeps its floating dtype (integers become float64). A tensor's
    values are not checked (it may be symbolic, or a learned weight).
    Whether the shape broadcasts to the input is checked once the input is
    known (``check_broadcast``).
    """

    expected = "a finite number, a list or NumPy array of finite numbers, or a tensor"

    def describe(self):
        return "float or tensor"

    def __call__(self, name, value):
        if isinstance(value, (bool, np.bool_)) or value is None:
            raise invalid(name, value, self.expected)
        if isinstance(value, numbers.Real):
            if not math.isfinite(value):
                raise invalid(name, value, self.expected)
            return float(value)
        if isinstance(value, (list, tuple, np.ndarray)):
            return self._array(name, value)
        if keras.ops.is_tensor(value) or hasattr(value, "shape"):  # tensors, variables
            return value
        raise invalid(name, value, self.expected)

    def _array(self, name, value):
        """A list, tuple or NumPy array of finite real numbers, as an array."""
        if isinstance(value, np.ndarray):
            real = value.dtype.kind in "iuf"
            array = value
        else:
            try:  # an object array keeps each item as given, to be checked
                items = np.asarray(value, dtype=object)
            except ValueError:
                items = np.asarray([None], dtype=object)  # refused below
            real = items.size > 0 and all(
                isinstance(item, numbers.Real) and not isinstance(item, (bool, np.bool_))
                for item in items.flat
            )
            array = items.astype(np.float64) if real else items
        if not real or array.size == 0:
            raise invalid(name, value, self.expected)
        if array.dtype.kind != "f":
            array = array.astype(np.float64)
        if not np.isfinite(array).all():
            raise invalid(name, value, self.expected)
        return array

    @staticmethod
    def check_broadcast(name, value, shape):
        """Refuse a tensor ``value`` whose static shape does not broadcast to
        an input of ``shape`` (or would make the output larger than it)."""
        value_shape = getattr(value, "shape", None)
        if value_shape is None:
            return
        value_shape, shape = _dims(value_shape), _dims(shape)
        if value_shape is None or shape is None:
            return
        if not broadcasts_within(value_shape, shape):
            raise ValueError(
                f"Invalid value for argument `{name}`: a value of shape "
                f"{tuple(value_shape)}. Expected a number or a tensor "
                f"whose shape broadcasts to the input's shape {tuple(shape)}."
            )


def _dims(shape):
    """A shape as a list of ints and Nones, or None where its rank is unknown
    (any backend's shape: a tuple, a ``torch.Size``, a ``tf.TensorShape``)."""
    if shape is None or getattr(shape, "rank", 0) is None:
        return None
    try:
        return [None if d is None else int(d) for d in shape]
    except (TypeError, ValueError):  # a dynamic size
        return None


def broadcasts_within(value_shape, shape):
    """Whether a value of ``value_shape`` broadcasts to ``shape`` without
    making it larger: no more axes, each size 1 or the input's (an unknown
    size, None on either side, may be either). Both ranks are known."""
    value_shape, shape = list(value_shape), list(shape)
    if len(value_shape) > len(shape):
        return False
    return all(
        size in (1, None) or other is None or size == other
        for size, other in zip(reversed(value_shape), reversed(shape))
    )


class Tensor(TensorLike):
    """A number or a tensor broadcastable to the input, for a parameter with
    a gradient (``differentiable``).

    Numbers become float64 NumPy scalars: the gradient core casts such
    parameters with ``tf.cast``, which would first make a Python float a
    float32 tensor (0.1 would drift by ~1e-9 in float64 math).
    """

    def __call__(self, name, value):
        value = super().__call__(name, value)
        if isinstance(value, float):
            return np.float64(value)
        return value


class PositiveOrTensor(Tensor):
    """A finite number > 0, or numbers > 0 as ``TensorLike`` takes them (a
    tensor's values are not checked: it may be a learned weight)."""

    expected = "a finite float > 0, a list or NumPy array of them, or a tensor"

    def describe(self):
        return "float > 0 or tensor"

    def __call__(self, name, value):
        checked = super().__call__(name, value)
        if isinstance(checked, (np.float64, np.ndarray)) and not np.all(checked > 0.0):
            raise invalid(name, value, self.expected)
        return checked


class SeedPerCall:
    """The seed of one random call, drawn once and shared by both passes.

    The forward pass draws it (from a ``SeedGenerator``, an int, the global
    generator for None, or a seed tensor as is) only when it needs one; the
    backward pass gets the same tensor and regenerates the same numbers.
    """

    # Drawing reaches into Keras's private seed code, which only the engine's
    # hooks touch; the engine, above this module, hands its drawer over when
    # it loads (``draw_with``).
    _draw = None

    def __init__(self, seed):
        self.seed = seed
        self._tensor = None

    @classmethod
    def draw_with(cls, draw):
        """Make ``draw(seed)`` (int, ``SeedGenerator`` or None -> seed
        tensor) the drawer of every call's seed."""
        cls._draw = staticmethod(draw)

    def tensor(self):
        if self._tensor is None:
            if keras.ops.is_tensor(self.seed):
                self._tensor = self.seed
            elif self._draw is None:
                raise RuntimeError(
                    "keras_acts.engine draws random seeds and is not loaded: "
                    "import keras_acts first."
                )
            else:
                self._tensor = self._draw(self.seed)
        return self._tensor

    def __repr__(self):
        return repr(self.seed)


class Seed:
    """An int, a ``keras.random.SeedGenerator``, a seed tensor or None;
    becomes a ``SeedPerCall``."""

    def describe(self):
        return "int, keras.random.SeedGenerator or None"

    def __call__(self, name, value):
        if isinstance(value, SeedPerCall):
            return value
        if value is None or keras.ops.is_tensor(value) or isinstance(
            value, keras.random.SeedGenerator
        ):
            return SeedPerCall(value)
        return SeedPerCall(check_seed(name, value))


#: What ``keras.random.SeedGenerator`` and Keras's seed drawing take: an int64.
SEED_RANGE = (-(2**63), 2**63 - 1)


def check_seed(name, value):
    """An int seed as Keras takes it (an int64), or None."""
    if value is None:
        return None
    low, high = SEED_RANGE
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise invalid(name, value, "an int seed or None")
    if not low <= value <= high:
        raise invalid(name, value, f"an int seed in [{low}, {high}] (an int64) or None")
    return int(value)
