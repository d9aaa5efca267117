"""The providers' inbound-text webhooks, included early under /webhook/ (crm.urls): every
text resolves its URL, so it does not walk every app's patterns first."""

from django.urls import path

from messaging import webhooks

app_name = "sms_webhooks"

urlpatterns = [
    path("ctm/sms/<str:token>", webhooks.ctm_sms, name="ctm"),
    path("twilio/sms", webhooks.twilio_sms, name="twilio"),
]
