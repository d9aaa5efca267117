"""The New Job form: shape and the job's local clock. `jobs.services.create_job` decides
everything else (required fields, US phone, office rights, contractor eligibility)."""

import datetime

from django import forms

from contractors.models import Contractor, JobPartner, JobType, ServiceArea
from crm.accounts.models import Office
from crm.timezones import zone_for, zone_or_default

JOB_LENGTH = datetime.timedelta(hours=2)


class NewJobForm(forms.Form):
    office = forms.ModelChoiceField(queryset=Office.objects.none(), empty_label=None)
    first_name = forms.CharField(max_length=80, required=False)
    last_name = forms.CharField(max_length=80, required=False)
    phone = forms.CharField(max_length=30, required=False)
    email = forms.EmailField(required=False)
    street = forms.CharField(max_length=200, required=False, label="Address")
    unit = forms.CharField(max_length=40, required=False)
    city = forms.CharField(max_length=80, required=False)
    state = forms.CharField(max_length=2, required=False)
    zip_code = forms.CharField(max_length=10, required=False, label="ZIP")
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    service_area = forms.ModelChoiceField(
        queryset=ServiceArea.objects.all(), required=False, widget=forms.RadioSelect
    )
    job_type = forms.ModelChoiceField(
        queryset=JobType.objects.all(), required=False, label="Job type"
    )
    source = forms.ModelChoiceField(
        queryset=JobPartner.objects.all(), required=False, label="Job source"
    )
    contractor = forms.ModelChoiceField(
        queryset=Contractor.objects.filter(is_active=True), required=False
    )
    company = forms.CharField(max_length=120, required=False, help_text="Blank: the office's name.")
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        required=False, label="From", widget=forms.TimeInput(attrs={"type": "time", "step": 900})
    )
    end_time = forms.TimeField(
        required=False, label="To", widget=forms.TimeInput(attrs={"type": "time", "step": 900})
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offices = Office.objects.visible_to(user).filter(is_jobs_enabled=True)
        self.fields["office"].queryset = offices
        self.fields["office"].initial = self.initial.get("office") or offices.first()

    def window(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """Start and end as instants, read on the job's own clock (its ZIP or state)."""
        data = self.cleaned_data
        if not (data.get("date") and data.get("start_time")):
            return None, None
        zone = zone_or_default(
            zone_for(zip_code=data.get("zip_code", ""), state=data.get("state", ""))
        )
        starts_at = datetime.datetime.combine(data["date"], data["start_time"], tzinfo=zone)
        if not data.get("end_time"):
            return starts_at, starts_at + JOB_LENGTH
        ends_at = datetime.datetime.combine(data["date"], data["end_time"], tzinfo=zone)
        if ends_at <= starts_at:  # an evening window that ends after midnight
            ends_at += datetime.timedelta(days=1)
        return starts_at, ends_at

    def job_fields(self) -> dict:
        data = dict(self.cleaned_data)
        starts_at, ends_at = self.window()
        for name in ("date", "start_time", "end_time"):
            data.pop(name, None)
        return {**data, "starts_at": starts_at, "ends_at": ends_at}
