from django.contrib.auth import views as auth_views
from django.urls import include, path

from sandbox_idp import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="sandbox_idp/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="home"), name="logout"),
    # Our consent screen replaces the toolkit's at the same address; the rest (token, JWKS, discovery) is its own.
    path("o/authorize/", views.ConsentView.as_view(), name="authorize"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
