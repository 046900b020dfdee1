"""Uploaded scans (the source document of an entry, later of an invoice or a deposit note): PDF, JPEG or PNG only,
recognised by their first bytes (never by their name), below a set size, stored under a name we choose."""

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from gie_erp.core.errors import ErrorCode, error_message

MB = 1024 * 1024
DEFAULT_MAX_SCAN_BYTES = 10 * MB
#: the signature each accepted type starts with, and the extension the stored file gets
SIGNATURES = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))


def max_scan_bytes() -> int:
    return int(getattr(settings, "GIE_MAX_SCAN_BYTES", DEFAULT_MAX_SCAN_BYTES))


def scan_kind(head: bytes) -> str | None:
    """The extension of an accepted scan from its first bytes, or None."""
    for signature, extension in SIGNATURES:
        if head.startswith(signature):
            return extension
    return None


class ScanField(forms.FileField):
    """A scanned source document: PDF, JPEG or PNG by content, at most ``GIE_MAX_SCAN_BYTES``; the file is renamed
    ``scan-<random>.<ext>`` so that no name a user chose (``.html``, ``.svg``, ``../x``) reaches the storage."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if not isinstance(upload, UploadedFile):
            return upload
        limit = max_scan_bytes()
        if (upload.size or 0) > limit:
            raise ValidationError(
                error_message(
                    ErrorCode.UPLOAD_TOO_LARGE, {"size": f"{(upload.size or 0) / MB:.1f}", "limit": f"{limit / MB:.0f}"}
                ),
                code=ErrorCode.UPLOAD_TOO_LARGE.value,
            )
        upload.seek(0)
        kind = scan_kind(upload.read(16))
        upload.seek(0)
        if kind is None:
            raise ValidationError(error_message(ErrorCode.UPLOAD_BAD_TYPE, {}), code=ErrorCode.UPLOAD_BAD_TYPE.value)
        upload.name = f"scan-{uuid.uuid4().hex[:12]}.{kind}"
        upload.content_type = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}[kind]
        return upload
