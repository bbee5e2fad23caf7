"""The one callback-data codec: `prefix:field:field…`, ids only, 64 bytes checked here.

Each kind of button is a small pydantic model declared with its prefix
(`class PickUnit(CallbackData, prefix="su")`); `pack()` gives the string a button
carries and `CallbackData.decode(data)` finds the kind by its prefix and parses it.
The wire format is the one aiogram's CallbackData used (booleans as 0/1, an empty
field for None), so buttons sent before the move still work.  Nothing here knows a
framework: both adapters route presses by `prefix` and hand handlers the decoded value.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ValidationError

MAX_CALLBACK_BYTES = 64  # Telegram's limit on a button's callback_data
SEPARATOR = ":"


class CallbackData(BaseModel):
    """A button's data: declare subclasses with `prefix="xx"` (unique, no separator)."""

    __prefix__: ClassVar[str]
    registry: ClassVar[dict[str, type[CallbackData]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Register the subclass under its prefix (a second one with it is a bug)."""
        prefix = kwargs.pop("prefix", None)
        super().__init_subclass__(**kwargs)
        if prefix is None:  # pydantic's own generic subclasses
            return
        if SEPARATOR in prefix or prefix in CallbackData.registry:
            raise ValueError(f"bad or duplicate callback prefix {prefix!r}")
        cls.__prefix__ = prefix
        CallbackData.registry[prefix] = cls

    def pack(self) -> str:
        """The string a button carries; refuses what Telegram would refuse."""
        parts = [self.__prefix__]
        for key, value in self.model_dump(mode="python").items():
            encoded = _encode(value)
            if SEPARATOR in encoded:
                raise ValueError(f"{SEPARATOR!r} inside callback field {key}={encoded!r}")
            parts.append(encoded)
        packed = SEPARATOR.join(parts)
        if len(packed.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {packed!r}")
        return packed

    @classmethod
    def unpack(cls, value: str) -> Self:
        """Parse `value` as this kind; ValueError if it is not one."""
        prefix, *parts = value.split(SEPARATOR)
        names = list(cls.model_fields)
        if prefix != cls.__prefix__ or len(parts) != len(names):
            raise ValueError(f"not {cls.__name__} data: {value!r}")
        payload = {
            name: (cls.model_fields[name].default if raw == "" and _nullable(cls, name) else raw)
            for name, raw in zip(names, parts, strict=True)
        }
        try:
            return cls(**payload)
        except ValidationError as error:
            raise ValueError(str(error)) from None

    @staticmethod
    def decode(value: str) -> CallbackData | None:
        """The button data `value` carries, or None if it is stale, forged or unknown."""
        kind = CallbackData.registry.get(value.split(SEPARATOR, 1)[0])
        if kind is None:
            return None
        try:
            return kind.unpack(value)
        except ValueError:
            return None


def prefix_of(value: str) -> str:
    """The prefix a callback data string starts with."""
    return value.split(SEPARATOR, 1)[0]


def _encode(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | str | float):
        return str(value)
    raise ValueError(f"{value!r} cannot go in callback data")


def _nullable(cls: type[CallbackData], name: str) -> bool:
    """An empty field means the default only where the default is not "" (as aiogram)."""
    field = cls.model_fields[name]
    return field.default is None
