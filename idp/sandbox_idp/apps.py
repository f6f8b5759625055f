from django.apps import AppConfig


class SandboxIdpConfig(AppConfig):
    name = "sandbox_idp"
    verbose_name = "Sandbox identity provider"
