"""Photos customers send (a defect, a wrong size label): which files are accepted, and why not.

The type is read from the file's first bytes, never taken from the client's word, so a script
named .png is refused; the size is capped so one upload cannot fill the database.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_IMAGE_BYTES = 5 * 1024 * 1024

# magic numbers of the formats a phone camera or screenshot produces
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


class ImageRefused(ValueError):
    """The file is not an image kefu accepts; ``code`` says why (too_large, empty, bad_type)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class ImageFile:
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def sniff(data: bytes) -> str | None:
    """The image type the bytes really are (JPEG, PNG, GIF, WebP), or None."""
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def accept_image(data: bytes, max_bytes: int = MAX_IMAGE_BYTES) -> ImageFile:
    """The image, or ImageRefused when it is empty, too large or not a supported image."""
    if not data:
        raise ImageRefused("empty", "the image is empty")
    if len(data) > max_bytes:
        raise ImageRefused("too_large", f"images may be at most {max_bytes // (1024 * 1024)} MB")
    content_type = sniff(data)
    if content_type is None:
        raise ImageRefused("bad_type", "only JPEG, PNG, GIF or WebP images are accepted")
    return ImageFile(content_type, data)
