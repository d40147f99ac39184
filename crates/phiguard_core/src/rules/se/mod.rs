//! SE rules.

use crate::rule::Rule;

pub mod credential_configmap;
pub mod credential_env;
pub mod secret_env;
pub mod secret_manifest;
pub mod unencrypted_storage;

/// The rules of this family, in code order.
pub static RULES: &[Rule] = &[
    credential_env::RULE,
    credential_configmap::RULE,
    secret_manifest::RULE,
    secret_env::RULE,
    unencrypted_storage::RULE,
];

/// Splits a variable or key name into upper-cased words, on every non-alphanumeric character and on camelCase
/// boundaries: `dbPassword` → `DB PASSWORD`, `APIKey` → `API KEY`, `spring.datasource.password` →
/// `SPRING DATASOURCE PASSWORD`.
pub(crate) fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for run in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = run.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (prev, cur) = (chars[i - 1], chars[i]);
            let next_lower = chars.get(i + 1).is_some_and(|c| c.is_ascii_lowercase());
            let boundary = (prev.is_ascii_lowercase() && cur.is_ascii_uppercase())
                || (prev.is_ascii_uppercase() && cur.is_ascii_uppercase() && next_lower);
            if boundary {
                words.push(
                    chars[start..i]
                        .iter()
                        .collect::<String>()
                        .to_ascii_uppercase(),
                );
                start = i;
            }
        }
        if start < chars.len() {
            words.push(
                chars[start..]
                    .iter()
                    .collect::<String>()
                    .to_ascii_uppercase(),
            );
        }
    }
    words
}

/// Words that name a credential on their own.
const CREDENTIAL_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "PRIVATEKEY",
    "ACCESSKEY",
];

/// Credential words also recognised at the end of a longer word (`PGPASSWORD`, `GITHUBTOKEN`).
const SUFFIX_WORDS: &[&str] = &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY"];

/// Two-word sequences that name a credential.
const CREDENTIAL_PAIRS: &[(&str, &str)] = &[("API", "KEY"), ("PRIVATE", "KEY"), ("ACCESS", "KEY")];

/// Last words that turn a credential-looking name into a setting about the credential (`TOKEN_TTL_SECONDS`,
/// `PASSWORD_MIN_LENGTH`, `SECRET_NAME`, `PASSWORD_FILE`, `AUTH_URL`).
const QUALIFIERS: &[&str] = &[
    "TTL",
    "SECONDS",
    "SECS",
    "SEC",
    "MS",
    "MILLIS",
    "MINUTES",
    "MINS",
    "HOURS",
    "DAYS",
    "LENGTH",
    "LEN",
    "MIN",
    "MAX",
    "SIZE",
    "COUNT",
    "LIMIT",
    "ENABLED",
    "ENABLE",
    "DISABLED",
    "DISABLE",
    "REQUIRED",
    "FILE",
    "PATH",
    "DIR",
    "DIRECTORY",
    "FILENAME",
    "LOCATION",
    "MOUNT",
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "PORT",
    "HEADER",
    "TYPE",
    "MODE",
    "METHOD",
    "NAME",
    "REF",
    "EXPIRY",
    "EXPIRATION",
    "EXPIRES",
    "EXPIRE",
    "TIMEOUT",
    "LIFETIME",
    "DURATION",
    "INTERVAL",
    "PERIOD",
    "POLICY",
    "PROVIDER",
    "ISSUER",
    "AUDIENCE",
    "SCOPE",
    "SCOPES",
    "REALM",
    "DOMAIN",
    "SERVER",
    "SERVICE",
    "VERSION",
    "ALGORITHM",
    "ALG",
    "FORMAT",
    "PREFIX",
    "SUFFIX",
    "KIND",
    "STRATEGY",
    "BACKEND",
    "ROTATION",
    "RETRIES",
    "USER",
    "USERNAME",
];

