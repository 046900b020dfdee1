"""A batch of printed statements and its progress: one item per cooperative, rendered by one Celery task each."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StatementBatch(models.Model):
    """One request to print the statements of a month (all members, or one), with its bundle for the printer."""

    class Status(models.TextChoices):
        RUNNING = "running", _("En cours")
        BUNDLING = "bundling", _("Assemblage")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    year = models.SmallIntegerField(_("année"))
    month = models.SmallIntegerField(_("mois"))
    member_slug = models.SlugField(_("membre"), max_length=60, blank=True)  # blank: every member
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    bundle_name = models.CharField(max_length=255, blank=True)  # storage name of the merged PDF
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lot de relevés")
        verbose_name_plural = _("lots de relevés")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} #{self.pk}"

    @property
    def period(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class StatementBatchItem(models.Model):
    """One cooperative's statement in a batch; ``rendered_at`` set once its PDF is stored (progress = count).

    ``started_at`` is the claim of an in-process renderer (eager mode, driven by the progress page): a claim older
    than ``services.ITEM_LEASE`` is taken over, so a renderer that died leaves no item stuck.
    """

    batch = models.ForeignKey(StatementBatch, on_delete=models.CASCADE, related_name="items")
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=255, blank=True)  # storage name
    started_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "organization"], name="statement_item_unique_per_batch")
        ]
        ordering = ["batch", "pk"]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.organization_id}"
