"""Validators for activation parameters.

Each validator is called as ``validator(name, value)`` and returns the
normalized value or raises ``ValueError`` naming the parameter and the value.
They run when a function is called with Python values and when a layer is
constructed, so a bad argument fails before any tensor is touched.
``describe()`` gives the constraint in words for the catalog page and the CLI.
"""

import math
import numbers

import tensorflow as tf


def _invalid(name, value, expected):
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
            raise _invalid(name, value, f"a {self.describe()}")
        value = float(value)
        if math.isnan(value) or math.isinf(value):
            raise _invalid(name, value, f"a finite {self.describe()}")
        too_small = self.min is not None and (
            value <= self.min if self.min_open else value < self.min
        )
        too_large = self.max is not None and value > self.max
        if too_small or too_large:
            raise _invalid(name, value, f"a {self.describe()}")
        return value


class Boolean:
    """``True`` or ``False`` (NumPy booleans accepted)."""

    def describe(self):
        return "bool"

    def __call__(self, name, value):
        if isinstance(value, bool) or type(value).__name__ == "bool_":
            return bool(value)
        raise _invalid(name, value, "True or False")


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
            raise _invalid(name, value, f"an {self.describe()}")
        if self.min is not None and value < self.min:
            raise _invalid(name, value, f"an {self.describe()}")
        return int(value)


class Axis:
    """An axis: an int, or a non-empty tuple/list of distinct ints."""

    def __init__(self, allow_tuple=True, allow_none=False):
        self.allow_tuple = allow_tuple
        self.allow_none = allow_none

    def describe(self):
        words = "int or tuple of ints" if self.allow_tuple else "int"
        return words + (" or None" if self.allow_none else "")

    def _is_int(self, value):
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
        raise _invalid(name, value, f"an axis ({self.describe()})")


class TensorLike:
    """A number or tensor broadcastable to the input; no checks on values."""

    def describe(self):
        return "float or tensor"

    def __call__(self, name, value):
        if isinstance(value, bool) or value is None:
            raise _invalid(name, value, "a number or a tensor")
        if isinstance(value, numbers.Real):
            if math.isnan(value):
                raise _invalid(name, value, "a number that is not NaN")
            return float(value)
        if tf.is_tensor(value) or hasattr(value, "shape"):
            return value
        raise _invalid(name, value, "a number or a tensor")
