"""Precomputed outcome counts (imported by ``advocacy.models``): what the public statistics pages read.

One row per (employer, law, month received) holding that leaf's counts of every variable (the
``disclosure.Leaf`` as JSON), and one total row per employer (``law_key`` "" and ``month`` null) for the
ranking. Written only by ``stats_store`` (a full refresh by beat, a leaf refresh when cases must be
forgotten at once); read by the pages, the downloads and the API, so a page costs one query whatever the
number of cases.
"""

from django.db import models

from deletion_portal.employers.models import Employer


class OutcomeLeaf(models.Model):
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="+")
    law_key = models.CharField(max_length=40, blank=True)
    month = models.DateField(null=True, blank=True, help_text="First day of the month received; null: the total.")
    data = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["employer", "month"], name="outcomeleaf_employer_month"),
                   models.Index(fields=["month"], name="outcomeleaf_month", condition=models.Q(month__isnull=True))]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.law_key} {self.month}"
