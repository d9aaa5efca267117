app_name = "todos"
urlpatterns = []
