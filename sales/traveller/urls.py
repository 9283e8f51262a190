from django.urls import path

from . import views

app_name = "traveller"
urlpatterns = [
    path("<str:token>/", views.page, name="page"),
]
