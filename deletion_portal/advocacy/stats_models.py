"""Precomputed outcome counts (imported by ``advocacy.models``): what the public statistics pages read.

One row per (employer, publishing campaign, law, month received) holding that leaf's counts of every variable
(the ``disclosure.Leaf`` as JSON; each counted case is attributed to ONE campaign, its earliest counted
membership), and one total row per employer (``campaign`` null, ``law_key`` "" and ``month`` null) for the
ranking. ``StatisticsState`` and ``OutcomeDirty`` drive the incremental refresh. Written only by ``stats_store`` (a full refresh by beat, a leaf refresh when cases must be
forgotten at once); read by the pages, the downloads and the API (through the releases ``stats_store`` stores after a
refresh, keyed by the leaves' stamp), so a page costs the same few queries whatever the number of cases.
"""

from django.db import models

from deletion_portal.employers.models import Employer


class OutcomeLeaf(models.Model):
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey("advocacy.Campaign", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                 help_text="The publishing campaign the leaf's cases are attributed to; null: the total.")
    law_key = models.CharField(max_length=40, blank=True)
    month = models.DateField(null=True, blank=True, help_text="First day of the month received; null: the total.")
    data = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["employer", "month"], name="outcomeleaf_employer_month"),
                   models.Index(fields=["month"], name="outcomeleaf_month", condition=models.Q(month__isnull=True)),
                   models.Index(fields=["campaign"], name="outcomeleaf_campaign")]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.law_key} {self.month}"


class OutcomeDirty(models.Model):
    """An employer whose leaves the next (incremental) refresh recomputes: marked by what changes who counts
    without a case event (a campaign starting to publish). Case events and consents are found by watermark."""

    employer = models.OneToOneField(Employer, on_delete=models.CASCADE, primary_key=True, related_name="+")
    marked_at = models.DateTimeField(auto_now=True)


class StatisticsState(models.Model):
    """One row (pk 1): how far the refreshes have read. Every refresh re-reads the case events and consents
    after the watermark of the refresh BEFORE the last one, so a transaction that committed late (its id
    below a newer one already read) is still seen, if it took less than one refresh interval."""

    event_seen = models.BigIntegerField(default=0)
    event_before = models.BigIntegerField(default=0)
    consent_seen = models.BigIntegerField(default=0)
    consent_before = models.BigIntegerField(default=0)
    full_on = models.DateField(null=True, blank=True, help_text="The day of the last full refresh.")
    refreshed_at = models.DateTimeField(null=True, blank=True)


class StatisticsAttribution(models.Model):
    """The ONE publishing campaign each counted case is attributed to in the public figures (its earliest counted
    membership), as of the refresh (or forget) that last counted its employer: what the leaves were computed
    from, and what a non-publishing campaign's dashboard leaves out ("already in a public figure")."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="+")
    campaign = models.ForeignKey("advocacy.Campaign", on_delete=models.CASCADE, related_name="+")
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["campaign", "employer"], name="statsattribution_campaign")]


class PrivateOutcomeLeaf(models.Model):
    """A NON-publishing campaign's precomputed counts, what its own dashboard reads: one row per (campaign,
    employer, law, month received) of the members it counts (``figures.private_campaign_cases``: consenting, live,
    in no public figure), and one MARKER row per campaign (``month`` null) saying when it was last counted in full.
    A campaign without a marker (never counted, or its organisation's publishing changed) is counted live from
    its cases until the next refresh counts it. Written only by ``stats_store``: the refresh (beat) and, in the
    withdrawing transaction, the recount of the places of cases that must be forgotten."""

    campaign = models.ForeignKey("advocacy.Campaign", on_delete=models.CASCADE, related_name="+")
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    law_key = models.CharField(max_length=40, blank=True)
    month = models.DateField(null=True, blank=True, help_text="First day of the month received; null: the marker.")
    data = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["campaign", "employer"], name="privateleaf_campaign"),
                   models.Index(fields=["employer", "law_key", "month"], name="privateleaf_place")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.employer_id} {self.law_key} {self.month}"
