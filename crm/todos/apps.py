from django.apps import AppConfig


class TodosConfig(AppConfig):
    name = "crm.todos"
    label = "todos"
    verbose_name = "Tasks"

    def load_demo(self, owner) -> None:
        from crm.todos import demo

        demo.seed_templates(owner)
        demo.seed_tasks()