/// Whether a variable or key name looks like it holds a credential: one of its words is a credential word
/// (PASSWORD, PASSWD, PASS, SECRET, TOKEN, APIKEY, CREDENTIAL, ...; plurals too) or ends with one
/// (`PGPASSWORD`), or two consecutive words are
/// API KEY, PRIVATE KEY or ACCESS KEY, or the last word is AUTH (`BASIC_AUTH`); and the last word is not a
/// qualifier such as TTL, LENGTH, FILE, NAME or URL.
pub(crate) fn credential_name(name: &str) -> bool {
    let words: Vec<String> = name_words(name)
        .into_iter()
        .map(|w| match w.strip_suffix('S') {
            Some(stem) if w.len() > 4 && CREDENTIAL_WORDS.contains(&stem) => stem.to_string(),
            _ => w,
        })
        .collect();
    let Some(last) = words.last() else {
        return false;
    };
    if QUALIFIERS.contains(&last.as_str()) {
        return false;
    }
    words.iter().any(|w| {
        CREDENTIAL_WORDS.contains(&w.as_str()) || SUFFIX_WORDS.iter().any(|s| w.ends_with(s))
    }) || words
        .windows(2)
        .any(|p| CREDENTIAL_PAIRS.contains(&(p[0].as_str(), p[1].as_str())))
        || last == "AUTH"
}

/// Whether a value could be a literal credential: not empty, not a number or boolean, not a reference or
/// template placeholder (`$(VAR)`, `${VAR}`, `{{ .Values.x }}`, `<changeme>`), not an absolute file path.
pub(crate) fn literal_secret_value(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    let is_number = v.parse::<f64>().is_ok();
    let is_flag = matches!(
        lower.as_str(),
        "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "enabled"
            | "disabled"
            | "none"
            | "null"
            | "~"
    );
    let placeholder = v.starts_with("$(")
        || v.starts_with("${")
        || v.starts_with("{{")
        || (v.starts_with('<') && v.ends_with('>'));
    let path = v.starts_with('/') && !v.contains(char::is_whitespace);
    !(is_number || is_flag || placeholder || path)
}

/// The scheme of the first URL in `text` whose authority carries a password (`scheme://user:pass@host`),
/// unless the password is a placeholder (`$VAR`, `${VAR}`, `{{ }}`, `<pass>`, `%s`, `***`).
pub(crate) fn url_with_password(text: &str) -> Option<&str> {
    let mut search = 0;
    while let Some(found) = text[search..].find("://") {
        let at = search + found;
        search = at + 3;
        let scheme_start = text[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |i| i + 1);
        let scheme = &text[scheme_start..at];
        if scheme.is_empty() {
            continue;
        }
        let rest = &text[at + 3..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '?' | '#' | '"' | '\'' | '`'))
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        let Some(userinfo_end) = authority.rfind('@') else {
            continue;
        };
        let Some((_, password)) = authority[..userinfo_end].split_once(':') else {
            continue;
        };
        let placeholder = password.is_empty()
            || password.starts_with(['$', '{', '<', '%'])
            || password.chars().all(|c| c == '*' || c == 'x' || c == 'X');
        if !placeholder {
            return Some(scheme);
        }
    }
    None
}

/// Whether a text contains a PEM private key (`-----BEGIN ... PRIVATE KEY-----`).
pub(crate) fn has_private_key(text: &str) -> bool {
    text.match_indices("-----BEGIN ").any(|(i, m)| {
        let rest = &text[i + m.len()..];
        rest.find("-----")
            .is_some_and(|end| rest[..end].contains("PRIVATE KEY"))
    })
}

/// A JSON path to a map entry: `data.DB_PASSWORD`, or `data["application.properties"]` for keys that are not
/// plain identifiers.
pub(crate) fn key_path(parent: &str, key: &str) -> String {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        format!("{parent}.{key}")
    } else {
        format!("{parent}[{}]", serde_json::Value::from(key))
    }
}
