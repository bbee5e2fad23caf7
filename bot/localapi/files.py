"""Files kept in memory: uploads by simulated users and by the bot, served by getFile."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Any

from bot.localapi.errors import bad_request

JsonDict = dict[str, Any]

# Where Telegram puts each kind of file in `file_path`.
_FOLDERS = {"photo": "photos", "document": "documents"}


@dataclass(frozen=True)
class UploadedPart:
    """A file part of a multipart request, before it becomes a stored file."""

    filename: str
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:
        """Keep call logs readable: never dump the bytes."""
        return f"UploadedPart({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


@dataclass(frozen=True)
class StoredFile:
    """A file the server can hand out by file_id and serve at /file/bot<token>/<file_path>."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    file_name: str | None
    mime_type: str | None
    url: str | None = None  # set when the bot sent an HTTP URL we did not fetch

    def file_json(self) -> JsonDict:
        """The Bot API `File` object returned by getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }

    def document_json(self) -> JsonDict:
        """The `Document` object of a message carrying this file."""
        data: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.file_name is not None:
            data["file_name"] = self.file_name
        if self.mime_type is not None:
            data["mime_type"] = self.mime_type
        return data

    def photo_json(self, width: int, height: int) -> list[JsonDict]:
        """The `photo` array (one size: we do not decode images to make thumbnails)."""
        size = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "width": width,
            "height": height,
        }
        return [size]


class FileStore:
    """All files by file_id and by file_path."""

    def __init__(self) -> None:
        """Start empty."""
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def add(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        url: str | None = None,
    ) -> StoredFile:
        """Store bytes and give them fresh ids, as Telegram does for every upload."""
        self._counter += 1
        number = self._counter
        guessed = mimetypes.guess_type(file_name)[0] if file_name else None
        mime = mime_type or guessed or ("image/jpeg" if kind == "photo" else None)
        extension = _extension(file_name, mime)
        stored = StoredFile(
            # Real ids are opaque base64 strings; a readable prefix helps when debugging.
            file_id=f"Local{kind.capitalize()}{number:06d}AAQ",
            file_unique_id=f"LU{number:06d}",
            kind=kind,
            data=data,
            file_path=f"{_FOLDERS.get(kind, 'files')}/file_{number}{extension}",
            file_name=file_name,
            mime_type=mime,
            url=url,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The file with this id, if any."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """The file served at this path, if any."""
        return self._by_path.get(file_path)

    def resolve_input(self, value: Any, params: JsonDict, kind: str) -> StoredFile:
        """Turn an InputFile parameter (upload, attach://, file_id or URL) into a stored file."""
        if isinstance(value, UploadedPart):
            return self._from_part(value, kind)
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {kind} in the request")
        if value.startswith("attach://"):
            part = params.get(value.removeprefix("attach://"))
            if not isinstance(part, UploadedPart):
                raise bad_request("wrong file identifier/HTTP URL specified")
            return self._from_part(part, kind)
        if value.startswith(("http://", "https://")):
            # Nothing is fetched: tests run offline. The URL is kept for assertions.
            return self.add(kind, b"", file_name=value.rsplit("/", 1)[-1] or None, url=value)
        known = self.get(value)
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return known

    def _from_part(self, part: UploadedPart, kind: str) -> StoredFile:
        if not part.data:
            raise bad_request("file must be non-empty")
        content_type = part.content_type
        if content_type == "application/octet-stream":
            content_type = None  # aiogram's default says nothing; guess from the name
        return self.add(kind, part.data, file_name=part.filename, mime_type=content_type)


def _extension(file_name: str | None, mime: str | None) -> str:
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[-1]
    guessed = mimetypes.guess_extension(mime) if mime else None
    return guessed or ""
