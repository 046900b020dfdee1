"""Product photos: uploaded as JPEG or PNG, recognised by their first bytes (never by their name, as
``gie_erp.core.uploads`` does for scans), below a set size, decoded by Pillow, and re-encoded here as a JPEG of at
most 800 px under a name we choose. Re-encoding drops whatever rode along in the file (metadata, a script in a
polyglot) and keeps the till's pictures light on a phone that caches them for offline use."""

import io
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gie_erp.core.errors import ErrorCode, error_message
from gie_erp.core.uploads import MB, scan_kind

MAX_PHOTO_BYTES = 8 * MB
MAX_PIXELS = 40_000_000  # a 40-megapixel photo at most (Pillow's own bomb guard is far higher)
SIDE = 800  # the longest side kept, in pixels
IMAGE_KINDS = {"jpg", "png"}


def photo_normalised(upload: UploadedFile) -> SimpleUploadedFile:
    """The upload as a JPEG of at most ``SIDE`` px, named ``product-<random>.jpg``; ValidationError when it is not a
    JPEG or PNG picture Pillow can read, or is too large."""
    size = upload.size or 0
    if size > MAX_PHOTO_BYTES:
        params = {"size": f"{size / MB:.1f}", "limit": f"{MAX_PHOTO_BYTES / MB:.0f}"}
        raise ValidationError(error_message(ErrorCode.UPLOAD_TOO_LARGE, params), code=ErrorCode.UPLOAD_TOO_LARGE.value)
    upload.seek(0)
    if scan_kind(upload.read(16)) not in IMAGE_KINDS:
        raise ValidationError(_("Photo refusée : seules les images JPEG et PNG sont acceptées."), code="photo_type")
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("Photo trop grande : 40 mégapixels au plus."), code="photo_pixels")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            picture = ImageOps.exif_transpose(image)
            picture.thumbnail((SIDE, SIDE))
            if picture.mode in ("RGBA", "LA", "P"):
                picture = picture.convert("RGBA")
                flat = Image.new("RGB", picture.size, "white")
                flat.paste(picture, mask=picture.getchannel("A"))
                picture = flat
            elif picture.mode != "RGB":
                picture = picture.convert("RGB")
            buffer = io.BytesIO()
            picture.save(buffer, format="JPEG", quality=85, optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        message = _("Photo illisible : enregistrez-la de nouveau en JPEG ou en PNG.")
        raise ValidationError(message, code="photo_broken") from None
    return SimpleUploadedFile(f"product-{uuid.uuid4().hex[:12]}.jpg", buffer.getvalue(), content_type="image/jpeg")


class PhotoField(forms.FileField):
    """A product's photo, checked and re-encoded by ``photo_normalised``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if not isinstance(upload, UploadedFile):
            return upload
        return photo_normalised(upload)
