"""Localized verification message text: the locale of a send (explicit or by country) and its template."""

from __future__ import annotations

from verifyctl.emulator.countries import country_of

# The emulator's own wording of the default template in a few languages (not Twilio's exact text, which
# its docs do not publish); every other locale falls back to English, as the spec's `Locale` says Verify
# does when "the selected translation is not available".
_TEMPLATES: dict[str, str] = {
    "en": "Your {name} verification code is: {code}",
    "es": "Tu código de verificación de {name} es: {code}",
    "fr": "Votre code de vérification {name} est : {code}",
    "de": "Ihr {name} Verifizierungscode lautet: {code}",
    "it": "Il tuo codice di verifica {name} è: {code}",
    "pt": "O seu código de verificação {name} é: {code}",
    "pt-br": "Seu código de verificação {name} é: {code}",
    "nl": "Je {name} verificatiecode is: {code}",
    "sv": "Din verifieringskod för {name} är: {code}",
    "da": "Din bekræftelseskode til {name} er: {code}",
    "nb": "Din bekreftelseskode for {name} er: {code}",
    "fi": "{name}-vahvistuskoodisi on: {code}",
    "pl": "Twój kod weryfikacyjny {name} to: {code}",
    "tr": "{name} doğrulama kodunuz: {code}",
    "ru": "Ваш код подтверждения {name}: {code}",
    "ja": "{name} の認証コードは {code} です",
    "ko": "{name} 인증 코드는 {code}입니다",
    "zh": "您的 {name} 验证码是：{code}",
    "zh-hk": "您的 {name} 驗證碼是：{code}",
    "zh-tw": "您的 {name} 驗證碼是：{code}",
}

# The spec: "Locale will automatically resolve based on phone number country code for SMS, WhatsApp, and
# call channel verifications". The default language of the countries above that have a translation.
_COUNTRY_LOCALE: dict[str, str] = {
    "ES": "es",
    "MX": "es",
    "AR": "es",
    "CO": "es",
    "CL": "es",
    "PE": "es",
    "VE": "es",
    "FR": "fr",
    "BE": "fr",
    "DE": "de",
    "AT": "de",
    "IT": "it",
    "PT": "pt",
    "BR": "pt-br",
    "NL": "nl",
    "SE": "sv",
    "DK": "da",
    "NO": "nb",
    "FI": "fi",
    "PL": "pl",
    "TR": "tr",
    "RU": "ru",
    "JP": "ja",
    "KR": "ko",
    "CN": "zh",
    "HK": "zh-hk",
    "TW": "zh-tw",
}
_AUTO_CHANNELS = ("sms", "whatsapp", "call")


def resolve_locale(requested: str | None, channel: str, to: str) -> str:
    """The locale of a send: the `Locale` parameter when given, else the country's language, else `en`."""
    if requested:
        return requested.strip().replace("_", "-").lower()
    if channel in _AUTO_CHANNELS:
        country = country_of(to)
        if country is not None:
            return _COUNTRY_LOCALE.get(country, "en")
    return "en"


def message_text(locale: str, name: str, code: str) -> str:
    """The message in `locale` (exact tag, then its language, then English)."""
    template = _TEMPLATES.get(locale) or _TEMPLATES.get(locale.split("-")[0]) or _TEMPLATES["en"]
    return template.format(name=name, code=code)
