// The built-in detectors. Patterns follow the providers' published token
// formats; each token rule needs its distinctive prefix, so a keyword
// prefilter decides cheaply which rules run on a text. The table, the
// keyword tables and the keyword -> rules index are all compile-time
// constants: a process builds nothing before its first scan.
#include "secrets/rules.h"

#include <algorithm>
#include <array>

namespace preloop::secrets {

namespace {

constexpr Rule kTable[] = {
  // ---- private keys (multi-line; the body may be JSON-escaped or cut off)
  {"private-key", "private key",
   R"re(-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:(?s:.)*?-----END[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\:,.-]{64,}))re",
   0, 0, Check::PrivateKey},
  {"putty-private-key", "putty-user-key-file",
   R"re(PuTTY-User-Key-File-\d: [^\r\n]*(?s:.)*?Private-Lines: \d+\r?\n(?:[A-Za-z0-9+/=]+\r?\n?)+)re", 0, 0,
   Check::PrivateKey},
  {"age-secret-key", "age-secret-key-1", R"re(\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b)re"},

  // ---- cloud providers
  {"aws-access-key-id", "akia|asia|abia|acca|a3t",
   R"re(\b((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})\b)re", 1, 3.0, Check::AwsKeyId},
  {"aws-secret-access-key", "aws",
   R"re((?i)aws[a-z0-9_.-]{0,20}(?:secret|sk)[a-z0-9_. -]{0,20}\\?["'`]?\s*(?:[:=]|=>|:=)\s*\\?["'`]?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$))re",
   1, 4.0},
  {"aws-bedrock-api-key", "absk|bedrock-api-key-",
   R"re(\b(ABSK[A-Za-z0-9+/]{100,}={0,2}|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=&%_-]*))re", 1,
   3.5},
  {"gcp-api-key", "aiza", R"re(\b(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$))re", 1, 3.5},
  {"gcp-service-account", "private_key_id", R"re("private_key_id"\s*:\s*"([a-f0-9]{40})")re", 1, 3.0},
  {"gcp-oauth-client-secret", "gocspx-", R"re(\b(GOCSPX-[A-Za-z0-9_-]{28})(?:[^A-Za-z0-9_-]|$))re", 1, 3.5},
  {"gcp-oauth-token", "ya29.", R"re(\b(ya29\.[A-Za-z0-9_-]{30,}))re", 1, 3.5},
  {"azure-storage-key", "accountkey=", R"re((?i)AccountKey=([A-Za-z0-9+/]{86}==))re", 1, 4.0},
  {"azure-ad-client-secret", "q~",
   R"re((?:^|[^A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?:[^A-Za-z0-9_~.-]|$))re", 1, 3.0},
  {"digitalocean-token", "dop_v1_|doo_v1_|dor_v1_", R"re(\b(do[opr]_v1_[a-f0-9]{64})\b)re", 1, 3.0},

  // ---- source forges
  {"github-pat", "ghp_", R"re(\b(ghp_[A-Za-z0-9]{36,})\b)re", 1, 3.0},
  {"github-fine-grained-pat", "github_pat_", R"re(\b(github_pat_[A-Za-z0-9_]{70,})\b)re", 1, 3.0},
  {"github-oauth", "gho_", R"re(\b(gho_[A-Za-z0-9]{36,})\b)re", 1, 3.0},
  {"github-app-token", "ghu_|ghs_", R"re(\b(gh[us]_[A-Za-z0-9]{36,})\b)re", 1, 3.0},
  {"github-refresh-token", "ghr_", R"re(\b(ghr_[A-Za-z0-9]{36,})\b)re", 1, 3.0},
  {"gitlab-token", "glpat-|gldt-|glrt-|glcbt-|glft-|glimt-|glsoat-|gloas-|glagent-|glffct-|glptt-|glwt-|glrtr-|gr1348941",
   R"re(\b((?:glpat|gldt|glrt|glcbt|glft|glimt|glsoat|gloas|glagent|glffct|glptt|glwt|glrtr)-[A-Za-z0-9_.-]{20,}|GR1348941[A-Za-z0-9_-]{20,}))re",
   1, 3.0},

  // ---- chat and messaging
  {"slack-token", "xox|xapp-",
   R"re(\b((?:xox[abeoprs]|xoxe\.xox[bp]|xapp)-\d+-(?:[A-Za-z-]*\d)[0-9A-Za-z-]{5,}[0-9A-Za-z]))re", 1, 2.5},
  {"slack-webhook", "hooks.slack.com",
   R"re((?i)\b((?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,}))re", 1, 3.0},
  {"telegram-bot-token", ":aa", R"re(\b(\d{8,10}:AA[A-Za-z0-9_-]{33})(?:[^A-Za-z0-9_-]|$))re", 1, 3.5},
  {"twilio-api-key", "sk", R"re(\b(SK[0-9a-f]{32})\b)re", 1, 3.0},
  {"sendgrid-api-key", "sg.", R"re(\b(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$))re", 1, 4.0},

  // ---- payments and commerce
  {"stripe-secret-key", "sk_|rk_", R"re(\b((?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,})\b)re", 1, 3.0},
  {"stripe-webhook-secret", "whsec_", R"re(\b(whsec_[A-Za-z0-9+/]{24,}))re", 1, 3.5},
  {"shopify-token", "shpat_|shpca_|shppa_|shpss_", R"re(\b(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\b)re", 1, 3.0},
  {"square-token", "sq0atp-|sq0csp-|eaaa",
   R"re(\b(sq0(?:atp|csp)-[A-Za-z0-9_-]{22,60}|EAAA[A-Za-z0-9_-]{60})(?:[^A-Za-z0-9_-]|$))re", 1, 3.5},

  // ---- AI providers
  {"anthropic-api-key", "sk-ant-", R"re(\b(sk-ant-(?:api|oat|ort)\d\d-[A-Za-z0-9_-]{80,}AA)(?:[^A-Za-z0-9_-]|$))re", 1, 3.5},
  {"anthropic-admin-key", "sk-ant-admin", R"re(\b(sk-ant-admin\d\d-[A-Za-z0-9_-]{80,}AA)(?:[^A-Za-z0-9_-]|$))re", 1, 3.5},
  {"openai-api-key", "sk-",
   R"re(\b(sk-(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}|sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|sk-[A-Za-z0-9]{48})(?:[^A-Za-z0-9_-]|$))re",
   1, 3.5},
  {"huggingface-token", "hf_|api_org_", R"re(\b(hf_[A-Za-z]{34}|api_org_[A-Za-z]{34})\b)re", 1, 3.5},
  {"perplexity-api-key", "pplx-", R"re(\b(pplx-[A-Za-z0-9]{48})\b)re", 1, 3.5},

  // ---- package registries
  {"npm-token", "npm_", R"re(\b(npm_[A-Za-z0-9]{36})\b)re", 1, 3.0},
  {"pypi-token", "pypi-ageichlwas5vcmc|pypi-agendgvzdc5wexbplm9yzw",
   R"re(\b(pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,}))re", 1, 3.0},

  // ---- developer platforms
  {"databricks-token", "dapi", R"re(\b(dapi[a-f0-9]{32}(?:-\d)?)\b)re", 1, 3.0},
  {"vault-token", "hvs.|hvb.", R"re(\b(hv[sb]\.[A-Za-z0-9_-]{90,}))re", 1, 3.5},
  // Legacy Vault tokens ("s." + 24) are only taken with "vault" or "token" just before them.
  {"vault-token", "vault|token", R"re(\b(s\.[A-Za-z0-9]{24})\b)re", 1, 3.5, Check::VaultLegacy},
  {"pulumi-token", "pul-", R"re(\b(pul-[a-f0-9]{40})\b)re", 1, 3.0},
  {"grafana-token", "glc_|glsa_", R"re(\b(glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})(?:[^A-Za-z0-9+/=_]|$))re", 1, 3.0},
  {"terraform-cloud-token", ".atlasv1.", R"re(\b([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9=_-]{60,70}))re", 1, 3.5},
  {"doppler-token", "dp.pt.|dp.st.|dp.sa.|dp.ct.|dp.scim.|dp.audit.",
   R"re(\b(dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44})\b)re", 1, 3.5},
  {"linear-api-key", "lin_api_", R"re(\b(lin_api_[A-Za-z0-9]{40})\b)re", 1, 3.5},
  {"postman-api-key", "pmak-", R"re(\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b)re", 1, 3.0},
  {"newrelic-api-key", "nrak-", R"re(\b(NRAK-[A-Z0-9]{27})\b)re", 1, 3.0},
  {"sentry-token", "sntrys_|sntryu_", R"re(\b(sntrys_eyJ[A-Za-z0-9+/=_-]{30,}|sntryu_[a-f0-9]{64}))re", 1, 3.5},
  {"atlassian-api-token", "atatt3", R"re(\b(ATATT3[A-Za-z0-9_=-]{150,}))re", 1, 3.5},
  {"flyio-token", "fo1_|fm1|fm2_", R"re(\b(fo1_[A-Za-z0-9_-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3}))re", 1, 3.5},
  {"onepassword-token", "ops_eyj", R"re(\b(ops_eyJ[A-Za-z0-9+/=_-]{100,}))re", 1, 3.5},
  {"heroku-api-key", "hrku-", R"re(\b(HRKU-AA[A-Za-z0-9_-]{58}))re", 1, 3.5},
  {"openshift-token", "sha256~", R"re((?:^|[^A-Za-z0-9_-])(sha256~[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$))re", 1, 3.5},
  {"facebook-access-token", "eaa", R"re(\b(EAA[A-Za-z0-9]{100,}))re", 1, 3.5},

  // ---- structured credentials
  {"jwt", "eyj|eyi",
   R"re(\b(ey[IJ][A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{10,}\.(?:[A-Za-z0-9_-]{10,}={0,2})?))re", 1, 3.0, Check::Jwt},
  {"url-password", "://|:\\/\\/",
   R"re(\b([A-Za-z][A-Za-z0-9+.-]+):(?://|\\/\\/)([^\s:/?#@"'<>]*:([^\s/@"'<>]+))@[^\s/?#@"'<>])re",
   2, 0, Check::UrlPassword, false, Reach::Line},
  {"authorization-header", "authorization|bearer",
   R"re((?i)(?:\bauthorization\\?["']?\s*[:=]\s*\\?["']?|\bbearer\s)\s*(?:[a-z][a-z-]{1,19}\s+)?([A-Za-z0-9._~+/@-]{8,}=*))re",
   1, 3.0, Check::Credential, false, Reach::Keyword},
  // The keywords hold the whitespace before -H: "-h" alone occurs in every "preloop-hook".
  {"authorization-header", " -h|\t-h|\n-h|\r-h|\f-h|--header",
   R"re((?:\s-H|--header)[ =]*["']([A-Za-z0-9_-]*(?i:token|key|auth|secret|password)[A-Za-z0-9_-]*):[ \t]*([^"'\s]{6,}))re",
   2, 2.5, Check::Credential, false, Reach::Line},
  {"curl-basic-auth", "curl",
   R"re(\bcurl\b(?:[^\n]|\\\n)*?\s(?:-u|--user)(?:\s+|=)?("[^"\n]*":"[^"\n]*"|"[^"\n]*:[^"\n]*"|'[^'\n]*:[^'\n]*'|[^\s"':]*:(?:'[^'\n]*'|"[^"\n]*"|[^\s"']*)))re",
   1, 0, Check::CurlUser},

  // ---- `name = value` where the name says secret (last: specific rules win on overlaps)
  {"generic-secret", "key|secret|token|passw|pwd|passphrase|credential|auth",
   R"re(([A-Za-z0-9_.-]*(?i:key|secret|token|passw|pwd|passphrase|credential|auth)[A-Za-z0-9_.-]*)\\?["'`]?(?:[ \t]+(?:string|String|str|\[\]byte))?(?:[ \t]*(?:::?:?=|[.:?+!]?=|=>)[ \t]*(?:\\?["'`]|[bru]["'])?|[ \t]*:[ \t]+\\?["'`]?|[ \t]*:\\?["'`]|\\?["'`][ \t]*,[ \t]*\\?["'`])([A-Za-z0-9+/=_\-.~!@#$%^&*?|]{6,}))re",
   2, 0, Check::Assignment, false, Reach::Name},
  // Runs only where a closing tag occurs: the match ends with one.
  {"generic-secret", "</",
   R"re(<([A-Za-z0-9_.-]*(?i:key|secret|token|passw|pwd|passphrase|credential|auth)[A-Za-z0-9_.-]*)>\s*([A-Za-z0-9+/=_\-.~!@#$%^&*?|]{6,})\s*</)re",
   2, 0, Check::Assignment},
};

// A leading \b keeps RE2 from skipping ahead to the literal prefix with
// memchr/memmem (about 10x slower scans); the boundary is checked after the
// match instead (Rule::boundary).
constexpr auto kRules = [] {
  std::array<Rule, std::size(kTable)> out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = kTable[i];
    if (out[i].regex.starts_with("\\b(")) {
      out[i].regex.remove_prefix(2);
      out[i].boundary = true;
    }
  }
  return out;
}();

constexpr std::size_t kKeywordRefs = [] {
  std::size_t n = 0;
  for (const Rule& r : kRules) for_each_keyword(r.keywords, [&](std::string_view) { ++n; });
  return n;
}();

// Every keyword once, in first-use order (an array of kKeywordRefs; the first `count` used).
struct Distinct {
  std::array<std::string_view, kKeywordRefs> keywords{};
  std::size_t count = 0;
};
constexpr Distinct kDistinct = [] {
  Distinct d;
  for (const Rule& r : kRules)
    for_each_keyword(r.keywords, [&](std::string_view k) {
      if (std::find(d.keywords.begin(), d.keywords.begin() + d.count, k) == d.keywords.begin() + d.count)
        d.keywords[d.count++] = k;
    });
  return d;
}();
constexpr std::size_t kKeywords = kDistinct.count;

constexpr KeywordTables<kKeywords> kKeywordTables = [] {
  std::array<std::string_view, kKeywords> k{};
  for (std::size_t i = 0; i < kKeywords; ++i) k[i] = kDistinct.keywords[i];
  return KeywordTables<kKeywords>(k);
}();

// keyword -> rules: rules[begin[k], begin[k + 1]) for keyword k.
struct KeywordRules {
  std::array<std::uint16_t, kKeywords + 1> begin{};
  std::array<std::uint16_t, kKeywordRefs> rules{};
};
constexpr KeywordRules kKeywordRules = [] {
  KeywordRules out;
  std::size_t n = 0;
  for (std::size_t k = 0; k < kKeywords; ++k) {
    out.begin[k] = static_cast<std::uint16_t>(n);
    for (std::size_t r = 0; r < kRules.size(); ++r) {
      bool gates = false;
      for_each_keyword(kRules[r].keywords, [&](std::string_view w) { gates = gates || w == kDistinct.keywords[k]; });
      if (gates) out.rules[n++] = static_cast<std::uint16_t>(r);
    }
  }
  out.begin[kKeywords] = static_cast<std::uint16_t>(n);
  return out;
}();

constexpr keyword_tables::View kKeywordView = kKeywordTables.view();

}  // namespace

std::span<const Rule> builtin_rules() { return kRules; }

const keyword_tables::View& builtin_keywords() { return kKeywordView; }

std::span<const std::uint16_t> builtin_keyword_rules(std::size_t keyword) {
  return std::span<const std::uint16_t>(kKeywordRules.rules).subspan(
      kKeywordRules.begin[keyword], kKeywordRules.begin[keyword + 1] - kKeywordRules.begin[keyword]);
}

}  // namespace preloop::secrets
