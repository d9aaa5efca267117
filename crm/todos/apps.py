from django.apps import AppConfig


class TodosConfig(AppConfig):
    name = "crm.todos"
    label = "todos"
    verbose_name = "Tasks"
