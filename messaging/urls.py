from django.urls import path

from messaging import optout_views, webhooks

app_name = "messaging"

urlpatterns = [
    path("webhook/ctm/sms/<str:token>", webhooks.ctm_sms, name="ctm_sms_webhook"),
    path("webhook/twilio/sms", webhooks.twilio_sms, name="twilio_sms_webhook"),
    path("sms/opt-outs", optout_views.possible_optouts, name="sms_optouts"),
    path("sms/opt-outs/<int:pk>/decide", optout_views.decide, name="sms_optout_decide"),
]
