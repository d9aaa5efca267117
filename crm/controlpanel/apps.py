from django.apps import AppConfig


class ControlPanelConfig(AppConfig):
    name = "crm.controlpanel"
    label = "controlpanel"
    verbose_name = "Control panel"
