"""The identity federation: django-allauth's generic OpenID Connect provider, with the checks eIDAS needs.

allauth's provider runs the flow (authorization code, PKCE, state). This subclass, installed through allauth's
``provider_class`` setting, adds what allauth's generic provider leaves out: a ``nonce``, the ``acr_values`` of the
level asked for, and a signature check of every ID token against the provider's JWKS (allauth skips it for tokens
fetched directly from the token endpoint). The nonce and the returned ``acr`` are checked in
``justice.accounts.adapters.SocialAccountAdapter.pre_social_login``, where allauth hands back the stashed state.
"""
