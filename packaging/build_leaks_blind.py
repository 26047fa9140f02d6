"""Write data/leaks/blind.csv: a small blind check set for tier 0's secret and personal-data detection.

    .venv/bin/python packaging/build_leaks_blind.py [--out data/leaks/blind.csv]

Written without reading the detector's rules, its code, its own test set (data/leaks/test.csv) or
the scanners' test data reserved in /work/shared/eval/RESERVED.md. Every value is generated here
from a fixed seed: vendor key formats (prefix, alphabet, length) as their vendors document them,
random where the real key is random; identity numbers with their check digits computed by the
functions below; phone numbers checked with libphonenumber (`phonenumbers`). No external data.

Columns (as packaging/eval_leaks.py reads them): text, kind (secret | pii), type (plain name:
`stripe`, `phone`, `de_steuer_id` ...), country (ISO 3166 code of the personal data; empty for
secrets), family (the carrier the value is written in: `slack`, `terraform`, `hr_record` ...),
value (the exact substring to find).
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import random
import re
import string
import zlib
from collections.abc import Callable
from pathlib import Path

import phonenumbers

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "leaks" / "blind.csv"
SEED = 20261208

R = random.Random(SEED)

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DIG = string.digits
ALNUM = UP + LO + DIG
HEX = "0123456789abcdef"
HEXU = HEX.upper()
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
B32 = UP + "234567"
BASE62 = DIG + UP + LO

_BAD = re.compile(r"(.)\1{3}|1234|2345|3456|4567|5678|6789|abcd|bcde|0000|x{3}", re.I)
_WORDS = ("example", "test", "dummy", "sample", "fake", "placeholder", "your", "secret", "token", "key", "pass")


def clean(s: str) -> bool:
    low = s.lower()
    return not _BAD.search(s) and not any(w in low for w in _WORDS)


def rs(alphabet: str, n: int) -> str:
    """n random characters of alphabet, never a run, a counting sequence or a placeholder word."""
    while True:
        s = "".join(R.choice(alphabet) for _ in range(n))
        if n < 4 or clean(s):
            return s


def rd(n: int, first: str = DIG) -> str:
    """n random digits (first from `first`)."""
    while True:
        s = R.choice(first) + "".join(R.choice(DIG) for _ in range(n - 1))
        if n < 4 or clean(s):
            return s


def uuid4() -> str:
    h = rs(HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{R.choice('89ab')}{h[17:20]}-{h[20:]}"


def b64u(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def rbytes(n: int) -> bytes:
    return bytes(R.randrange(256) for _ in range(n))


def b62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = BASE62[r] + out
    return out.rjust(width, "0")


# ---------------------------------------------------------------------------------------------------------------------
# secret formats


def gh_checksummed(prefix: str) -> str:
    """GitHub / npm style: 30 random base62 characters and a base62 CRC32 of them (6 characters)."""
    body = rs(ALNUM, 30)
    return prefix + body + b62(zlib.crc32(body.encode()), 6)


def discord_bot() -> str:
    snowflake = str(R.randrange(10**17, 13 * 10**17))
    return f"{b64u(snowflake.encode())}.{rs(B64URL, 6)}.{rs(B64URL, 38)}"


def mapbox_secret() -> str:
    user = R.choice(["lgarnier", "mapsteam-ops", "kwon-geo", "fieldcrew"])
    payload = json.dumps({"u": user, "a": "cl" + rs(LO + DIG, 23)}, separators=(",", ":"))
    return "sk." + b64u(payload.encode()) + "." + rs(B64URL, 22)


def onepassword_sa() -> str:
    payload = {
        "signInAddress": "my.1password.eu",
        "userAuth": {"method": "SRPg-4096", "alg": "PBES2g-HS256", "iterations": 650000, "salt": rs(B64URL, 22)},
        "email": rs(LO, 13) + "@1passwordserviceaccounts.eu",
        "srpX": rs(HEX, 64),
        "muk": {"alg": "A256GCM", "ext": True, "k": rs(B64URL, 43), "key_ops": ["encrypt", "decrypt"], "kty": "oct"},
    }
    return "ops_" + b64u(json.dumps(payload, separators=(",", ":")).encode())


def sentry_org_token() -> str:
    payload = json.dumps(
        {
            "iat": R.randrange(1_690_000_000, 1_730_000_000),
            "url": "https://sentry.io",
            "region_url": "https://de.sentry.io",
            "org": R.choice(["hollis-labs", "nordkapp"]),
        },
        separators=(",", ":"),
    )
    return "sntrys_" + b64u(payload.encode()) + "_" + rs(B64URL, 43)


def grafana_cloud() -> str:
    payload = json.dumps(
        {
            "o": rd(6, "123456789"),
            "n": "stack-" + rd(6) + "-hm-read-" + rs(LO, 6),
            "k": rs(ALNUM, 24),
            "m": {"r": "prod-eu-west-2"},
        },
        separators=(",", ":"),
    )
    return "glc_" + b64u(payload.encode())


def twitter_bearer() -> str:
    return "A" * 21 + rs(ALNUM, 4) + "A" * 8 + rs(ALNUM, 10) + "%2B" + rs(ALNUM, 14) + "%3D" + rs(ALNUM, 50)


def azure_account_key() -> str:
    return base64.b64encode(rbytes(64)).decode()


def azure_ad_secret() -> str:
    return rs(ALNUM + "_~.-", 3) + "8Q~" + rs(ALNUM + "_~.-", 31)


def intercom_token() -> str:
    return base64.b64encode(f"tok:{uuid4()}:1:0".encode()).decode().rstrip("=")


# type -> (display name, api host, env name, generator); a row picks one generator at random
VENDORS: dict[str, tuple[str, str, list[tuple[str, Callable[[], str]]]]] = {
    "github": (
        "GitHub",
        "api.github.com",
        [
            ("GITHUB_TOKEN", lambda: gh_checksummed("ghp_")),
            ("GH_PAT", lambda: "github_pat_" + rs(ALNUM, 22) + "_" + rs(ALNUM, 59)),
            ("GITHUB_OAUTH_TOKEN", lambda: gh_checksummed("gho_")),
            ("GH_APP_INSTALL_TOKEN", lambda: gh_checksummed("ghs_")),
        ],
    ),
    "gitlab": ("GitLab", "gitlab.com", [("GITLAB_TOKEN", lambda: "glpat-" + rs(B64URL, 20))]),
    "stripe": (
        "Stripe",
        "api.stripe.com",
        [
            ("STRIPE_SECRET_KEY", lambda: "sk_live_" + rs(ALNUM, 24)),
            ("STRIPE_API_KEY", lambda: "sk_live_51" + rs(ALNUM, 97)),
            ("STRIPE_RESTRICTED_KEY", lambda: "rk_live_51" + rs(ALNUM, 97)),
            ("STRIPE_WEBHOOK_SECRET", lambda: "whsec_" + rs(ALNUM, 32)),
        ],
    ),
    "slack": (
        "Slack",
        "slack.com",
        [
            ("SLACK_BOT_TOKEN", lambda: f"xoxb-{rd(12, '123456789')}-{rd(13, '123456789')}-{rs(ALNUM, 24)}"),
            (
                "SLACK_USER_TOKEN",
                lambda: f"xoxp-{rd(12, '123456789')}-{rd(12, '123456789')}-{rd(13, '123456789')}-{rs(HEX, 32)}",
            ),
            (
                "SLACK_WEBHOOK_URL",
                lambda: f"https://hooks.slack.com/services/T0{rs(UP + DIG, 8)}/B0{rs(UP + DIG, 9)}/{rs(ALNUM, 24)}",
            ),
            ("SLACK_APP_TOKEN", lambda: f"xapp-1-A0{rs(UP + DIG, 9)}-{rd(13, '123456789')}-{rs(HEX, 64)}"),
        ],
    ),
    "openai": (
        "OpenAI",
        "api.openai.com",
        [
            ("OPENAI_API_KEY", lambda: "sk-" + rs(ALNUM, 20) + "T3BlbkFJ" + rs(ALNUM, 20)),
            ("OPENAI_API_KEY", lambda: "sk-proj-" + rs(B64URL, 74) + "T3BlbkFJ" + rs(B64URL, 74)),
            ("OPENAI_ADMIN_KEY", lambda: "sk-svcacct-" + rs(B64URL, 74) + "T3BlbkFJ" + rs(B64URL, 74)),
        ],
    ),
    "anthropic": (
        "Anthropic",
        "api.anthropic.com",
        [
            ("ANTHROPIC_API_KEY", lambda: "sk-ant-api03-" + rs(B64URL, 93) + "AA"),
            ("ANTHROPIC_ADMIN_KEY", lambda: "sk-ant-admin01-" + rs(B64URL, 93) + "AA"),
        ],
    ),
    "google": (
        "Google Cloud",
        "maps.googleapis.com",
        [
            ("GOOGLE_API_KEY", lambda: "AIza" + rs(B64URL, 35)),
            ("GOOGLE_MAPS_KEY", lambda: "AIza" + rs(B64URL, 35)),
            ("GOOGLE_CLIENT_SECRET", lambda: "GOCSPX-" + rs(B64URL, 28)),
            ("GOOGLE_OAUTH_ACCESS_TOKEN", lambda: "ya29.a0" + rs(B64URL, 150)),
        ],
    ),
    "twilio": (
        "Twilio",
        "api.twilio.com",
        [
            ("TWILIO_API_KEY", lambda: "SK" + rs(HEX, 32)),
            ("TWILIO_AUTH_TOKEN", lambda: rs(HEX, 32)),
        ],
    ),
    "sendgrid": (
        "SendGrid",
        "api.sendgrid.com",
        [("SENDGRID_API_KEY", lambda: "SG." + rs(B64URL, 22) + "." + rs(B64URL, 43))],
    ),
    "mailgun": (
        "Mailgun",
        "api.eu.mailgun.net",
        [
            ("MAILGUN_API_KEY", lambda: "key-" + rs(HEX, 32)),
            ("MAILGUN_API_KEY", lambda: f"{rs(HEX, 32)}-{rs(HEX, 8)}-{rs(HEX, 8)}"),
        ],
    ),
    "mailchimp": (
        "Mailchimp",
        "us21.api.mailchimp.com",
        [("MAILCHIMP_API_KEY", lambda: rs(HEX, 32) + "-us" + str(R.randrange(2, 22)))],
    ),
    "npm": ("npm", "registry.npmjs.org", [("NPM_TOKEN", lambda: gh_checksummed("npm_"))]),
    "pypi": (
        "PyPI",
        "upload.pypi.org",
        [("PYPI_API_TOKEN", lambda: "pypi-AgEIcHlwaS5vcmcCJ" + rs(B64URL, 14) + "AAIqWzMsIn" + rs(B64URL, 120))],
    ),
    "huggingface": ("Hugging Face", "huggingface.co", [("HF_TOKEN", lambda: "hf_" + rs(UP + LO, 34))]),
    "shopify": (
        "Shopify",
        "myshop.myshopify.com",
        [
            ("SHOPIFY_ACCESS_TOKEN", lambda: "shpat_" + rs(HEX, 32)),
            ("SHOPIFY_SHARED_SECRET", lambda: "shpss_" + rs(HEX, 32)),
        ],
    ),
    "digitalocean": (
        "DigitalOcean",
        "api.digitalocean.com",
        [
            ("DIGITALOCEAN_TOKEN", lambda: "dop_v1_" + rs(HEX, 64)),
            ("DO_OAUTH_TOKEN", lambda: "doo_v1_" + rs(HEX, 64)),
        ],
    ),
    "square": (
        "Square",
        "connect.squareup.com",
        [
            ("SQUARE_ACCESS_TOKEN", lambda: "EAAA" + rs(B64URL, 60)),
            ("SQUARE_APP_SECRET", lambda: "sq0csp-" + rs(B64URL, 43)),
        ],
    ),
    "atlassian": (
        "Jira",
        "acme.atlassian.net",
        [("JIRA_API_TOKEN", lambda: "ATATT3xFfGF0" + rs(B64URL, 171) + "=" + rs(HEXU, 8))],
    ),
    "discord": (
        "Discord",
        "discord.com",
        [
            ("DISCORD_BOT_TOKEN", discord_bot),
            ("DISCORD_WEBHOOK", lambda: f"https://discord.com/api/webhooks/{rd(19, '1')}/{rs(B64URL, 68)}"),
        ],
    ),
    "telegram": (
        "Telegram",
        "api.telegram.org",
        [("TELEGRAM_BOT_TOKEN", lambda: f"{rd(10, '5678')}:AA{rs(B64URL, 33)}")],
    ),
    "azure": (
        "Azure",
        "management.azure.com",
        [
            ("AZURE_CLIENT_SECRET", azure_ad_secret),
            ("AZURE_STORAGE_KEY", azure_account_key),
            ("AZURE_OPENAI_API_KEY", lambda: rs(HEX, 32)),
        ],
    ),
    "azure_devops": (
        "Azure DevOps",
        "dev.azure.com",
        [
            ("AZURE_DEVOPS_PAT", lambda: rs(ALNUM, 76) + "AZDO" + rs(ALNUM, 4)),
            ("AZURE_DEVOPS_EXT_PAT", lambda: rs(LO + "234567", 52)),
        ],
    ),
    "datadog": (
        "Datadog",
        "api.datadoghq.eu",
        [
            ("DD_API_KEY", lambda: rs(HEX, 32)),
            ("DD_APP_KEY", lambda: rs(HEX, 40)),
        ],
    ),
    "newrelic": (
        "New Relic",
        "api.eu.newrelic.com",
        [
            ("NEW_RELIC_API_KEY", lambda: "NRAK-" + rs(UP + DIG, 27)),
            ("NEW_RELIC_LICENSE_KEY", lambda: rs(HEX, 36) + "NRAL"),
        ],
    ),
    "sentry": (
        "Sentry",
        "sentry.io",
        [
            ("SENTRY_DSN", lambda: f"https://{rs(HEX, 32)}@o{rd(6, '45')}.ingest.de.sentry.io/{rd(16, '45')}"),
            ("SENTRY_AUTH_TOKEN", sentry_org_token),
            ("SENTRY_AUTH_TOKEN", lambda: "sntryu_" + rs(HEX, 64)),
        ],
    ),
    "doppler": (
        "Doppler",
        "api.doppler.com",
        [
            ("DOPPLER_TOKEN", lambda: "dp.st.prd." + rs(ALNUM, 40)),
            ("DOPPLER_TOKEN", lambda: "dp.pt." + rs(ALNUM, 43)),
        ],
    ),
    "vault": ("Vault", "vault.internal", [("VAULT_TOKEN", lambda: "hvs.CAESI" + rs(B64URL, 85))]),
    "terraform_cloud": (
        "Terraform Cloud",
        "app.terraform.io",
        [("TF_TOKEN_app_terraform_io", lambda: rs(ALNUM, 14) + ".atlasv1." + rs(B64URL, 67))],
    ),
    "postman": ("Postman", "api.getpostman.com", [("POSTMAN_API_KEY", lambda: f"PMAK-{rs(HEX, 24)}-{rs(HEX, 34)}")]),
    "linear": ("Linear", "api.linear.app", [("LINEAR_API_KEY", lambda: "lin_api_" + rs(ALNUM, 40))]),
    "notion": (
        "Notion",
        "api.notion.com",
        [
            ("NOTION_TOKEN", lambda: "secret_" + rs(ALNUM, 43)),
            ("NOTION_API_KEY", lambda: "ntn_" + rd(11, "123456789") + rs(ALNUM, 35)),
        ],
    ),
    "airtable": ("Airtable", "api.airtable.com", [("AIRTABLE_PAT", lambda: "pat" + rs(ALNUM, 14) + "." + rs(HEX, 64))]),
    "figma": ("Figma", "api.figma.com", [("FIGMA_TOKEN", lambda: "figd_" + rs(B64URL, 40))]),
    "grafana": (
        "Grafana",
        "grafana.net",
        [
            ("GRAFANA_SA_TOKEN", lambda: "glsa_" + rs(ALNUM, 32) + "_" + rs(HEX, 8)),
            ("GRAFANA_CLOUD_TOKEN", grafana_cloud),
        ],
    ),
    "databricks": ("Databricks", "adb-7712.azuredatabricks.net", [("DATABRICKS_TOKEN", lambda: "dapi" + rs(HEX, 32))]),
    "dynatrace": (
        "Dynatrace",
        "live.dynatrace.com",
        [("DT_API_TOKEN", lambda: f"dt0c01.{rs(UP + DIG, 24)}.{rs(UP + DIG, 64)}")],
    ),
    "pulumi": ("Pulumi", "api.pulumi.com", [("PULUMI_ACCESS_TOKEN", lambda: "pul-" + rs(HEX, 40))]),
    "supabase": ("Supabase", "api.supabase.com", [("SUPABASE_ACCESS_TOKEN", lambda: "sbp_" + rs(HEX, 40))]),
    "replicate": ("Replicate", "api.replicate.com", [("REPLICATE_API_TOKEN", lambda: "r8_" + rs(ALNUM, 37))]),
    "groq": ("Groq", "api.groq.com", [("GROQ_API_KEY", lambda: "gsk_" + rs(ALNUM, 52))]),
    "perplexity": ("Perplexity", "api.perplexity.ai", [("PPLX_API_KEY", lambda: "pplx-" + rs(ALNUM, 48))]),
    "xai": ("xAI", "api.x.ai", [("XAI_API_KEY", lambda: "xai-" + rs(ALNUM, 80))]),
    "openrouter": ("OpenRouter", "openrouter.ai", [("OPENROUTER_API_KEY", lambda: "sk-or-v1-" + rs(HEX, 64))]),
    "age": ("age", "", [("SOPS_AGE_KEY", lambda: "AGE-SECRET-KEY-1" + rs("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58))]),
    "rubygems": ("RubyGems", "rubygems.org", [("GEM_HOST_API_KEY", lambda: "rubygems_" + rs(HEX, 48))]),
    "dropbox": ("Dropbox", "api.dropboxapi.com", [("DROPBOX_ACCESS_TOKEN", lambda: "sl." + rs(B64URL, 138))]),
    "okta": ("Okta", "acme.okta.com", [("OKTA_API_TOKEN", lambda: "00" + rs(B64URL, 40))]),
    "mapbox": ("Mapbox", "api.mapbox.com", [("MAPBOX_SECRET_TOKEN", mapbox_secret)]),
    "flutterwave": (
        "Flutterwave",
        "api.flutterwave.com",
        [("FLW_SECRET_KEY", lambda: "FLWSECK-" + rs(HEX, 32) + "-X")],
    ),
    "razorpay": ("Razorpay", "api.razorpay.com", [("RAZORPAY_KEY_ID", lambda: "rzp_live_" + rs(ALNUM, 14))]),
    "braintree": (
        "Braintree",
        "api.braintreegateway.com",
        [("BRAINTREE_ACCESS_TOKEN", lambda: f"access_token$production${rs(LO + DIG, 16)}${rs(HEX, 32)}")],
    ),
    "alibaba": (
        "Alibaba Cloud",
        "ecs.aliyuncs.com",
        [("ALIBABA_CLOUD_ACCESS_KEY_ID", lambda: "LTAI5t" + rs(ALNUM, 18))],
    ),
    "contentful": (
        "Contentful",
        "api.contentful.com",
        [("CONTENTFUL_MANAGEMENT_TOKEN", lambda: "CFPAT-" + rs(B64URL, 43))],
    ),
    "buildkite": ("Buildkite", "api.buildkite.com", [("BUILDKITE_API_TOKEN", lambda: "bkua_" + rs(HEX, 40))]),
    "circleci": ("CircleCI", "circleci.com", [("CIRCLE_TOKEN", lambda: f"CCIPAT_{rs(ALNUM, 22)}_{rs(HEX, 40)}")]),
    "tailscale": (
        "Tailscale",
        "api.tailscale.com",
        [("TS_AUTHKEY", lambda: f"tskey-auth-k{rs(ALNUM, 9)}CNTRL-{rs(ALNUM, 33)}")],
    ),
    "facebook": ("Facebook", "graph.facebook.com", [("FB_PAGE_ACCESS_TOKEN", lambda: "EAAG" + rs(ALNUM, 180))]),
    "plaid": ("Plaid", "production.plaid.com", [("PLAID_ACCESS_TOKEN", lambda: "access-production-" + uuid4())]),
    "docker": ("Docker Hub", "hub.docker.com", [("DOCKERHUB_TOKEN", lambda: "dckr_pat_" + rs(B64URL, 27))]),
    "jfrog": ("Artifactory", "acme.jfrog.io", [("ARTIFACTORY_API_KEY", lambda: "AKCp" + rs(ALNUM, 69))]),
    "langsmith": (
        "LangSmith",
        "api.smith.langchain.com",
        [("LANGSMITH_API_KEY", lambda: f"lsv2_pt_{rs(HEX, 32)}_{rs(HEX, 10)}")],
    ),
    "cloudinary": (
        "Cloudinary",
        "api.cloudinary.com",
        [
            (
                "CLOUDINARY_URL",
                lambda: (
                    f"cloudinary://{rd(15, '123456789')}:{rs(B64URL, 27)}@"
                    f"{R.choice(['dq7vfmoke', 'hollis-media', 'atelier-img'])}"
                ),
            )
        ],
    ),
    "firebase": (
        "Firebase Cloud Messaging",
        "fcm.googleapis.com",
        [("FCM_SERVER_KEY", lambda: "AAAA" + rs(B64URL, 7) + ":APA91b" + rs(B64URL, 134))],
    ),
    "twitter": ("X (Twitter)", "api.twitter.com", [("TWITTER_BEARER_TOKEN", twitter_bearer)]),
    "planetscale": (
        "PlanetScale",
        "api.planetscale.com",
        [
            ("PLANETSCALE_SERVICE_TOKEN", lambda: "pscale_tkn_" + rs(B64URL, 43)),
            ("DATABASE_PASSWORD", lambda: "pscale_pw_" + rs(B64URL, 43)),
        ],
    ),
    "hubspot": ("HubSpot", "api.hubapi.com", [("HUBSPOT_PRIVATE_APP_TOKEN", lambda: "pat-eu1-" + uuid4())]),
    "brevo": ("Brevo", "api.brevo.com", [("BREVO_API_KEY", lambda: f"xkeysib-{rs(HEX, 64)}-{rs(ALNUM, 16)}")]),
    "sonarqube": ("SonarQube", "sonar.acme.internal", [("SONAR_TOKEN", lambda: "squ_" + rs(HEX, 40))]),
    "yandex": ("Yandex Cloud", "cloud.yandex.net", [("YC_API_KEY", lambda: "AQVN" + rs(B64URL, 36))]),
    "tencent": (
        "Tencent Cloud",
        "cvm.tencentcloudapi.com",
        [("TENCENTCLOUD_SECRET_ID", lambda: "AKID" + rs(ALNUM, 32))],
    ),
    "bitbucket": (
        "Bitbucket",
        "api.bitbucket.org",
        [("BITBUCKET_APP_PASSWORD", lambda: "ATBB" + rs(ALNUM, 28) + rs(HEXU, 8))],
    ),
    "onepassword": ("1Password", "my.1password.eu", [("OP_SERVICE_ACCOUNT_TOKEN", onepassword_sa)]),
    "intercom": ("Intercom", "api.intercom.io", [("INTERCOM_ACCESS_TOKEN", intercom_token)]),
    "launchdarkly": ("LaunchDarkly", "app.launchdarkly.com", [("LD_SDK_KEY", lambda: "sdk-" + uuid4())]),
    "paystack": ("Paystack", "api.paystack.co", [("PAYSTACK_SECRET_KEY", lambda: "sk_live_" + rs(HEX, 40))]),
    "resend": ("Resend", "api.resend.com", [("RESEND_API_KEY", lambda: "re_" + rs(ALNUM, 8) + "_" + rs(ALNUM, 24))]),
    "mistral": ("Mistral", "api.mistral.ai", [("MISTRAL_API_KEY", lambda: rs(ALNUM, 32))]),
    "heroku": ("Heroku", "api.heroku.com", [("HEROKU_API_KEY", uuid4)]),
    "cloudflare": ("Cloudflare", "api.cloudflare.com", [("CLOUDFLARE_API_TOKEN", lambda: rs(B64URL, 40))]),
    "fly": ("Fly.io", "api.machines.dev", [("FLY_API_TOKEN", lambda: "FlyV1 fm2_" + rs(B64, 180))]),
}

# rows per vendor; the rest get 1
VENDOR_ROWS = {
    "github": 4,
    "stripe": 3,
    "slack": 4,
    "openai": 3,
    "google": 3,
    "azure": 3,
    "anthropic": 2,
    **dict.fromkeys(
        [
            "gitlab",
            "twilio",
            "sendgrid",
            "mailgun",
            "npm",
            "pypi",
            "huggingface",
            "shopify",
            "digitalocean",
            "square",
            "atlassian",
            "discord",
            "telegram",
            "azure_devops",
            "datadog",
            "newrelic",
            "sentry",
            "doppler",
            "notion",
            "grafana",
            "planetscale",
        ],
        2,
    ),
}

# ---------------------------------------------------------------------------------------------------------------------
# carriers for secrets: each takes a context (value `v`, env name, vendor) and returns the text

PEOPLE = [
    "Dana Whitfield",
    "Marco Bellandi",
    "Aiko Tanabe",
    "Jonas Lindqvist",
    "Priya Raman",
    "Lucía Ferrer",
    "Tomasz Wrona",
    "Chloé Marchand",
    "Femi Adeyemi",
    "Sven Hartmann",
    "Noor Haddad",
    "Keanu Palakiko",
]
TIMES = ["09:14", "10:42", "11:03", "13:37", "15:21", "16:58", "17:45", "08:07"]


def ctx_names(name: str) -> dict[str, str]:
    parts = name.lower().split("_")
    return {
        "NAME": name,
        "lower": name.lower(),
        "camel": parts[0] + "".join(p.title() for p in parts[1:]),
        "Pascal": "".join(p.title() for p in parts),
        "dotted": ".".join(parts),
        "dash": "-".join(parts),
    }


SECRET_CARRIERS: dict[str, Callable[[dict[str, str]], str]] = {
    "slack": lambda c: (
        f"{c['p1'].split()[0].lower()}  {c['time']}\n@{c['p2'].split()[0].lower()} try `{c['v']}` "
        f"for {c['human']}, the old one got revoked :upside_down_face:"
    ),
    "teams": lambda c: (
        f"[{c['time']}] {c['p1']}\n{c['human']} token for staging → {c['v']}\n"
        f"please don't forward this one, I'll rotate it Friday"
    ),
    "jira_comment": lambda c: (
        f"h3. Steps to reproduce\n# {{code}}export {c['NAME']}={c['v']}{{code}}\n"
        f"# run the nightly sync job\n# observe 403 from {c['human']}\n\n"
        f"_{c['p1']} added a comment - {c['time']}_"
    ),
    "stacktrace_py": lambda c: (
        "Traceback (most recent call last):\n"
        '  File "/srv/app/integrations/client.py", line 88, in call\n'
        f'    resp = session.post(url, json=body, auth=("api", "{c["v"]}"))\n'
        '  File "/srv/app/.venv/lib/python3.11/site-packages/requests/sessions.py", line 637\n'
        "requests.exceptions.HTTPError: 401 Client Error: Unauthorized"
    ),
    "stacktrace_java": lambda c: (
        f'Exception in thread "main" com.acme.sync.AuthException: credential '
        f"rejected: {c['v']}\n\tat com.acme.sync.{c['Pascal']}Client.call("
        f"{c['Pascal']}Client.java:142)\n\tat com.acme.sync.Worker.run(Worker.java:57)"
    ),
    "terraform": lambda c: f'provider "{c["type"]}" {{\n  token  = "{c["v"]}"\n  region = "eu-central"\n}}',
    "terraform_var": lambda c: (
        f'variable "{c["lower"]}" {{\n  type      = string\n  default   = "{c["v"]}"\n  sensitive = true\n}}'
    ),
    "ansible": lambda c: (
        f"- name: Write {c['human']} credentials\n  ansible.builtin.lineinfile:\n"
        f'    path: /etc/default/worker\n    line: "{c["NAME"]}={c["v"]}"\n    mode: "0600"'
    ),
    "ansible_vars": lambda c: f'---\napp_user: deploy\n{c["lower"]}: "{c["v"]}"\napp_port: 8443',
    "powershell": lambda c: f'$env:{c["NAME"]} = "{c["v"]}"\n& .\\deploy.ps1 -Environment prod -Verbose',
    "powershell_header": lambda c: (
        f'$headers = @{{ Authorization = "Bearer {c["v"]}" }}\n'
        f"Invoke-RestMethod -Uri https://{c['host']}/v1/status -Headers $headers"
    ),
    "csharp": lambda c: f'internal static class Secrets\n{{\n    public const string {c["Pascal"]} = "{c["v"]}";\n}}',
    "java_properties": lambda c: f"# {c['human']}\n{c['dotted']}={c['v']}\n{c['type']}.retry.max=3",
    "rust": lambda c: f'let {c["lower"]} = "{c["v"]}";\nlet client = reqwest::Client::builder().build()?;',
    "notebook": lambda c: (
        f'In [4]:\nimport os\nos.environ["{c["NAME"]}"] = "{c["v"]}"\n\nIn [5]:\nclient = make_client()'
    ),
    "markdown": lambda c: (
        f"## Local setup\n\nAdd this to your `.env` (ask @{c['p2'].split()[0].lower()} before "
        f"rotating it):\n\n```env\n{c['NAME']}={c['v']}\n```"
    ),
    "sql": lambda c: (
        f"INSERT INTO integration_credentials (provider, secret_value, created_by)\n"
        f"VALUES ('{c['type']}', '{c['v']}', '{c['p1'].split()[1].lower()}');"
    ),
    "http_trace": lambda c: (
        f"> GET /v2/accounts/me HTTP/1.1\n> Host: {c['host']}\n> Authorization: Bearer {c['v']}\n"
        f"> Accept: application/json\n>\n< HTTP/1.1 401 Unauthorized"
    ),
    "jenkinsfile": lambda c: (
        f"pipeline {{\n  agent any\n  environment {{\n    {c['NAME']} = '{c['v']}'\n  }}\n"
        f"  stages {{\n    stage('Deploy') {{ steps {{ sh './deploy.sh' }} }}\n  }}\n}}"
    ),
    "prose_de": lambda c: (
        f"Hier ist der {c['human']}-Schlüssel für die Testumgebung: {c['v']} – bitte nicht weitergeben."
    ),
    "prose_fr": lambda c: (
        f"Salut, voici le jeton {c['human']} pour la préprod : {c['v']}. Merci de ne pas le partager."
    ),
    "prose_es": lambda c: f"Te paso la clave de {c['human']} que usamos en producción: {c['v']} (no la subas al repo).",
    "prose_it": lambda c: f"Ecco la chiave {c['human']} per l'ambiente di collaudo: {c['v']}, non condividerla.",
    "prose_pt": lambda c: f"Segue o token do {c['human']} para homologação: {c['v']} — não compartilhe.",
    "prose_nl": lambda c: f"Hierbij de {c['human']}-sleutel voor acceptatie: {c['v']}. Graag niet delen.",
    "prose_pl": lambda c: f"Wysyłam klucz {c['human']} do środowiska testowego: {c['v']} — nie udostępniaj dalej.",
    "prose_ja": lambda c: f"{c['human']}のAPIキーはこちらです：{c['v']} 本番用なので共有しないでください。",
    "prose_en": lambda c: f"Can you check why {c['human']} keeps rejecting {c['v']}? It worked yesterday.",
    "email": lambda c: (
        f"Subject: {c['human']} credentials\n\nHi {c['p2'].split()[0]},\n\nas discussed, the key "
        f"for the new integration is\n\n    {c['v']}\n\nBest,\n{c['p1'].split()[0]}"
    ),
    "dockerfile": lambda c: (
        f'FROM python:3.12-slim\nENV {c["NAME"]}={c["v"]}\nCOPY . /app\nCMD ["python", "-m", "worker"]'
    ),
    "github_actions": lambda c: (
        f"jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      {c['NAME']}: "
        f"{c['v']}\n    steps:\n      - uses: actions/checkout@v4"
    ),
    "k8s_secret": lambda c: (
        f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {c['dash']}\ntype: Opaque\n"
        f'stringData:\n  {c["lower"]}: "{c["v"]}"'
    ),
    "compose": lambda c: (
        f"services:\n  worker:\n    image: ghcr.io/acme/worker:1.8\n    environment:\n      - {c['NAME']}={c['v']}"
    ),
    "go": lambda c: (
        f'func newClient() *Client {{\n\t{c["camel"]} := "{c["v"]}"\n\treturn &Client{{key: {c["camel"]}}}\n}}'
    ),
    "js": lambda c: f'const {c["camel"]} = process.env.{c["NAME"]} ?? "{c["v"]}";',
    "php": lambda c: f"<?php\n$config['{c['lower']}'] = '{c['v']}';",
    "ruby": lambda c: f"Rails.application.configure do\n  config.x.{c['lower']} = '{c['v']}'\nend",
    "kotlin": lambda c: f'object Config {{\n    const val {c["NAME"]} = "{c["v"]}"\n}}',
    "swift": lambda c: f'enum Env {{\n    static let {c["camel"]} = "{c["v"]}"\n}}',
    "ini": lambda c: f"[{c['type']}]\nendpoint = https://{c['host']}\napi_key = {c['v']}",
    "toml": lambda c: f'[{c["type"]}]\ntoken = "{c["v"]}"\ntimeout = 30',
    "curl": lambda c: f"curl -s -H 'Authorization: Bearer {c['v']}' https://{c['host']}/v1/me | jq .",
    "web_config": lambda c: f'<appSettings>\n  <add key="{c["Pascal"]}" value="{c["v"]}" />\n</appSettings>',
    "git_diff": lambda c: (
        f"diff --git a/.env.production b/.env.production\n@@ -3,3 +3,4 @@\n LOG_LEVEL=info\n"
        f"-{c['NAME']}=\n+{c['NAME']}={c['v']}"
    ),
    "log": lambda c: (
        f"2024-05-02T11:02:13.412Z WARN  [{c['type']}-client] retrying with credential {c['v']} (attempt 2/5)"
    ),
    "yaml": lambda c: f"{c['type']}:\n  enabled: true\n  api_key: {c['v']}",
    "json": lambda c: f'{{\n  "{c["type"]}": {{\n    "apiKey": "{c["v"]}",\n    "region": "eu"\n  }}\n}}',
    "env": lambda c: f"# {c['human']}\n{c['NAME']}={c['v']}",
}

# carriers that give no name or keyword: only for values with a vendor prefix
BARE = {"prose_en", "slack", "teams", "log", "stacktrace_java", "curl", "http_trace", "powershell_header"}

# env names whose value has no vendor prefix: they only go into carriers that name them or say what they are
UNPREFIXED = {
    "TWILIO_AUTH_TOKEN",
    "AZURE_STORAGE_KEY",
    "AZURE_OPENAI_API_KEY",
    "DD_API_KEY",
    "DD_APP_KEY",
    "MISTRAL_API_KEY",
    "HEROKU_API_KEY",
    "CLOUDFLARE_API_TOKEN",
    "AZURE_DEVOPS_EXT_PAT",
    "NEW_RELIC_LICENSE_KEY",
    "MAILGUN_API_KEY",
    "MAILCHIMP_API_KEY",
    "AZURE_CLIENT_SECRET",
}

Row = dict[str, str]


def row(text: str, kind: str, typ: str, family: str, value: str, country: str = "") -> Row:
    assert value and value in text, (typ, family, value, text)
    return {"text": text, "kind": kind, "type": typ, "country": country, "family": family, "value": value}


class Cycle:
    """Hands out carriers in a shuffled round so every carrier is used about as often."""

    def __init__(self, names: list[str]) -> None:
        self.names, self.pool = list(names), []

    def next(self, allowed: Callable[[str], bool] = lambda _n: True) -> str:
        for _ in range(3):
            if not self.pool:
                self.pool = self.names[:]
                R.shuffle(self.pool)
            for i, n in enumerate(self.pool):
                if allowed(n):
                    return self.pool.pop(i)
            self.pool = []
        raise ValueError("no allowed carrier")


def vendor_rows() -> list[Row]:
    rows: list[Row] = []
    cyc = Cycle(list(SECRET_CARRIERS))
    for typ, (human, host, gens) in VENDORS.items():
        n = VENDOR_ROWS.get(typ, 1)
        order = gens[:]
        R.shuffle(order)
        for i in range(n):
            name, gen = order[i % len(order)]
            v = gen()
            bare_ok = name not in UNPREFIXED
            fam = cyc.next(lambda f, ok=bare_ok: ok or f not in BARE)
            p1, p2 = R.sample(PEOPLE, 2)
            c = {
                "v": v,
                "type": typ,
                "human": human,
                "host": host or "localhost",
                "p1": p1,
                "p2": p2,
                "time": R.choice(TIMES),
                **ctx_names(name),
            }
            rows.append(row(SECRET_CARRIERS[fam](c), "secret", typ, fam, v))
    return rows


def aws_rows() -> list[Row]:
    def kid(prefix: str = "AKIA") -> str:
        return prefix + rs(B32, 16)

    def sec() -> str:
        return rs(B64, 40)

    rows = []
    k, s = kid(), sec()
    rows.append(
        row(
            f"[default]\naws_access_key_id = {k}\naws_secret_access_key = {s}\nregion = eu-west-1",
            "secret",
            "aws",
            "aws_credentials_file",
            k,
        )
    )
    k, s = kid(), sec()
    rows.append(
        row(
            f"[profile billing-prod]\nregion = us-east-2\naws_access_key_id={k}\naws_secret_access_key={s}",
            "secret",
            "aws",
            "aws_credentials_file",
            s,
        )
    )
    k, s = kid(), sec()
    rows.append(
        row(
            f'provider "aws" {{\n  region     = "eu-central-1"\n  access_key = "{k}"\n  secret_key = "{s}"\n}}',
            "secret",
            "aws",
            "terraform",
            s,
        )
    )
    k = kid()
    rows.append(
        row(
            f"heads up: whoever pushed {k} to the public fork, it's live and has S3 write. revoking now",
            "secret",
            "aws",
            "slack",
            k,
        )
    )
    k, s, t = kid("ASIA"), sec(), "IQoJb3JpZ2luX2VjE" + rs(B64, 300)
    rows.append(
        row(
            f's3 = boto3.client(\n    "s3",\n    aws_access_key_id="{k}",\n'
            f'    aws_secret_access_key="{s}",\n    aws_session_token="{t}",\n)',
            "secret",
            "aws",
            "python",
            s,
        )
    )
    k, s = kid(), sec()
    rows.append(
        row(
            f"Set-AWSCredential -AccessKey {k} -SecretKey {s} -StoreAs deploy-ci\nGet-S3Bucket -ProfileName deploy-ci",
            "secret",
            "aws",
            "powershell",
            s,
        )
    )
    return rows


# ---------------------------------------------------------------------------------------------------------------------
# private keys, JWTs, connection strings, unprefixed keys, passwords, bearer tokens


def wrap(s: str, width: int = 64) -> list[str]:
    return [s[i : i + width] for i in range(0, len(s), width)]


def pem(label: str, der_prefix: str, n: int, headers: str = "") -> str:
    body = der_prefix + rs(B64, n - len(der_prefix))
    pad = {0: "", 2: "==", 3: "="}.get(len(body) % 4, "")
    body = body[: len(body) - len(pad)] + pad if pad else body
    return f"-----BEGIN {label}-----\n{headers}" + "\n".join(wrap(body)) + f"\n-----END {label}-----"


def rsa_pkcs1() -> str:
    return pem("RSA PRIVATE KEY", "MIIEpAIBAAKCAQEA", 1588)


def pkcs8() -> str:
    return pem("PRIVATE KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ", 1624)


def ec_key() -> str:
    return pem("EC PRIVATE KEY", "MHcCAQEEI" + rs(B64, 34) + "oAoGCCqGSM49AwEHoUQDQgAE", 164)


def openssh_ed25519() -> str:
    body = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQAAACD" + rs(B64, 320)
    return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(wrap(body, 70)) + "\n-----END OPENSSH PRIVATE KEY-----"


def openssh_rsa() -> str:
    body = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABlwAAAAdzc2gtcn" + rs(B64, 1750)
    return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(wrap(body, 70)) + "\n-----END OPENSSH PRIVATE KEY-----"


def pgp_key() -> str:
    body = "lFgEZ" + rs(B64, 5) + "FgkrBgEEAdpHDwEBB0" + rs(B64, 400)
    return (
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + "\n".join(wrap(body)) + f"\n={rs(B64, 4)}\n"
        "-----END PGP PRIVATE KEY BLOCK-----"
    )


def putty_key() -> str:
    pub = "AAAAC3NzaC1lZDI1NTE5AAAAI" + rs(B64, 43)
    priv = "AAAAI" + rs(B64, 43)
    return (
        f"PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: eddsa-key-2024{rd(4, '01')}\n"
        f"Public-Lines: 2\n{pub[:64]}\n{pub[64:]}\nPrivate-Lines: 1\n{priv}\nPrivate-MAC: {rs(HEX, 64)}"
    )


def private_key_rows() -> list[Row]:
    rows: list[Row] = []
    k = rsa_pkcs1()
    rows.append(
        row(
            f"{PEOPLE[4]}  10:12\nhere's the deploy key for the build box, paste it into ~/.ssh/id_rsa:\n```\n{k}\n```",
            "secret",
            "private_key",
            "slack",
            k,
        )
    )
    k = pkcs8()
    esc = k.replace("\n", "\\n") + "\\n"
    sa = (
        '{\n  "type": "service_account",\n  "project_id": "hollis-analytics-prod",\n'
        f'  "private_key_id": "{rs(HEX, 40)}",\n  "private_key": "{esc}",\n'
        f'  "client_email": "etl-runner@hollis-analytics-prod.iam.gserviceaccount.com",\n'
        f'  "client_id": "{rd(21, "1")}"\n}}'
    )
    rows.append(row(sa, "secret", "private_key", "gcp_service_account_json", esc))
    k = ec_key()
    rows.append(
        row(
            f"Zertifikat läuft morgen ab, hier der Schlüssel vom alten Server:\n{{noformat}}\n{k}\n{{noformat}}",
            "secret",
            "private_key",
            "jira_comment",
            k,
        )
    )
    k = openssh_ed25519()
    rows.append(
        row(
            f"Subject: access to the bastion\n\nHi Sven,\n\nI couldn't upload it to the portal so here is "
            f"my id_ed25519:\n\n{k}\n\nThanks!\nPriya",
            "secret",
            "private_key",
            "email",
            k,
        )
    )
    k = openssh_rsa()
    ind = k.replace("\n", "\n  ")
    rows.append(
        row(
            f"deploy_user: ci\ndeploy_ssh_key: |\n  {ind}\ndeploy_port: 22",
            "secret",
            "private_key",
            "ansible_vars",
            ind,
        )
    )
    k = pgp_key()
    rows.append(
        row(
            f"## Signing\n\nThe release signing key (do **not** commit this file):\n\n```\n{k}\n```",
            "secret",
            "private_key",
            "markdown",
            k,
        )
    )
    hdr = f"Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,{rs(HEXU, 32)}\n\n"
    k = pem("RSA PRIVATE KEY", "", 1600, hdr)
    rows.append(
        row(f"$ cat server.key\n{k}\n$ openssl rsa -in server.key -check", "secret", "private_key", "shell_session", k)
    )
    k = pem("DSA PRIVATE KEY", "MIIBuwIBAAKBgQ", 588)
    rows.append(
        row(
            f'resource "tls_private_key" "legacy" {{\n  algorithm = "RSA"\n}}\n\nlocals {{\n'
            f"  legacy_key = <<-EOT\n{k}\nEOT\n}}",
            "secret",
            "private_key",
            "terraform",
            k,
        )
    )
    k = pkcs8()
    rows.append(
        row(
            f'SIGNING_KEY = """\n{k}\n"""\n\ndef sign(payload: bytes) -> bytes:\n    ...',
            "secret",
            "private_key",
            "python",
            k,
        )
    )
    k = putty_key()
    rows.append(
        row(
            f"Voici ma clé PuTTY pour le serveur de recette :\n\n{k}\n\nMerci de l'ajouter.",
            "secret",
            "private_key",
            "prose_fr",
            k,
        )
    )
    raw = rsa_pkcs1() + "\n"
    b = base64.b64encode(raw.encode()).decode()
    cert = base64.b64encode(rbytes(90)).decode()
    rows.append(
        row(
            f"users:\n- name: ci-admin\n  user:\n    client-certificate-data: {cert}\n    client-key-data: {b}",
            "secret",
            "private_key",
            "kubeconfig",
            b,
        )
    )
    k = pkcs8()
    esc = k.replace("\n", "\\n")
    rows.append(row(f'JWT_PRIVATE_KEY="{esc}"\nJWT_ISSUER=https://auth.hollis.io', "secret", "private_key", "env", esc))
    k = pem("ENCRYPTED PRIVATE KEY", "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI", 1700)
    rows.append(
        row(
            f'// TODO move to vault\nprivate static final String KEY_PEM = """\n{k}\n""";',
            "secret",
            "private_key",
            "java",
            k,
        )
    )
    k = ec_key()
    rows.append(
        row(
            f"Hola, te mando la clave privada del certificado de la pasarela:\n{k}\nLa contraseña "
            "te la paso por otro canal.",
            "secret",
            "private_key",
            "prose_es",
            k,
        )
    )
    return rows


def jwt(alg: str, claims: dict[str, object], sig_bytes: int) -> str:
    header = {"alg": alg, "typ": "JWT"}
    if alg.startswith("RS"):
        header["kid"] = rs(B64URL, 22)
    enc = lambda d: b64u(json.dumps(d, separators=(",", ":")).encode())  # noqa: E731
    return f"{enc(header)}.{enc(claims)}.{b64u(rbytes(sig_bytes))}"


def jwt_rows() -> list[Row]:
    now = 1_715_000_000
    rows: list[Row] = []

    def claims(**extra: object) -> dict[str, object]:
        base: dict[str, object] = {"sub": uuid4(), "iat": now + R.randrange(10**6)}
        base["exp"] = int(str(base["iat"])) + 3600
        base.update(extra)
        return base

    t = jwt("HS256", claims(name="Chloé Marchand", role="admin"), 32)
    rows.append(
        row(
            f"GET /api/v2/orders?page=3 HTTP/1.1\nHost: shop.hollis.io\nAuthorization: Bearer {t}\nAccept: */*",
            "secret",
            "jwt",
            "http_trace",
            t,
        )
    )
    t = jwt(
        "RS256",
        claims(
            iss="https://login.microsoftonline.com/" + uuid4() + "/v2.0",
            aud=uuid4(),
            preferred_username="t.wrona@hollis.io",
        ),
        256,
    )
    rows.append(row(f"Cookie: session={t}; theme=dark; _ga=GA1.2.{rd(9)}.{rd(10)}", "secret", "jwt", "cookie", t))
    t = jwt("HS256", claims(email="aiko.tanabe@hollis.io", scope="read write"), 32)
    rows.append(row(f"> localStorage.getItem('access_token')\n< '{t}'", "secret", "jwt", "devtools_console", t))
    t = jwt("HS512", claims(user_id=R.randrange(10**5, 10**6), tenant="acme"), 64)
    rows.append(
        row(f"2024-06-11 14:22:09,331 DEBUG auth.middleware token accepted: {t} user=4471", "secret", "jwt", "log", t)
    )
    t = jwt("HS256", {"iss": "supabase", "ref": rs(LO, 20), "role": "service_role", "iat": now, "exp": now + 10**9}, 32)
    rows.append(
        row(
            f"NEXT_PUBLIC_SUPABASE_URL=https://{rs(LO, 20)}.supabase.co\nSUPABASE_SERVICE_ROLE_KEY={t}",
            "secret",
            "jwt",
            "env",
            t,
        )
    )
    t = jwt(
        "RS256",
        {
            "iss": "kubernetes/serviceaccount",
            "kubernetes.io/serviceaccount/namespace": "payments",
            "kubernetes.io/serviceaccount/service-account.name": "deployer",
            "sub": "system:serviceaccount:payments:deployer",
        },
        256,
    )
    rows.append(row(f"$ kubectl -n payments create token deployer\n{t}", "secret", "jwt", "shell_session", t))
    t = jwt("HS256", claims(name="Lucía Ferrer"), 32)
    rows.append(
        row(
            f"Bonjour, l'appel échoue avec ce jeton : {t} — pouvez-vous vérifier côté serveur ?",
            "secret",
            "jwt",
            "prose_fr",
            t,
        )
    )
    t = jwt("ES256", claims(aud="mobile-app", device="a1f3"), 64)
    rows.append(
        row(
            '{\n  "id": "env-prod",\n  "values": [\n    {"key": "baseUrl", "value": "https://api.hollis.io"},\n'
            f'    {{"key": "authToken", "value": "{t}", "enabled": true}}\n  ]\n}}',
            "secret",
            "jwt",
            "postman_env",
            t,
        )
    )
    t = jwt("HS256", claims(role="support"), 32)
    rows.append(
        row(
            f'r = requests.get(f"{{BASE}}/tickets", headers={{"Authorization": "JWT {t}"}})',
            "secret",
            "jwt",
            "python",
            t,
        )
    )
    t = jwt("RS256", claims(iss="https://accounts.google.com", email="femi.adeyemi@gmail.com"), 256)
    rows.append(row(f"Der Login klappt nicht, im Network-Tab steht als id_token: {t}", "secret", "jwt", "prose_de", t))
    return rows


def pw(n: int = 16, url_safe: bool = True) -> str:
    extra = "-_." if url_safe else "!#%*-_.@"
    while True:
        s = rs(ALNUM + extra, n)
        if any(ch in DIG for ch in s) and any(ch in UP for ch in s) and any(ch in LO for ch in s):
            return s


def connection_rows() -> list[Row]:
    rows: list[Row] = []

    def add(text_fn: Callable[[str], str], family: str, value: str) -> None:
        rows.append(row(text_fn(value), "secret", "connection_string", family, value))

    v = f"postgresql://app_rw:{pw()}@db-prod-1.c9x2mq.eu-west-1.rds.amazonaws.com:5432/orders"
    add(lambda v: f"DATABASE_URL={v}", "env", v)
    v = f"postgresql+psycopg2://analytics:{pw(20)}@10.20.4.17:5432/warehouse"
    add(lambda v: f'engine = create_engine("{v}", pool_pre_ping=True)', "python", v)
    v = f"mysql://wp_{rs(LO, 5)}:{pw(14)}@mysql.internal:3306/wordpress"
    add(lambda v: f"define( 'WP_DB_URL', '{v}' );", "php", v)
    v = f"mongodb+srv://reporting:{pw(18)}@cluster0.{rs(LO + DIG, 5)}.mongodb.net/crm?retryWrites=true&w=majority"
    add(lambda v: f"spring.data.mongodb.uri={v}", "java_properties", v)
    v = (
        f"mongodb://admin:{pw(16)}@mongo-0.mongo:27017,mongo-1.mongo:27017,mongo-2.mongo:27017/"
        f"?replicaSet=rs0&authSource=admin"
    )
    add(lambda v: f'      - name: MONGO_URL\n        value: "{v}"', "k8s_manifest", v)
    v = f"redis://:{pw(24)}@cache.hollis.internal:6379/0"
    add(lambda v: f"Die Sessions landen in Redis, Verbindung: {v} (nur intern erreichbar).", "prose_de", v)
    v = f"rediss://default:{rs(ALNUM, 32)}@eu1-{rs(LO, 6)}-{rd(5)}.upstash.io:6379"
    add(lambda v: f'const redis = new Redis("{v}");', "js", v)
    v = f"amqp://orders:{pw(16)}@rabbitmq.prod.svc:5672/orders-vhost"
    add(lambda v: f"celery:\n  broker_url: {v}\n  result_backend: rpc://", "yaml", v)
    v = f"jdbc:postgresql://pg.hollis.lan:5432/billing?user=billing_app&password={pw(18)}&ssl=true"
    add(lambda v: f'<property name="url" value="{v}"/>', "xml", v)
    v = f"jdbc:sqlserver://sql01.corp.local:1433;databaseName=HR;user=hr_reader;password={pw(16, False)};encrypt=true"
    add(lambda v: f"hr.datasource.url={v}", "java_properties", v)
    v = (
        f"Server=tcp:hollis-sql.database.windows.net,1433;Initial Catalog=Payroll;User ID=payroll_svc;"
        f"Password={pw(20, False)};Encrypt=True;TrustServerCertificate=False;"
    )
    add(lambda v: f'{{\n  "ConnectionStrings": {{\n    "Default": "{v}"\n  }}\n}}', "appsettings_json", v)
    v = f"Driver={{ODBC Driver 18 for SQL Server}};Server=10.1.2.30;Database=Stock;Uid=sa;Pwd={pw(14, False)};"
    add(lambda v: f'$conn = New-Object System.Data.Odbc.OdbcConnection("{v}")\n$conn.Open()', "powershell", v)
    v = f"ftp://backup:{pw(12)}@files.hollis-logistics.de/nightly/"
    add(lambda v: f"0 3 * * * curl -sT /var/backups/db.tar.gz {v}", "crontab", v)
    v = f"smtps://alerts%40hollis.io:{pw(16)}@smtp.office365.com:465"
    add(lambda v: f"MAILER_DSN={v}", "env", v)
    v = f"https://elastic:{pw(20)}@es-logs.hollis.internal:9200"
    add(lambda v: f"Il cluster Elasticsearch risponde su {v}, usate quello per Kibana.", "prose_it", v)
    v = f"clickhouse://default:{pw(16)}@ch-1.analytics.lan:9000/events"
    add(lambda v: f"```sql\n-- connect with {v}\nSELECT count() FROM events WHERE day = today();\n```", "markdown", v)
    return rows


def generic_rows() -> list[Row]:
    rows: list[Row] = []

    def add(typ: str, family: str, v: str, text: str) -> None:
        rows.append(row(text, "secret", typ, family, v))

    v = rs(HEX, 32)
    add("generic_api_key", "python", v, f'PARTNER_API_KEY = "{v}"\nBASE_URL = "https://partner.hollis.io/v3"')
    v = rs(ALNUM, 40)
    add(
        "generic_api_key",
        "json",
        v,
        f'{{\n  "client_id": "hollis-web",\n  "client_secret": "{v}",\n'
        f'  "redirect_uri": "https://app.hollis.io/callback"\n}}',
    )
    v = rs(B64URL, 32)
    add(
        "generic_api_key",
        "curl",
        v,
        f"curl -X POST https://api.shipfast.io/v1/labels -H 'X-API-Key: {v}' -d @label.json",
    )
    v = rs(ALNUM, 36)
    add("generic_api_key", "js", v, f"export const config = {{\n  apiKey: '{v}',\n  projectId: 'hollis-web',\n}};")
    v = rs(HEX, 40)
    add("generic_api_key", "shell", v, f"export ACME_API_KEY={v}\n./sync.sh --full")
    v = rs(ALNUM, 32)
    add("generic_api_key", "notebook", v, f'In [2]:\nimport os\nos.environ["WEATHER_API_KEY"] = "{v}"')
    v = rs(HEX, 64)
    add("generic_api_key", "ruby", v, f'Rails.application.credentials.secret_key_base = "{v}"')
    v = rs(ALNUM, 28)
    add("generic_api_key", "prose_en", v, f"The API key for the partner portal is {v}, it expires end of month.")
    v = rs(ALNUM, 32)
    add("generic_api_key", "prose_de", v, f"Der API-Schlüssel für das Lieferantenportal lautet {v}.")
    v = rs(HEX, 32)
    add("generic_api_key", "prose_es", v, f"La clave de API del proveedor es {v}, caduca el viernes.")
    v = rs(B64, 44)
    add(
        "generic_api_key",
        "yaml",
        v,
        f'webhooks:\n  orders:\n    url: https://hooks.hollis.io/orders\n    signing_secret: "{v}"',
    )
    v = rs(ALNUM, 48)
    add("generic_api_key", "flask", v, f"app = Flask(__name__)\napp.config['SECRET_KEY'] = '{v}'")
    v = rs(HEX, 32)
    add("generic_api_key", "toml", v, f'[hmac]\nsigning_key = "{v}"\nalgorithm = "sha256"')
    v = rs(ALNUM, 32)
    add(
        "generic_api_key",
        "csharp",
        v,
        f'services.AddHttpClient("geo", c => c.DefaultRequestHeaders.Add("Ocp-Apim-Subscription-Key", "{v}"));',
    )
    v = rs(B64URL, 40)
    add("generic_api_key", "prose_ja", v, f"外部APIのアクセストークンは {v} です。")
    v = rs(HEX, 32)
    add("generic_api_key", "go", v, f'req.Header.Set("X-Auth-Token", "{v}")')

    v = pw(14, False)
    add("password", "yaml", v, f'spring:\n  datasource:\n    username: orders\n    password: "{v}"')
    v = pw(12, False)
    add("password", "env", v, f"DB_HOST=10.0.3.12\nDB_USER=shop\nDB_PASSWORD={v}")
    v = pw(13, False)
    add(
        "password",
        "prose_en",
        v,
        f"fyi the admin password for the staging WordPress is {v} — change it after you log in",
    )
    v = pw(12)
    add("password", "shell", v, f"mysql -h db.internal -u root -p'{v}' shop < dump.sql")
    v = pw(14)
    add("password", "shell", v, f"sshpass -p '{v}' ssh deploy@10.12.0.5 'sudo systemctl restart app'")
    v = pw(16)
    add(
        "password",
        "maven_settings",
        v,
        f"<server>\n  <id>nexus-releases</id>\n  <username>ci</username>\n  <password>{v}</password>\n</server>",
    )
    v = pw(12, False)
    add("password", "powershell", v, f"net user svc_backup {v} /add /y\nnet localgroup Administrators svc_backup /add")
    v = pw(14)
    add("password", "netrc", v, f"machine git.hollis.internal\n  login deploy\n  password {v}")
    v = pw(12, False)
    add("password", "prose_fr", v, f"Le mot de passe du compte admin est {v}, pense à le changer.")
    v = pw(12, False)
    add("password", "prose_pl", v, f"Hasło do panelu administracyjnego to {v} — zmień je po zalogowaniu.")
    v = pw(14)
    add("password", "pgpass", v, f"db-prod.hollis.lan:5432:orders:orders_rw:{v}")

    v = rs(B64URL, 43)
    add("bearer_token", "curl", v, f'curl https://api.hollis.io/v1/invoices -H "Authorization: Bearer {v}"')
    v = rs(ALNUM, 40)
    add("bearer_token", "js", v, f"fetch(url, {{ headers: {{ Authorization: `Bearer {v}` }} }});")
    v = rs(B64URL, 64)
    add(
        "bearer_token",
        "http_trace",
        v,
        f"POST /graphql HTTP/2\nhost: api.hollis.io\nauthorization: Bearer {v}\ncontent-type: application/json",
    )
    v = rs(HEX, 40)
    add(
        "bearer_token",
        "log",
        v,
        f'10.4.2.17 - - [02/May/2024:11:02:13 +0000] "GET /v1/me HTTP/1.1" 401 '
        f'- "-" "python-requests/2.31" auth="Bearer {v}"',
    )
    v = rs(ALNUM, 48)
    add("bearer_token", "python", v, f'session.headers.update({{"Authorization": "Bearer {v}"}})')
    v = rs(B64URL, 36)
    add("bearer_token", "prose_it", v, f"Per chiamare l'API usa l'header Authorization: Bearer {v}")
    return rows


# ---------------------------------------------------------------------------------------------------------------------
# check digits


def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(num: str) -> bool:
    return luhn_digit(num[:-1]) == num[-1]


_VD = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VP = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4]]
for _i in range(2, 8):
    _VP.append([_VP[1][_VP[_i - 1][j]] for j in range(10)])
_VINV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_digit(body: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(body)):
        c = _VD[c][_VP[(i + 1) % 8][int(ch)]]
    return str(_VINV[c])


def verhoeff_ok(num: str) -> bool:
    c = 0
    for i, ch in enumerate(reversed(num)):
        c = _VD[c][_VP[i % 8][int(ch)]]
    return c == 0


def iban_check(cc: str, bban: str) -> str:
    s = bban + cc + "00"
    n = int("".join(str(int(ch, 36)) for ch in s))
    return f"{98 - n % 97:02d}"


def iban_ok(iban: str) -> bool:
    s = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in s)) % 97 == 1


_ODD_DIGITS = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21]
_CF_ODD = dict(
    zip(DIG + UP, [*_ODD_DIGITS, *_ODD_DIGITS, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23], strict=True)
)
_CF_EVEN = {**{d: int(d) for d in DIG}, **{ch: i for i, ch in enumerate(UP)}}


def cf_char(s: str) -> str:
    """The check letter of an Italian codice fiscale (and the CIN of an Italian BBAN): 1-based odd / even tables."""
    total = sum(_CF_ODD[ch] if i % 2 == 0 else _CF_EVEN[ch] for i, ch in enumerate(s))
    return UP[total % 26]


def steuer_id() -> str:
    while True:
        digits = R.sample(DIG, 9)
        digits.append(R.choice(digits))
        R.shuffle(digits)
        if digits[0] == "0":
            continue
        body = "".join(digits)
        if not clean(body):
            continue
        product = 10
        for ch in body:
            s = (int(ch) + product) % 10 or 10
            product = (s * 2) % 11
        check = (11 - product) % 10
        return body + str(check)


def fr_nir(sex: str, yy: int, mm: int) -> str:
    dept = f"{R.choice([r for r in range(1, 96) if r != 20]):02d}"
    body = f"{sex}{yy:02d}{mm:02d}{dept}{R.randrange(1, 990):03d}{R.randrange(1, 999):03d}"
    return body + f"{97 - int(body) % 97:02d}"


def _cons(s: str) -> str:
    return "".join(ch for ch in s if ch.isalpha() and ch not in "AEIOU")


def _vow(s: str) -> str:
    return "".join(ch for ch in s if ch in "AEIOU")


def _plain(s: str) -> str:
    table = str.maketrans("ÀÁÈÉÌÍÒÓÙÚ'", "AAEEIIOOUU ")
    return s.upper().translate(table).replace(" ", "")


def codice_fiscale(first: str, last: str, female: bool, y: int, m: int, d: int) -> str:
    ln, fn = _plain(last), _plain(first)
    sur = (_cons(ln) + _vow(ln) + "XXX")[:3]
    c = _cons(fn)
    name = c[0] + c[2] + c[3] if len(c) >= 4 else (c + _vow(fn) + "XXX")[:3]
    town = R.choice(["H501", "F205", "F839", "L219", "G273", "A944", "D612", "L736", "D969", "C351"])
    body = f"{sur}{name}{y % 100:02d}{'ABCDEHLMPRST'[m - 1]}{d + (40 if female else 0):02d}{town}"
    return body + cf_char(body)


def es_dni() -> str:
    n = int(rd(8, "1234567"))
    return f"{n:08d}" + "TRWAGMYFPDXBNJZSQVHLCKE"[n % 23]


def es_nie() -> str:
    p = R.choice("XYZ")
    n = rd(7)
    return p + n + "TRWAGMYFPDXBNJZSQVHLCKE"[int(str("XYZ".index(p)) + n) % 23]


def aadhaar() -> str:
    body = rd(11, "23456789")
    return body + verhoeff_digit(body)


def pan(last: str) -> str:
    return rs(UP, 3) + "P" + _plain(last)[0] + rd(4) + R.choice(UP)


def cpf() -> str:
    while True:
        d = [int(ch) for ch in rd(9)]
        if len(set(d)) > 1:
            break
    d1 = sum(v * (10 - i) for i, v in enumerate(d)) * 10 % 11 % 10
    d.append(d1)
    d2 = sum(v * (11 - i) for i, v in enumerate(d)) * 10 % 11 % 10
    d.append(d2)
    s = "".join(map(str, d))
    return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"


def bsn() -> str:
    while True:
        d = [int(ch) for ch in rd(8, "123456")]
        s = sum(v * (9 - i) for i, v in enumerate(d))
        last = s % 11
        if last <= 9:
            return "".join(map(str, d)) + str(last)


def pesel(y: int, m: int, d: int, female: bool) -> str:
    mm = m + (20 if y >= 2000 else 0)
    serial = rd(3)
    sex = R.choice("02468" if female else "13579")
    body = f"{y % 100:02d}{mm:02d}{d:02d}{serial}{sex}"
    w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    return body + str((10 - sum(int(c) * k for c, k in zip(body, w, strict=True)) % 10) % 10)


def personnummer(y: int, m: int, d: int) -> str:
    body = f"{y % 100:02d}{m:02d}{d:02d}{rd(3)}"
    return f"{body[:6]}-{body[6:]}{luhn_digit(body)}"


def sin_ca() -> str:
    body = rd(8, "1234567")
    s = body + luhn_digit(body)
    return f"{s[:3]} {s[3:6]} {s[6:]}"


def tfn() -> str:
    w = [1, 4, 3, 7, 5, 8, 6, 9, 10]
    while True:
        body = rd(8, "1234567")
        for last in DIG:
            s = body + last
            if sum(int(c) * k for c, k in zip(s, w, strict=True)) % 11 == 0:
                return f"{s[:3]} {s[3:6]} {s[6:]}"


def ahv() -> str:
    body = "756" + rd(9)
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
    s = body + str((10 - total % 10) % 10)
    return f"{s[:3]}.{s[3:7]}.{s[7:11]}.{s[11:]}"


def be_nn(y: int, m: int, d: int, female: bool) -> str:
    serial = R.randrange(2 if female else 1, 998, 2)
    body = f"{y % 100:02d}{m:02d}{d:02d}{serial:03d}"
    base = int(("2" if y >= 2000 else "") + body)
    check = 97 - base % 97
    return f"{body[:2]}.{body[2:4]}.{body[4:6]}-{body[6:9]}.{check:02d}"


def hetu(y: int, m: int, d: int) -> str:
    n = R.randrange(2, 900)
    base = f"{d:02d}{m:02d}{y % 100:02d}"
    sep = "-" if y < 2000 else "A"
    return f"{base}{sep}{n:03d}" + "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(f"{base}{n:03d}") % 31]


def fodselsnummer(y: int, m: int, d: int) -> str:
    w1, w2 = [3, 7, 6, 1, 8, 9, 4, 5, 2], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    while True:
        base = f"{d:02d}{m:02d}{y % 100:02d}{R.randrange(0, 500):03d}"
        k1 = 11 - sum(int(c) * k for c, k in zip(base, w1, strict=True)) % 11
        k1 = 0 if k1 == 11 else k1
        if k1 == 10:
            continue
        k2 = 11 - sum(int(c) * k for c, k in zip(base + str(k1), w2, strict=True)) % 11
        k2 = 0 if k2 == 11 else k2
        if k2 == 10:
            continue
        return base + str(k1) + str(k2)


def kr_rrn(y: int, m: int, d: int, female: bool) -> str:
    g = (3 if y >= 2000 else 1) + (1 if female else 0)
    body = f"{y % 100:02d}{m:02d}{d:02d}{g}{rd(5)}"
    w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    c = (11 - sum(int(ch) * k for ch, k in zip(body, w, strict=True)) % 11) % 10
    return f"{body[:6]}-{body[6:]}{c}"


def cn_id(y: int, m: int, d: int, female: bool) -> str:
    area = R.choice(["110101", "310104", "440305", "510107", "330106", "420102"])
    seq = f"{R.randrange(0, 100):02d}{R.choice('02468' if female else '13579')}"
    body = f"{area}{y}{m:02d}{d:02d}{seq}"
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * k for c, k in zip(body, w, strict=True)) % 11]


def curp(first: str, last1: str, last2: str, female: bool, y: int, m: int, d: int) -> str:
    f, l1, l2 = _plain(first), _plain(last1), _plain(last2)
    vowel = next(ch for ch in l1[1:] if ch in "AEIOU")
    inner = lambda s: next(ch for ch in s[1:] if ch not in "AEIOU")  # noqa: E731
    body = (
        f"{l1[0]}{vowel}{l2[0]}{f[0]}{y % 100:02d}{m:02d}{d:02d}{'M' if female else 'H'}"
        f"{R.choice(['DF', 'JC', 'NL', 'PL', 'GT'])}{inner(l1)}{inner(l2)}{inner(f)}"
        f"{R.choice(DIG) if y < 2000 else R.choice(UP)}"
    )
    alpha = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
    total = sum(alpha.index(ch) * (18 - i) for i, ch in enumerate(body))
    return body + str((10 - total % 10) % 10)


def za_id(y: int, m: int, d: int, female: bool) -> str:
    g = R.randrange(0, 5000) if female else R.randrange(5000, 10000)
    body = f"{y % 100:02d}{m:02d}{d:02d}{g:04d}08"
    return body + luhn_digit(body)


def my_number() -> str:
    body = rd(11, "123456789")
    total = sum(int(body[-n]) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    r = total % 11
    s = body + str(0 if r <= 1 else 11 - r)
    return f"{s[:4]} {s[4:8]} {s[8:]}"


def ssn() -> str:
    while True:
        area = R.randrange(1, 900)
        if area != 666:
            s = f"{area:03d}-{R.randrange(1, 100):02d}-{R.randrange(1, 10000):04d}"
            if clean(s.replace("-", "")) and s not in ("078-05-1120", "219-09-9999"):
                return s


def nino() -> str:
    first = "ABCEGHJKLMNOPRSTWXYZ"
    second = "ABCEGHJKLMNPRSTWXYZ"
    while True:
        p = R.choice(first) + R.choice(second)
        if p not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
            return p + rd(6) + R.choice("ABCD")


def card(network: str) -> str:
    spec = {
        "visa": (["4"], 16),
        "mastercard": (["51", "52", "53", "54", "55", "2221", "2305", "2591", "2720"], 16),
        "amex": (["34", "37"], 15),
        "discover": (["6011", "65"], 16),
        "jcb": (["3528", "3541", "3566", "3589"], 16),
        "diners": (["36"], 14),
        "unionpay": (["62"], 16),
    }
    prefixes, n = spec[network]
    while True:
        body = R.choice(prefixes)
        body += rd(n - 1 - len(body))
        num = body + luhn_digit(body)
        if clean(num) and not num.startswith(("4111", "4242", "4000", "5555", "5105", "3782", "6011111")):
            return num


def group_card(num: str, sep: str = " ") -> str:
    if len(num) == 15:
        return sep.join([num[:4], num[4:10], num[10:]])
    if len(num) == 14:
        return sep.join([num[:4], num[4:10], num[10:]])
    return sep.join(num[i : i + 4] for i in range(0, 16, 4))


# ---------------------------------------------------------------------------------------------------------------------
# personal data: people, languages, carriers

# country -> language, people (first, last, female)
COUNTRIES: dict[str, tuple[str, list[tuple[str, str, bool]]]] = {
    "US": (
        "en",
        [
            ("Jennifer", "Alvarez", True),
            ("Marcus", "Holloway", False),
            ("Tyler", "Brennan", False),
            ("Ashley", "Nguyen", True),
            ("DeShawn", "Carter", False),
        ],
    ),
    "GB": (
        "en",
        [
            ("Olivia", "Pemberton", True),
            ("Callum", "Fraser", False),
            ("Harriet", "Okafor", True),
            ("Rhys", "Llewellyn", False),
        ],
    ),
    "IE": ("en", [("Siobhán", "Gallagher", True), ("Cian", "Doherty", False)]),
    "IN": (
        "en",
        [
            ("Aditya", "Sharma", False),
            ("Priyanka", "Iyer", True),
            ("Rohan", "Mehta", False),
            ("Sneha", "Kulkarni", True),
        ],
    ),
    "AU": ("en", [("Chloe", "McKenzie", True), ("Lachlan", "Turner", False), ("Mia", "Tran", True)]),
    "CA": ("en", [("Emily", "Tremblay", True), ("Ethan", "MacDonald", False)]),
    "ZA": ("en", [("Thandiwe", "Nkosi", True), ("Pieter", "van der Merwe", False)]),
    "DE": (
        "de",
        [
            ("Katharina", "Brandt", True),
            ("Lukas", "Vogel", False),
            ("Jana", "Schäfer", True),
            ("Timo", "Kessler", False),
        ],
    ),
    "AT": ("de", [("Florian", "Gruber", False), ("Magdalena", "Huber", True)]),
    "CH": ("de", [("Reto", "Brunner", False), ("Nadine", "Zürcher", True)]),
    "FR": (
        "fr",
        [
            ("Camille", "Lefèvre", True),
            ("Julien", "Moreau", False),
            ("Élodie", "Garnier", True),
            ("Mathis", "Roussel", False),
        ],
    ),
    "BE": ("fr", [("Amélie", "Dubois", True), ("Thibault", "Lambert", False)]),
    "IT": (
        "it",
        [
            ("Giulia", "Ferrari", True),
            ("Alessandro", "Conti", False),
            ("Chiara", "Esposito", True),
            ("Matteo", "Galli", False),
        ],
    ),
    "ES": (
        "es",
        [
            ("Lucía", "Navarro", True),
            ("Javier", "Ortega", False),
            ("Marta", "Iglesias", True),
            ("Sergio", "Vidal", False),
        ],
    ),
    "MX": ("es", [("Valeria", "Hernández López", True), ("Diego", "Ramírez Torres", False)]),
    "NL": ("nl", [("Sanne", "de Vries", True), ("Daan", "Bakker", False), ("Lotte", "Visser", True)]),
    "PL": (
        "pl",
        [("Agnieszka", "Wiśniewska", True), ("Piotr", "Zieliński", False), ("Katarzyna", "Lewandowska", True)],
    ),
    "BR": ("pt", [("Ana Clara", "Souza", True), ("Rafael", "Oliveira", False), ("Beatriz", "Carvalho", True)]),
    "PT": ("pt", [("Inês", "Figueiredo", True), ("Tiago", "Marques", False)]),
    "JP": ("ja", [("花子", "田中", True), ("健太", "佐藤", False), ("美咲", "鈴木", True)]),
    "SE": ("sv", [("Elin", "Lindberg", True), ("Oskar", "Nyström", False)]),
    "FI": ("fi", [("Aino", "Korhonen", True), ("Mikko", "Virtanen", False)]),
    "NO": ("no", [("Ingrid", "Haugen", True), ("Henrik", "Solberg", False)]),
    "KR": ("ko", [("민준", "김", False), ("서연", "이", True)]),
    "CN": ("zh", [("芳", "王", True), ("伟", "李", False)]),
}

# language -> labels and carrier templates ({name}, {first}, {label}, {value}, {date}, {agent}, {start})
LANG: dict[str, dict[str, str]] = {
    "en": {
        "phone": "Phone",
        "email": "Email",
        "date_of_birth": "Date of birth",
        "postal_address": "Address",
        "passport": "Passport number",
        "driving_licence": "Driving licence number",
        "iban": "IBAN",
        "credit_card": "Card number",
        "ip_address": "IP address",
        "form": "New customer application\nFull name: {name}\n{label}: {value}\nSignature: ____________",
        "mail": "Hi {other},\n\nAs requested, here are my details – {label}: {value}. Let me know if you need "
        "anything else.\n\nKind regards,\n{name}",
        "crm_note": "CRM note {date} ({agent}): customer {name} called to update their details – {label}: "
        "{value}. Identity verified.",
        "hr_record": "EMPLOYEE RECORD – CONFIDENTIAL\nEmployee: {name}\nDepartment: Logistics\n{label}: {value}\n"
        "Start date: {start}",
        "chat": "hey, it's {first} – {label}: {value}, in case you need it for the booking",
    },
    "de": {
        "phone": "Telefon",
        "email": "E-Mail",
        "date_of_birth": "Geburtsdatum",
        "postal_address": "Anschrift",
        "passport": "Reisepassnummer",
        "driving_licence": "Führerscheinnummer",
        "iban": "IBAN",
        "credit_card": "Kartennummer",
        "ip_address": "IP-Adresse",
        "form": "Anmeldeformular\nVor- und Nachname: {name}\n{label}: {value}\nUnterschrift: ____________",
        "mail": "Hallo {other},\n\nwie besprochen hier meine Angaben – {label}: {value}.\n\nViele Grüße\n{name}",
        "crm_note": "Notiz {date} ({agent}): Kunde {name} hat angerufen und seine Daten aktualisiert – {label}: "
        "{value}. Identität geprüft.",
        "hr_record": "PERSONALSTAMMBLATT – VERTRAULICH\nMitarbeiter/in: {name}\nAbteilung: Einkauf\n{label}: "
        "{value}\nEintritt: {start}",
        "chat": "Hi, hier ist {first} – {label}: {value}, falls ihr das für die Buchung braucht",
    },
    "fr": {
        "phone": "Téléphone",
        "email": "E-mail",
        "date_of_birth": "Date de naissance",
        "postal_address": "Adresse",
        "passport": "Numéro de passeport",
        "driving_licence": "Numéro de permis de conduire",
        "iban": "IBAN",
        "credit_card": "Numéro de carte",
        "ip_address": "Adresse IP",
        "form": "Formulaire d'inscription\nNom et prénom : {name}\n{label} : {value}\nSignature : ____________",
        "mail": "Bonjour {other},\n\ncomme convenu, voici les informations demandées – {label} : {value}.\n\n"
        "Cordialement,\n{name}",
        "crm_note": "Note CRM du {date} ({agent}) : le client {name} a appelé pour mettre à jour ses coordonnées – "
        "{label} : {value}. Identité vérifiée.",
        "hr_record": "FICHE SALARIÉ – CONFIDENTIEL\nNom : {name}\nService : Comptabilité\n{label} : {value}\n"
        "Date d'entrée : {start}",
        "chat": "Salut, c'est {first} : {label} {value}, si besoin pour la réservation",
    },
    "it": {
        "phone": "Telefono",
        "email": "E-mail",
        "date_of_birth": "Data di nascita",
        "postal_address": "Indirizzo",
        "passport": "Numero di passaporto",
        "driving_licence": "Numero patente",
        "iban": "IBAN",
        "credit_card": "Numero carta",
        "ip_address": "Indirizzo IP",
        "form": "Modulo di iscrizione\nNome e cognome: {name}\n{label}: {value}\nFirma: ____________",
        "mail": "Buongiorno {other},\n\ncome richiesto le invio i miei dati – {label}: {value}.\n\nCordiali saluti,"
        "\n{name}",
        "crm_note": "Nota CRM {date} ({agent}): il cliente {name} ha chiamato per aggiornare i dati – {label}: "
        "{value}. Identità verificata.",
        "hr_record": "SCHEDA DIPENDENTE – RISERVATO\nDipendente: {name}\nReparto: Amministrazione\n{label}: "
        "{value}\nData di assunzione: {start}",
        "chat": "Ciao, sono {first}: {label} {value}, se vi serve per la prenotazione",
    },
    "es": {
        "phone": "Teléfono",
        "email": "Correo electrónico",
        "date_of_birth": "Fecha de nacimiento",
        "postal_address": "Dirección",
        "passport": "Número de pasaporte",
        "driving_licence": "Número del permiso de conducir",
        "iban": "IBAN",
        "credit_card": "Número de tarjeta",
        "ip_address": "Dirección IP",
        "form": "Formulario de alta\nNombre y apellidos: {name}\n{label}: {value}\nFirma: ____________",
        "mail": "Hola, {other}:\n\ncomo me pediste, te paso mis datos – {label}: {value}.\n\nUn saludo,\n{name}",
        "crm_note": "Nota CRM {date} ({agent}): el cliente {name} llamó para actualizar sus datos – {label}: "
        "{value}. Identidad verificada.",
        "hr_record": "FICHA DEL EMPLEADO – CONFIDENCIAL\nEmpleado/a: {name}\nDepartamento: Compras\n{label}: "
        "{value}\nFecha de alta: {start}",
        "chat": "Hola, soy {first}: {label} {value}, por si lo necesitáis para la reserva",
    },
    "nl": {
        "phone": "Telefoon",
        "email": "E-mail",
        "date_of_birth": "Geboortedatum",
        "postal_address": "Adres",
        "passport": "Paspoortnummer",
        "driving_licence": "Rijbewijsnummer",
        "iban": "IBAN",
        "credit_card": "Kaartnummer",
        "ip_address": "IP-adres",
        "form": "Inschrijfformulier\nNaam: {name}\n{label}: {value}\nHandtekening: ____________",
        "mail": "Beste {other},\n\nzoals gevraagd mijn gegevens – {label}: {value}.\n\nMet vriendelijke groet,\n{name}",
        "crm_note": "CRM-notitie {date} ({agent}): klant {name} belde om gegevens bij te werken – {label}: "
        "{value}. Identiteit gecontroleerd.",
        "hr_record": "PERSONEELSDOSSIER – VERTROUWELIJK\nMedewerker: {name}\nAfdeling: Inkoop\n{label}: {value}\n"
        "In dienst sinds: {start}",
        "chat": "Hoi, met {first}: {label} {value}, mocht je het nodig hebben voor de boeking",
    },
    "pl": {
        "phone": "Telefon",
        "email": "E-mail",
        "date_of_birth": "Data urodzenia",
        "postal_address": "Adres",
        "passport": "Numer paszportu",
        "driving_licence": "Numer prawa jazdy",
        "iban": "Numer rachunku (IBAN)",
        "credit_card": "Numer karty",
        "ip_address": "Adres IP",
        "form": "Formularz zgłoszeniowy\nImię i nazwisko: {name}\n{label}: {value}\nPodpis: ____________",
        "mail": "Dzień dobry,\n\nzgodnie z prośbą przesyłam swoje dane – {label}: {value}.\n\nPozdrawiam,\n{name}",
        "crm_note": "Notatka CRM {date} ({agent}): klient {name} zadzwonił, aby zaktualizować dane – {label}: "
        "{value}. Tożsamość potwierdzona.",
        "hr_record": "KARTA PRACOWNIKA – POUFNE\nPracownik: {name}\nDział: Księgowość\n{label}: {value}\n"
        "Data zatrudnienia: {start}",
        "chat": "Cześć, tu {first}: {label} {value}, jakby było potrzebne do rezerwacji",
    },
    "pt": {
        "phone": "Telefone",
        "email": "E-mail",
        "date_of_birth": "Data de nascimento",
        "postal_address": "Endereço",
        "passport": "Número do passaporte",
        "driving_licence": "Número da CNH",
        "iban": "IBAN",
        "credit_card": "Número do cartão",
        "ip_address": "Endereço IP",
        "form": "Ficha de cadastro\nNome completo: {name}\n{label}: {value}\nAssinatura: ____________",
        "mail": "Olá {other},\n\nconforme solicitado, seguem meus dados – {label}: {value}.\n\nAtenciosamente,\n{name}",
        "crm_note": "Nota CRM {date} ({agent}): o cliente {name} ligou para atualizar o cadastro – {label}: "
        "{value}. Identidade confirmada.",
        "hr_record": "FICHA DO COLABORADOR – CONFIDENCIAL\nColaborador: {name}\nSetor: Financeiro\n{label}: "
        "{value}\nData de admissão: {start}",
        "chat": "Oi, aqui é {first}: {label} {value}, caso precisem para a reserva",
    },
    "ja": {
        "phone": "電話番号",
        "email": "メールアドレス",
        "date_of_birth": "生年月日",
        "postal_address": "住所",
        "passport": "旅券番号",
        "driving_licence": "運転免許証番号",
        "iban": "IBAN",
        "credit_card": "カード番号",
        "ip_address": "IPアドレス",
        "form": "申込書\n氏名：{name}\n{label}：{value}\n署名：＿＿＿＿",
        "mail": "{other}様\n\nお世話になっております。ご依頼の件、{label}は{value}です。\n\n"
        "よろしくお願いいたします。\n{name}",
        "crm_note": "CRMメモ {date}（{agent}）：{name}様より電話、{label}を{value}に変更。本人確認済み。",
        "hr_record": "社員台帳（社外秘）\n氏名：{name}\n所属：経理部\n{label}：{value}\n入社日：{start}",
        "chat": "{first}です。{label}は{value}です、予約に必要なら使ってください",
    },
    "sv": {
        "phone": "Telefon",
        "email": "E-post",
        "date_of_birth": "Födelsedatum",
        "postal_address": "Adress",
        "passport": "Passnummer",
        "driving_licence": "Körkortsnummer",
        "iban": "IBAN",
        "credit_card": "Kortnummer",
        "ip_address": "IP-adress",
        "form": "Anmälningsblankett\nNamn: {name}\n{label}: {value}\nUnderskrift: ____________",
        "mail": "Hej {other},\n\nhär kommer mina uppgifter som du bad om – {label}: {value}.\n\nMed vänliga "
        "hälsningar,\n{name}",
        "crm_note": "CRM-anteckning {date} ({agent}): kunden {name} ringde och uppdaterade sina uppgifter – "
        "{label}: {value}. Identitet kontrollerad.",
        "hr_record": "PERSONALAKT – KONFIDENTIELLT\nAnställd: {name}\nAvdelning: Inköp\n{label}: {value}\n"
        "Anställd sedan: {start}",
        "chat": "Hej, det är {first}: {label} {value}, om ni behöver det för bokningen",
    },
    "fi": {
        "phone": "Puhelin",
        "email": "Sähköposti",
        "date_of_birth": "Syntymäaika",
        "postal_address": "Osoite",
        "passport": "Passin numero",
        "driving_licence": "Ajokortin numero",
        "iban": "IBAN",
        "credit_card": "Kortin numero",
        "ip_address": "IP-osoite",
        "form": "Ilmoittautumislomake\nNimi: {name}\n{label}: {value}\nAllekirjoitus: ____________",
        "mail": "Hei {other},\n\nalla pyytämäsi tiedot – {label}: {value}.\n\nYstävällisin terveisin,\n{name}",
        "crm_note": "CRM-merkintä {date} ({agent}): asiakas {name} soitti ja päivitti tietonsa – {label}: "
        "{value}. Henkilöllisyys tarkistettu.",
        "hr_record": "HENKILÖSTÖKORTTI – LUOTTAMUKSELLINEN\nTyöntekijä: {name}\nOsasto: Hankinta\n{label}: "
        "{value}\nAloituspäivä: {start}",
        "chat": "Moi, {first} täällä: {label} {value}, jos tarvitsette sitä varaukseen",
    },
    "no": {
        "phone": "Telefon",
        "email": "E-post",
        "date_of_birth": "Fødselsdato",
        "postal_address": "Adresse",
        "passport": "Passnummer",
        "driving_licence": "Førerkortnummer",
        "iban": "IBAN",
        "credit_card": "Kortnummer",
        "ip_address": "IP-adresse",
        "form": "Påmeldingsskjema\nNavn: {name}\n{label}: {value}\nSignatur: ____________",
        "mail": "Hei {other},\n\nher er opplysningene du ba om – {label}: {value}.\n\nMed vennlig hilsen\n{name}",
        "crm_note": "CRM-notat {date} ({agent}): kunden {name} ringte og oppdaterte opplysningene – {label}: "
        "{value}. Identitet bekreftet.",
        "hr_record": "PERSONALKORT – KONFIDENSIELT\nAnsatt: {name}\nAvdeling: Innkjøp\n{label}: {value}\n"
        "Ansatt fra: {start}",
        "chat": "Hei, det er {first}: {label} {value}, hvis dere trenger det til bestillingen",
    },
    "ko": {
        "phone": "전화번호",
        "email": "이메일",
        "date_of_birth": "생년월일",
        "postal_address": "주소",
        "passport": "여권번호",
        "driving_licence": "운전면허번호",
        "iban": "IBAN",
        "credit_card": "카드번호",
        "ip_address": "IP 주소",
        "form": "가입 신청서\n성명: {name}\n{label}: {value}\n서명: ____________",
        "mail": "{other}님께,\n\n요청하신 정보 보내드립니다 – {label}: {value}.\n\n감사합니다.\n{name} 드림",
        "crm_note": "CRM 메모 {date} ({agent}): 고객 {name}님 전화, {label} 변경 – {value}. 본인 확인 완료.",
        "hr_record": "인사기록카드 – 대외비\n성명: {name}\n부서: 총무팀\n{label}: {value}\n입사일: {start}",
        "chat": "안녕하세요 {first}입니다. {label} {value} 예약에 필요하시면 쓰세요",
    },
    "zh": {
        "phone": "电话",
        "email": "邮箱",
        "date_of_birth": "出生日期",
        "postal_address": "地址",
        "passport": "护照号码",
        "driving_licence": "驾驶证号",
        "iban": "IBAN",
        "credit_card": "卡号",
        "ip_address": "IP地址",
        "form": "登记表\n姓名：{name}\n{label}：{value}\n签名：＿＿＿＿",
        "mail": "{other}您好：\n\n按您的要求，我的{label}是{value}。\n\n谢谢！\n{name}",
        "crm_note": "CRM备注 {date}（{agent}）：客户{name}来电，更新{label}为{value}，已核实身份。",
        "hr_record": "员工档案（机密）\n姓名：{name}\n部门：财务部\n{label}：{value}\n入职日期：{start}",
        "chat": "你好，我是{first}，我的{label}是{value}，订票需要的话可以用",
    },
}
PII_CARRIERS = ["form", "email", "crm_note", "hr_record", "chat"]

# national identity numbers: type -> country, label in the country's language
ID_LABELS = {
    "us_ssn": ("US", "SSN"),
    "uk_nino": ("GB", "National Insurance number"),
    "de_steuer_id": ("DE", "Steuerliche Identifikationsnummer"),
    "fr_nir": ("FR", "N° de sécurité sociale"),
    "it_codice_fiscale": ("IT", "Codice fiscale"),
    "es_dni": ("ES", "DNI"),
    "es_nie": ("ES", "NIE"),
    "in_aadhaar": ("IN", "Aadhaar No."),
    "in_pan": ("IN", "PAN"),
    "br_cpf": ("BR", "CPF"),
    "nl_bsn": ("NL", "BSN"),
    "pl_pesel": ("PL", "PESEL"),
    "se_personnummer": ("SE", "Personnummer"),
    "ca_sin": ("CA", "SIN"),
    "au_tfn": ("AU", "Tax File Number"),
    "ch_ahv": ("CH", "AHV-Nummer"),
    "be_national_number": ("BE", "Numéro de registre national"),
    "fi_hetu": ("FI", "Henkilötunnus"),
    "no_fodselsnummer": ("NO", "Fødselsnummer"),
    "kr_rrn": ("KR", "주민등록번호"),
    "cn_resident_id": ("CN", "身份证号码"),
    "mx_curp": ("MX", "CURP"),
    "za_id": ("ZA", "ID number"),
    "jp_my_number": ("JP", "マイナンバー"),
}

AGENTS = ["S. Kaur", "M. Dubois", "T. Berg", "A. Rossi", "J. Kim", "L. Costa", "P. Novak", "R. Osei"]


def person(cc: str) -> tuple[str, str, bool, str]:
    lang, people = COUNTRIES[cc]
    first, last, female = R.choice(people)
    full = f"{last} {first}" if lang == "ja" else f"{last}{first}" if lang in ("ko", "zh") else f"{first} {last}"
    return first, last, female, full


def rdate(y0: int = 1950, y1: int = 2003) -> tuple[int, int, int]:
    return R.randrange(y0, y1), R.randrange(1, 13), R.randrange(1, 29)


def other_first(cc: str, first: str) -> str:
    """Someone else from the same country: the addressee of a letter."""
    names = [p[0] for p in COUNTRIES[cc][1] if p[0] != first]
    return R.choice(names) if names else "Sam"


def pii_text(cc: str, carrier: str, label: str, value: str, who: tuple[str, str, bool, str] | None = None) -> str:
    lang = COUNTRIES[cc][0]
    first, _last, _f, full = who or person(cc)
    other = other_first(cc, first)
    y, m, d = rdate(2023, 2025)
    start = f"{R.randrange(1, 29):02d}.{R.randrange(1, 13):02d}.{R.randrange(2015, 2025)}"
    template = LANG[lang]["mail" if carrier == "email" else carrier]
    return template.format(
        name=full,
        first=first,
        other=other,
        label=label,
        value=value,
        date=f"{d:02d}.{m:02d}.{y}",
        agent=R.choice(AGENTS),
        start=start,
    )


CALL_ME = {
    "en": "Call me back on {value} after 5pm, thanks!",
    "de": "Ruf mich bitte unter {value} zurück, ich bin ab 17 Uhr erreichbar.",
    "fr": "Rappelle-moi au {value} après 17 h, merci !",
    "it": "Richiamami al {value} dopo le 17, grazie!",
    "es": "Llámame al {value} a partir de las cinco, gracias.",
    "nl": "Bel me even terug op {value}, na vijf uur ben ik bereikbaar.",
    "pl": "Oddzwoń proszę na {value} po 17:00, dzięki!",
    "pt": "Me liga no {value} depois das 17h, valeu!",
    "ja": "17時以降に{value}までお電話ください。",
    "sv": "Ring mig på {value} efter klockan fem, tack!",
    "fi": "Soita minulle numeroon {value} viiden jälkeen, kiitos!",
    "no": "Ring meg på {value} etter klokka fem, takk!",
    "ko": "5시 이후에 {value}로 전화 주세요.",
    "zh": "五点以后请打我电话{value}，谢谢！",
}
COMPANIES = {
    "en": "Hartwell & Finch Ltd",
    "de": "Brandt Logistik GmbH",
    "fr": "Atelier Garnier SARL",
    "it": "Conti Arredamenti S.r.l.",
    "es": "Distribuciones Ortega S.L.",
    "nl": "Bakker Installatie B.V.",
    "pl": "Zieliński Transport sp. z o.o.",
    "pt": "Souza Engenharia Ltda.",
    "ja": "株式会社さくら商事",
    "sv": "Lindberg Bygg AB",
    "fi": "Korhonen Oy",
    "no": "Haugen Eiendom AS",
    "ko": "한빛물산(주)",
    "zh": "上海华宇贸易有限公司",
}

PHONE_FORMATS: dict[str, list[str]] = {
    "US": ["(A) MNN-NNNN", "A-MNN-NNNN", "A.MNN.NNNN", "+1 A MNN NNNN", "+1 (A) MNN-NNNN", "1-A-MNN-NNNN"],
    "CA": ["(A) MNN-NNNN", "+1 A-MNN-NNNN"],
    "GB": [
        "07[1234789]NN NNNNNN",
        "+44 7[1234789]NN NNNNNN",
        "+44 (0)7[1234789]NN NNN NNN",
        "020 [378]NNN NNNN",
        "+44 20 [378]NNN NNNN",
        "0161 MNN NNNN",
        "0113 MNN NNNN",
    ],
    "DE": [
        "01[57][12579] MNNNNNN",
        "+49 17[0-9] MNNNNNNN",
        "0151/MNNNNNNN",
        "030 MNNNNNNN",
        "+49 30 MNNNNNNN",
        "089 MNNNNNN",
        "+49 (0)40 MNNNNNNN",
        "0221 MNNNNNN",
    ],
    "FR": ["06 NN NN NN NN", "+33 6 NN NN NN NN", "07.[5-9]N.NN.NN.NN", "01 [4-5]N NN NN NN", "+33 (0)4 [7]N NN NN NN"],
    "IT": ["3[2-9]N NNN NNNN", "+39 3[4]N NNN NNNN", "06 MNNN NNNN", "+39 02 MNNNNNNN"],
    "ES": ["6NN NN NN NN", "+34 6NN NNN NNN", "91 MNN NN NN", "+34 93 MNN NN NN"],
    "NL": ["06-[1-5]NNNNNNN", "+31 6 [1-5]NNNNNNN", "020-[5-7]NN NNNN", "+31 (0)10 [2-4]NN NNNN"],
    "PL": ["[5]0N NNN NNN", "+48 [6]0N NNN NNN", "22 [5-8]NN NN NN", "+48 12 [2-6]NN NN NN"],
    "BR": ["(11) 9[6-9]NNN-NNNN", "+55 11 9[6-9]NNN-NNNN", "(21) [23]NNN-NNNN", "+55 (31) 9[8-9]NNN-NNNN"],
    "IN": ["+91 9[6-9]NNN NNNNN", "09[6-9]NNN NNNNN", "+91-[7-8]NNNNNNNNN", "022 2NNN NNNN", "+91 80 4NNN NNNN"],
    "AU": ["04[1-3]N NNN NNN", "+61 4[1-3]N NNN NNN", "(02) 9NNN NNNN", "(03) 9NNN NNNN", "+61 2 8NNN NNNN"],
    "JP": ["090-[1-9]NNN-NNNN", "080-[1-9]NNN-NNNN", "+81 90-[1-9]NNN-NNNN", "03-[3-6]NNN-NNNN", "06-[6]NNN-NNNN"],
    "SE": ["070-[2-9]NN NN NN", "+46 70 [2-9]NN NN NN", "08-[5-7]NN NNN NN"],
    "CH": ["079 [2-9]NN NN NN", "+41 79 [2-9]NN NN NN", "044 [2-4]NN NN NN", "+41 (0)44 [2-4]NN NN NN"],
    "MX": ["55 [1-9]NNN NNNN", "+52 55 [1-9]NNN NNNN", "(33) [1-9]NNN NNNN"],
    "KR": ["010-[2-9]NNN-NNNN", "+82 10-[2-9]NNN-NNNN", "02-[2-9]NNN-NNNN"],
    "CN": ["13[8-9] NNNN NNNN", "+86 13[6-9] NNNN NNNN", "021-[5-6]NNN NNNN"],
}
AREA = {
    "US": ["212", "312", "415", "617", "206", "303", "512", "702", "404", "713", "646", "919"],
    "CA": ["416", "604", "514", "403", "613", "902"],
}
FICTION = ("7700 900", "77009 00", "20 7946 0", "0491 570", "555-01", "5550", "99 00")


def fill(pattern: str, cc: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "[":
            j = pattern.index("]", i)
            spec = pattern[i + 1 : j]
            choices = [str(x) for x in range(int(spec[0]), int(spec[2]) + 1)] if "-" in spec else list(spec)
            out.append(R.choice(choices))
            i = j + 1
            continue
        out.append(
            R.choice(DIG)
            if ch == "N"
            else R.choice("23456789")
            if ch == "M"
            else R.choice(AREA[cc])
            if ch == "A"
            else ch
        )
        i += 1
    return "".join(out)


def phone(cc: str, pattern: str | None = None) -> str:
    pattern = pattern or R.choice(PHONE_FORMATS[cc])
    for _ in range(2000):
        s = fill(pattern, cc)
        digits = re.sub(r"\D", "", s)
        if not clean(digits[-7:]) or any(f in s for f in FICTION) or re.search(r"\b555\b|-555-|\.555\.", s):
            continue
        n = phonenumbers.parse(s, cc)
        if phonenumbers.is_valid_number(n) and phonenumbers.region_code_for_number(n) == cc:
            return s
    raise ValueError(f"no valid number for {cc} {pattern}")


ROMAN = {
    "花子": "hanako",
    "田中": "tanaka",
    "健太": "kenta",
    "佐藤": "sato",
    "美咲": "misaki",
    "鈴木": "suzuki",
    "민준": "minjun",
    "김": "kim",
    "서연": "seoyeon",
    "이": "lee",
    "芳": "fang",
    "王": "wang",
    "伟": "wei",
    "李": "li",
}
MAIL_DOMAINS = {
    "US": ["gmail.com", "outlook.com", "yahoo.com"],
    "GB": ["btinternet.com", "hotmail.co.uk"],
    "DE": ["web.de", "gmx.de", "t-online.de"],
    "FR": ["orange.fr", "free.fr", "laposte.net"],
    "IT": ["libero.it", "virgilio.it"],
    "ES": ["telefonica.net", "hotmail.es"],
    "NL": ["ziggo.nl", "kpnmail.nl"],
    "PL": ["wp.pl", "onet.pl", "o2.pl"],
    "BR": ["uol.com.br", "bol.com.br"],
    "IN": ["rediffmail.com", "yahoo.co.in"],
    "JP": ["docomo.ne.jp", "yahoo.co.jp"],
    "SE": ["telia.com", "bredband.net"],
    "AU": ["bigpond.com", "optusnet.com.au"],
    "CN": ["qq.com", "163.com"],
    "KR": ["naver.com"],
    "MX": ["prodigy.net.mx"],
    "CH": ["bluewin.ch"],
    "FI": ["elisanet.fi"],
}


def ascii_name(s: str) -> str:
    import unicodedata

    s = ROMAN.get(s, s)
    s = s.replace("ß", "ss").replace("ł", "l").replace("Ł", "L")
    return "".join(ch for ch in unicodedata.normalize("NFKD", s) if ch.isascii() and ch.isalpha()).lower()


def email(cc: str, first: str, last: str) -> str:
    f, ln = ascii_name(first), ascii_name(last.split()[0] if cc in ("MX",) else last.replace(" ", ""))
    style = R.randrange(6)
    local = [
        f"{f}.{ln}",
        f"{f[0]}{ln}",
        f"{f}_{ln}{R.randrange(70, 99)}",
        f"{f}.{ln}+orders",
        f"{ln}.{f}",
        f"{f}{ln}{R.randrange(1970, 2001)}",
    ][style]
    return f"{local}@{R.choice(MAIL_DOMAINS[cc])}"


def _es_dc(digits: str) -> str:
    w = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]
    c = 11 - sum(int(d) * k for d, k in zip(digits, w, strict=True)) % 11
    return str({11: 0, 10: 1}.get(c, c))


def bban(cc: str) -> str:
    if cc == "FR":
        bank, branch, acct = rd(5, "1234"), rd(5), rd(11)
        key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97
        return f"{bank}{branch}{acct}{key:02d}"
    if cc == "ES":
        bank, branch, acct = rd(4, "0123"), rd(4), rd(10)
        return bank + branch + _es_dc("00" + bank + branch) + _es_dc(acct) + acct
    if cc == "IT":
        rest = rd(5, "0") + rd(5, "0123") + rd(12, "0")
        return cf_char(rest) + rest
    if cc == "BE":
        first = rd(10, "0123456789")
        return first + f"{int(first) % 97 or 97:02d}"
    if cc == "PT":
        first = rd(4, "0") + rd(4, "0") + rd(11, "0")
        return first + f"{98 - int(first) * 100 % 97:02d}"
    if cc == "NO":
        first = rd(10, "12345678")
        c = 11 - sum(int(d) * k for d, k in zip(first, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2], strict=True)) % 11
        return first + str(0 if c == 11 else c) if c != 10 else bban("NO")
    spec = {
        "DE": lambda: rd(8, "1234567") + rd(10, "0123456789"),
        "NL": lambda: R.choice(["ABNA", "INGB", "RABO", "SNSB", "TRIO", "KNAB", "ASNB"]) + rd(10, "0123456789"),
        "GB": lambda: R.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]) + rd(6, "2345678") + rd(8),
        "IE": lambda: R.choice(["AIBK", "BOFI"]) + rd(6, "9") + rd(8),
        "PL": lambda: rd(8, "1") + rd(16),
        "CH": lambda: "00" + rd(3, "2789") + rd(12, "0"),
        "AT": lambda: rd(5, "123") + rd(11, "0"),
        "SE": lambda: rd(3, "5689") + rd(17, "0"),
        "FI": lambda: rd(6, "1234578") + rd(8),
    }
    return spec[cc]()


def iban(cc: str, grouped: bool) -> str:
    b = bban(cc)
    s = cc + iban_check(cc, b) + b
    assert iban_ok(s)
    return " ".join(s[i : i + 4] for i in range(0, len(s), 4)) if grouped else s


def mrz_digit(s: str) -> str:
    vals = {**{d: int(d) for d in DIG}, **{ch: i + 10 for i, ch in enumerate(UP)}, "<": 0}
    return str(sum(vals[ch] * (7, 3, 1)[i % 3] for i, ch in enumerate(s)) % 10)


PASSPORT = {
    "US": lambda: R.choice([rd(9, "56"), "A" + rd(8)]),
    "GB": lambda: rd(9, "1256"),
    "DE": lambda: "C" + rs("CFGHJKLMNPRTVWXYZ0123456789", 8),
    "FR": lambda: rd(2) + rs(UP, 2) + rd(5),
    "IT": lambda: rs(UP, 2) + rd(7),
    "ES": lambda: rs(UP, 3) + rd(6),
    "NL": lambda: rs("BCDFGHJKLNPRSTVWXYZ", 2) + rs("BCDFGHJKLNPRSTVWXYZ0123456789", 6) + rd(1),
    "PL": lambda: rs(UP, 2) + rd(7),
    "BR": lambda: rs(UP, 2) + rd(6),
    "IN": lambda: R.choice("JKLMNPRSTUVWZ") + rd(7),
    "JP": lambda: "T" + rs(UP, 1) + rd(7),
    "CA": lambda: rs(UP, 2) + rd(6),
    "AU": lambda: R.choice(["P", "N", "E"]) + rd(7),
    "CN": lambda: "E" + rd(8),
    "MX": lambda: "G" + rd(8),
}


def dvla(first: str, last: str, female: bool, y: int, m: int, d: int) -> str:
    sur = (_plain(last).replace("-", "") + "99999")[:5]
    mm = m + (50 if female else 0)
    return f"{sur}{str(y)[2]}{mm:02d}{d:02d}{str(y)[3]}{_plain(first)[0]}9{R.choice('0123456789')}{rs(UP, 2)}"


MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "de": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "it": [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
}

# country -> ways a date of birth is written there
DOB_FORMATS: dict[str, list[Callable[[int, int, int], str]]] = {
    "US": [lambda y, m, d: f"{m:02d}/{d:02d}/{y}", lambda y, m, d: f"{MONTHS['en'][m - 1]} {d}, {y}"],
    "GB": [lambda y, m, d: f"{d:02d}/{m:02d}/{y}", lambda y, m, d: f"{d} {MONTHS['en'][m - 1]} {y}"],
    "DE": [lambda y, m, d: f"{d:02d}.{m:02d}.{y}", lambda y, m, d: f"{d}. {MONTHS['de'][m - 1]} {y}"],
    "FR": [lambda y, m, d: f"{d:02d}/{m:02d}/{y}", lambda y, m, d: f"{d} {MONTHS['fr'][m - 1]} {y}"],
    "IT": [lambda y, m, d: f"{d:02d}/{m:02d}/{y}", lambda y, m, d: f"{d} {MONTHS['it'][m - 1]} {y}"],
    "ES": [lambda y, m, d: f"{d:02d}/{m:02d}/{y}", lambda y, m, d: f"{d} de {MONTHS['es'][m - 1]} de {y}"],
    "NL": [lambda y, m, d: f"{d:02d}-{m:02d}-{y}", lambda y, m, d: f"{d} {MONTHS['nl'][m - 1]} {y}"],
    "PL": [lambda y, m, d: f"{d:02d}.{m:02d}.{y} r."],
    "BR": [lambda y, m, d: f"{d:02d}/{m:02d}/{y}"],
    "IN": [lambda y, m, d: f"{d:02d}-{m:02d}-{y}"],
    "JP": [lambda y, m, d: f"{y}年{m}月{d}日"],
    "SE": [lambda y, m, d: f"{y}-{m:02d}-{d:02d}"],
    "KR": [lambda y, m, d: f"{y}년 {m}월 {d}일"],
    "CN": [lambda y, m, d: f"{y}年{m}月{d}日"],
}

# a date of birth said in a sentence, not given in a field
BORN = {
    "US": "{name} (born {value}) is the primary account holder.",
    "GB": "Patient {name}, born {value}, attended clinic today.",
    "DE": "{name}, geboren am {value}, wohnhaft in Leipzig, beantragt einen Mitgliedsausweis.",
    "FR": "{name}, né(e) le {value} à Lyon, souhaite ouvrir un compte.",
    "IT": "{name}, nato/a il {value} a Bologna, chiede il rinnovo della tessera.",
    "ES": "{name}, nacido/a el {value} en Zaragoza, solicita la tarjeta de socio.",
    "NL": "{name}, geboren op {value} te Utrecht, vraagt een parkeervergunning aan.",
}

STREETS = {
    "US": (
        ["Maple Ridge Dr", "W Addison St", "Cedar Ln", "Pine Hollow Rd", "E 73rd St", "Lakeview Ave"],
        [
            ("Columbus", "OH", "43215"),
            ("Chicago", "IL", "60613"),
            ("Austin", "TX", "78704"),
            ("Denver", "CO", "80205"),
            ("Portland", "OR", "97214"),
        ],
    ),
    "GB": (
        ["Cranbourne Road", "Mill Lane", "Victoria Street", "Ashgrove Avenue", "Kingsway"],
        [("Leeds", "LS6 2AH"), ("Bristol", "BS7 8QT"), ("Manchester", "M20 6RL"), ("Norwich", "NR2 3DW")],
    ),
    "DE": (
        ["Lindenstraße", "Am Sonnenhang", "Gartenweg", "Schillerstraße", "Bahnhofstraße", "Kastanienallee"],
        [("10969", "Berlin"), ("04109", "Leipzig"), ("50667", "Köln"), ("80331", "München"), ("28195", "Bremen")],
    ),
    "FR": (
        ["rue des Tanneurs", "avenue Jean Jaurès", "boulevard Voltaire", "rue de la République", "impasse des Lilas"],
        [("67000", "Strasbourg"), ("69007", "Lyon"), ("75011", "Paris"), ("31000", "Toulouse")],
    ),
    "IT": (
        ["Via Giuseppe Verdi", "Corso Vittorio Emanuele II", "Via dei Mille", "Viale Monza", "Via Roma"],
        [("20121", "Milano", "MI"), ("40125", "Bologna", "BO"), ("80134", "Napoli", "NA"), ("10123", "Torino", "TO")],
    ),
    "ES": (
        ["Calle de Alcalá", "Avenida Diagonal", "Calle Mayor", "Paseo de la Castellana", "Calle San Vicente"],
        [("28009", "Madrid"), ("08029", "Barcelona"), ("46002", "Valencia"), ("50001", "Zaragoza")],
    ),
    "NL": (
        ["Keizersgracht", "Dorpsstraat", "Oudegracht", "Kerkstraat", "Burgemeester de Withstraat"],
        [("1016 EE", "Amsterdam"), ("3511 AL", "Utrecht"), ("2512 CK", "Den Haag"), ("5611 HW", "Eindhoven")],
    ),
    "PL": (
        ["ul. Długa", "ul. Marszałkowska", "al. Jana Pawła II", "ul. Piotrkowska", "os. Kościuszkowskie"],
        [("80-827", "Gdańsk"), ("00-624", "Warszawa"), ("90-102", "Łódź"), ("31-123", "Kraków")],
    ),
    "BR": (
        ["Rua Augusta", "Rua das Laranjeiras", "Rua XV de Novembro"],
        [
            ("Consolação", "São Paulo", "SP", "01304-001"),
            ("Laranjeiras", "Rio de Janeiro", "RJ", "22240-003"),
            ("Centro", "Curitiba", "PR", "80020-310"),
        ],
    ),
    "IN": (
        ["14th Cross Road, Indiranagar", "Linking Road, Bandra West", "Sector 21, Dwarka", "Anna Salai, Teynampet"],
        [
            ("Bengaluru", "Karnataka", "560038"),
            ("Mumbai", "Maharashtra", "400050"),
            ("New Delhi", "Delhi", "110077"),
            ("Chennai", "Tamil Nadu", "600018"),
        ],
    ),
    "AU": (
        ["Wattle Street", "Beach Road", "Gloucester Avenue", "Bridge Road"],
        [("Fitzroy", "VIC", "3065"), ("Bondi", "NSW", "2026"), ("Paddington", "QLD", "4064")],
    ),
    "CA": (
        ["Rue Saint-Denis", "Queen Street West", "Granville Street"],
        [("Montréal", "QC", "H2X 3K7"), ("Toronto", "ON", "M5V 2A4"), ("Vancouver", "BC", "V6Z 1L2")],
    ),
    "SE": (
        ["Storgatan", "Drottninggatan", "Vasagatan", "Kungsgatan"],
        [("114 55", "Stockholm"), ("411 38", "Göteborg"), ("211 22", "Malmö")],
    ),
    "CH": (["Bahnhofstrasse", "Kramgasse", "Freie Strasse"], [("8001", "Zürich"), ("3011", "Bern"), ("4051", "Basel")]),
}


def address(cc: str, multiline: bool = False) -> str:
    streets, places = STREETS[cc]
    i = R.randrange(len(streets))
    st, pl, n = streets[i], places[i % len(places)], R.randrange(2, 240)
    nl = "\n" if multiline else ", "
    if cc == "US":
        apt = f", Apt {R.randrange(1, 9)}{R.choice('ABCD')}" if R.random() < 0.5 else ""
        return f"{R.randrange(100, 9800)} {st}{apt}{nl}{pl[0]}, {pl[1]} {pl[2]}"
    if cc == "GB":
        flat = f"Flat {R.randrange(1, 9)}, " if R.random() < 0.5 else ""
        return f"{flat}{n} {st}{nl}{pl[0]}{nl}{pl[1]}" if multiline else f"{flat}{n} {st}, {pl[0]} {pl[1]}"
    if cc in ("DE", "CH", "SE"):
        suffix = R.choice(["", "", " a", " B"]) if cc != "CH" else ""
        return f"{st} {n}{suffix}{nl}{pl[0]} {pl[1]}"
    if cc == "FR":
        return f"{n} {st}{nl}{pl[0]} {pl[1]}"
    if cc == "IT":
        return f"{st} {n}{nl}{pl[0]} {pl[1]} ({pl[2]})"
    if cc == "ES":
        return f"{st}, {n}, {R.randrange(1, 9)}º {R.choice('ABCD')}{nl}{pl[0]} {pl[1]}"
    if cc == "NL":
        return f"{st} {n}{R.choice(['', '-2', ' A', ' hs'])}{nl}{pl[0]} {pl[1]}"
    if cc == "PL":
        return f"{st} {n}/{R.randrange(1, 60)}{nl}{pl[0]} {pl[1]}"
    if cc == "BR":
        return f"{st}, {n * 7}, apto {R.randrange(11, 190)} – {pl[0]}{nl}{pl[1]} – {pl[2]}, CEP {pl[3]}"
    if cc == "IN":
        house = R.choice(["Sai Residency", "Green Glen Apartments", "Lotus Towers"])
        return f"Flat {R.randrange(101, 1204)}, {house}, {st}{nl}{pl[0]}, {pl[1]} {pl[2]}"
    if cc == "AU":
        unit = f"Unit {R.randrange(1, 20)}, " if R.random() < 0.5 else ""
        return f"{unit}{n} {st}{nl}{pl[0]} {pl[1]} {pl[2]}"
    if cc == "CA":
        return f"{R.randrange(100, 4000)} {st}{nl}{pl[0]} {pl[1]} {pl[2]}"
    raise KeyError(cc)


JP_ADDR = [
    "〒150-0002 東京都渋谷区渋谷{a}丁目{b}-{c}",
    "〒530-0001 大阪府大阪市北区梅田{a}丁目{b}番{c}号",
    "〒460-0008 愛知県名古屋市中区栄{a}-{b}-{c} サンパレス{c}0{a}号室",
]

SHIP_TO = {
    "en": "SHIP TO:",
    "de": "Lieferanschrift:",
    "fr": "Adresse de livraison :",
    "it": "Indirizzo di spedizione:",
    "es": "Dirección de envío:",
    "nl": "Bezorgadres:",
    "pl": "Adres dostawy:",
    "pt": "Endereço de entrega:",
    "sv": "Leveransadress:",
    "ja": "お届け先：",
    "fi": "Toimitusosoite:",
    "no": "Leveringsadresse:",
}


COURIER = {
    "US": "UPS Ground",
    "GB": "Royal Mail Tracked 48",
    "DE": "DHL Paket",
    "FR": "Colissimo",
    "IT": "BRT",
    "ES": "Correos Express",
    "NL": "PostNL",
    "PL": "InPost",
    "BR": "SEDEX",
    "IN": "Blue Dart",
    "AU": "Australia Post",
    "CA": "Purolator",
    "SE": "PostNord",
    "CH": "Die Post",
    "JP": "ヤマト運輸",
}


def extra_text(cc: str, carrier: str, value: str, who: tuple[str, str, bool, str]) -> str:
    """Carriers without a field label: a call-me line, an e-mail signature, a shipping label."""
    lang = COUNTRIES[cc][0]
    if carrier == "call_me":
        return CALL_ME[lang].format(value=value)
    if carrier == "signature":
        greeting = LANG[lang]["mail"].split("\n")[0].format(other=other_first(cc, who[0]))
        return f"{greeting}\n\n…\n\n--\n{who[3]}\n{COMPANIES[lang]}\n{value}"
    if carrier == "shipping_label":
        return f"{SHIP_TO[lang]}\n{who[3]}\n{value}\n\n{COURIER.get(cc, 'DHL Express')} · {rs(UP + DIG, 12)}"
    raise KeyError(carrier)


def make_pii(
    cc: str, typ: str, value: str, carrier: str, label: str | None = None, who: tuple[str, str, bool, str] | None = None
) -> Row:
    who = who or person(cc)
    lang = COUNTRIES[cc][0]
    if carrier in ("call_me", "signature", "shipping_label"):
        text = extra_text(cc, carrier, value, who)
    else:
        text = pii_text(cc, carrier, label or LANG[lang][typ], value, who)
    return row(text, "pii", typ, carrier, value, cc)


def born(cc: str) -> tuple[str, str, bool, str, int, int, int]:
    first, last, female, full = person(cc)
    y, m, d = rdate()
    return first, last, female, full, y, m, d


def national_id(typ: str, fmt: int) -> tuple[str, tuple[str, str, bool, str]]:
    cc = ID_LABELS[typ][0]
    first, last, female, full, y, m, d = born(cc)
    who = (first, last, female, full)
    if typ == "us_ssn":
        v = ssn()
        v = [v, v.replace("-", " "), v.replace("-", "")][fmt % 3]
    elif typ == "uk_nino":
        v = nino()
        v = f"{v[:2]} {v[2:4]} {v[4:6]} {v[6:8]} {v[8]}" if fmt % 2 else v
    elif typ == "de_steuer_id":
        v = steuer_id()
        v = f"{v[:2]} {v[2:5]} {v[5:8]} {v[8:]}" if fmt % 2 else v
    elif typ == "fr_nir":
        v = fr_nir("2" if female else "1", y % 100, m)
        v = f"{v[0]} {v[1:3]} {v[3:5]} {v[5:7]} {v[7:10]} {v[10:13]} {v[13:]}" if fmt % 2 else v
    elif typ == "it_codice_fiscale":
        v = codice_fiscale(first, last, female, y, m, d)
    elif typ == "es_dni":
        v = es_dni()
        v = v[:8] + "-" + v[8] if fmt % 3 == 2 else v
    elif typ == "es_nie":
        v = es_nie()
    elif typ == "in_aadhaar":
        v = aadhaar()
        v = f"{v[:4]} {v[4:8]} {v[8:]}" if fmt % 4 else v
    elif typ == "in_pan":
        v = pan(last)
    elif typ == "br_cpf":
        v = cpf()
        v = re.sub(r"\D", "", v) if fmt % 4 == 3 else v
    elif typ == "nl_bsn":
        v = bsn()
        v = f"{v[:4]}.{v[4:6]}.{v[6:]}" if fmt % 3 == 2 else v
    elif typ == "pl_pesel":
        v = pesel(y, m, d, female)
    elif typ == "se_personnummer":
        v = personnummer(y, m, d)
        v = str(y)[:2] + v if fmt % 2 else v
    elif typ == "ca_sin":
        v = sin_ca()
    elif typ == "au_tfn":
        v = tfn()
    elif typ == "ch_ahv":
        v = ahv()
    elif typ == "be_national_number":
        v = be_nn(y, m, d, female)
    elif typ == "fi_hetu":
        v = hetu(y, m, d)
    elif typ == "no_fodselsnummer":
        v = fodselsnummer(y, m, d)
    elif typ == "kr_rrn":
        v = kr_rrn(y, m, d, female)
    elif typ == "cn_resident_id":
        v = cn_id(y, m, d, female)
    elif typ == "mx_curp":
        l1, l2 = last.split()
        v = curp(first, l1, l2, female, y, m, d)
    elif typ == "za_id":
        v = za_id(y, m, d, female)
    elif typ == "jp_my_number":
        v = my_number()
    else:
        raise KeyError(typ)
    return v, who


ID_COUNTS = {
    "us_ssn": 6,
    "uk_nino": 5,
    "de_steuer_id": 5,
    "fr_nir": 5,
    "it_codice_fiscale": 5,
    "es_dni": 4,
    "es_nie": 3,
    "in_aadhaar": 5,
    "in_pan": 4,
    "br_cpf": 5,
    "nl_bsn": 4,
    "pl_pesel": 4,
    "se_personnummer": 3,
    "ca_sin": 3,
    "au_tfn": 3,
    "ch_ahv": 3,
    "be_national_number": 2,
    "fi_hetu": 2,
    "no_fodselsnummer": 2,
    "kr_rrn": 2,
    "cn_resident_id": 2,
    "mx_curp": 2,
    "za_id": 2,
    "jp_my_number": 2,
}
PHONE_COUNTS = {
    "US": 4,
    "GB": 3,
    "DE": 3,
    "FR": 3,
    "IT": 2,
    "ES": 2,
    "NL": 2,
    "PL": 2,
    "BR": 3,
    "IN": 3,
    "AU": 2,
    "JP": 2,
    "CA": 1,
    "SE": 1,
    "CH": 2,
    "MX": 1,
    "KR": 1,
    "CN": 1,
}
CARDS = [
    ("US", "visa", " "),
    ("US", "amex", " "),
    ("GB", "mastercard", ""),
    ("DE", "visa", "-"),
    ("FR", "visa", " "),
    ("IT", "mastercard", " "),
    ("ES", "visa", ""),
    ("NL", "mastercard", " "),
    ("BR", "mastercard", " "),
    ("JP", "jcb", "-"),
    ("CN", "unionpay", " "),
    ("US", "discover", "-"),
    ("IN", "visa", " "),
    ("AU", "diners", " "),
]
IBANS = ["DE", "FR", "ES", "IT", "NL", "GB", "PL", "BE", "CH", "AT", "PT", "SE", "FI", "NO", "IE"]


def pii_rows() -> list[Row]:
    rows: list[Row] = []
    cyc = Cycle(PII_CARRIERS)

    phone_cyc = Cycle([*PII_CARRIERS, "call_me", "signature", "call_me"])
    for cc, n in PHONE_COUNTS.items():
        pats = PHONE_FORMATS[cc][:]
        R.shuffle(pats)
        for i in range(n):
            rows.append(make_pii(cc, "phone", phone(cc, pats[i % len(pats)]), phone_cyc.next()))

    mail_cyc = Cycle([*PII_CARRIERS, "signature"])
    for cc in ["US", "GB", "DE", "FR", "IT", "ES", "NL", "PL", "BR", "IN", "JP", "SE", "AU", "CN"]:
        who = person(cc)
        rows.append(make_pii(cc, "email", email(cc, who[0], who[1]), mail_cyc.next(), who=who))

    for cc, net, sep in CARDS:
        rows.append(make_pii(cc, "credit_card", group_card(card(net), sep), cyc.next()))

    for i, cc in enumerate(IBANS):
        rows.append(make_pii(cc if cc in COUNTRIES else "DE", "iban", iban(cc, i % 2 == 0), cyc.next()))

    for typ, n in ID_COUNTS.items():
        cc, label = ID_LABELS[typ]
        for i in range(n):
            v, who = national_id(typ, i)
            rows.append(make_pii(cc, typ, v, cyc.next(), label=label, who=who))

    for cc, fn in PASSPORT.items():
        rows.append(make_pii(cc, "passport", fn(), cyc.next()))
    # a passport's machine-readable zone, as pasted from a scan
    first, last, female, full = person("GB")
    num = rd(9, "1256")
    y, m, d = rdate()
    dob = f"{y % 100:02d}{m:02d}{d:02d}"
    exp = f"{R.randrange(27, 34)}{m:02d}{d:02d}"
    l2 = f"{num}{mrz_digit(num)}GBR{dob}{mrz_digit(dob)}{'F' if female else 'M'}{exp}{mrz_digit(exp)}" + "<" * 14
    l2 += mrz_digit("<" * 14) + mrz_digit(l2[:10] + l2[13:20] + l2[21:43])
    l1 = f"P<GBR{_plain(last)}<<{_plain(first)}".ljust(44, "<")
    rows.append(
        row(
            f"OCR output from the scanned passport page:\n\n{l1}\n{l2}\n\nplease check the name matches the booking",
            "pii",
            "passport",
            "mrz",
            num,
            "GB",
        )
    )

    dl = [
        ("GB", None, None),
        ("GB", None, None),
        ("US", "Driver's License No.", lambda: R.choice("ABDEFGNSW") + rd(7)),
        ("US", "NY DMV ID", lambda: f"{rd(3, '1234')} {rd(3)} {rd(3)}"),
        ("US", "DL#", lambda: f"{R.choice(UP)}{rd(3)}-{rd(3)}-{rd(2)}-{rd(3)}-{rd(1)}"),
        ("DE", None, lambda: R.choice("BFJK") + rd(3) + rs(UP + DIG, 5) + rd(1) + rs(UP + DIG, 1)),
        ("FR", None, lambda: f"{rd(2, '789')}{R.randrange(1, 13):02d}{R.randrange(1, 96):02d}{rd(6)}"),
        ("IT", None, lambda: "U1" + rs(UP + DIG, 7) + R.choice(UP)),
        ("IN", "DL No.", lambda: f"{R.choice(['MH12', 'KA05', 'DL04', 'TN09'])} {R.randrange(2005, 2022)}{rd(7, '0')}"),
        ("AU", "Licence number", lambda: rd(8, "123456789")),
    ]
    for cc, label, fn in dl:
        if fn is None:
            first, last, female, full, y, m, d = born(cc)
            rows.append(
                make_pii(
                    cc,
                    "driving_licence",
                    dvla(first, last, female, y, m, d),
                    cyc.next(),
                    who=(first, last, female, full),
                )
            )
        else:
            rows.append(make_pii(cc, "driving_licence", fn(), cyc.next(), label=label))

    for cc in [
        "US",
        "US",
        "GB",
        "GB",
        "DE",
        "DE",
        "FR",
        "IT",
        "ES",
        "ES",
        "NL",
        "PL",
        "BR",
        "JP",
        "SE",
        "KR",
        "CN",
        "IN",
    ]:
        first, last, female, full, y, m, d = born(cc)
        fmts = DOB_FORMATS[cc]
        v = R.choice(fmts)(y, m, d)
        if cc in BORN and R.random() < 0.45:
            rows.append(row(BORN[cc].format(name=full, value=v), "pii", "date_of_birth", "prose", v, cc))
        else:
            rows.append(make_pii(cc, "date_of_birth", v, cyc.next(), who=(first, last, female, full)))

    addr_cyc = Cycle([*PII_CARRIERS, "shipping_label", "shipping_label"])
    for cc in ["US", "US", "GB", "GB", "DE", "DE", "FR", "IT", "ES", "NL", "PL", "BR", "IN", "AU", "CA", "SE", "CH"]:
        carrier = addr_cyc.next()
        rows.append(make_pii(cc, "postal_address", address(cc, multiline=carrier == "shipping_label"), carrier))
    a, b, c = R.randrange(1, 6), R.randrange(1, 30), R.randrange(1, 20)
    rows.append(make_pii("JP", "postal_address", R.choice(JP_ADDR).format(a=a, b=b, c=c), "shipping_label"))

    v = f"{R.randrange(64, 200)}.{R.randrange(1, 255)}.{R.randrange(1, 255)}.{R.randrange(2, 254)}"
    rows.append(
        row(
            f'2024-03-18 09:12:44 login ok user=jennifer.alvarez@outlook.com ip={v} ua="Mozilla/5.0"',
            "pii",
            "ip_address",
            "log",
            v,
            "US",
        )
    )
    v = f"2a02:810d:{rs(HEX, 4)}:{rs(HEX, 4)}:{rs(HEX, 4)}:{rs(HEX, 4)}:{rs(HEX, 4)}:{rs(HEX, 4)}"
    rows.append(make_pii("DE", "ip_address", v, "crm_note"))
    v = f"{R.randrange(80, 93)}.{R.randrange(1, 255)}.{R.randrange(1, 255)}.{R.randrange(2, 254)}"
    rows.append(make_pii("FR", "ip_address", v, "form"))
    v = f"{R.randrange(177, 201)}.{R.randrange(1, 255)}.{R.randrange(1, 255)}.{R.randrange(2, 254)}"
    rows.append(make_pii("BR", "ip_address", v, "chat"))
    return rows


def build() -> list[Row]:
    rows = vendor_rows() + aws_rows() + private_key_rows() + jwt_rows() + connection_rows() + generic_rows()
    rows += pii_rows()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rows = build()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["text", "kind", "type", "country", "family", "value"])
        w.writeheader()
        w.writerows(rows)
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    print(f"wrote {len(rows)} rows to {args.out}: {kinds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
