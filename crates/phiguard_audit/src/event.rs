//! The fields of an audit.k8s.io/v1 `Event` that the detections read.
//!
//! Fields of the wrong type are treated as absent, never as an error: an event is useful even when a field the
//! detections do not need is odd. Request and response bodies are kept only where a detection needs them
//! (RBAC objects), and never printed.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

/// One audit event.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Event {
    #[serde(rename = "auditID", deserialize_with = "lenient::string")]
    pub audit_id: String,
    #[serde(deserialize_with = "lenient::string")]
    pub stage: String,
    #[serde(rename = "requestURI", deserialize_with = "lenient::string")]
    pub request_uri: String,
    #[serde(deserialize_with = "lenient::string")]
    pub verb: String,
    #[serde(deserialize_with = "lenient::object_or_default")]
    pub user: UserInfo,
    #[serde(deserialize_with = "lenient::object")]
    pub impersonated_user: Option<UserInfo>,
    #[serde(rename = "sourceIPs", deserialize_with = "lenient::strings")]
    pub source_ips: Vec<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub user_agent: String,
    #[serde(deserialize_with = "lenient::object")]
    pub object_ref: Option<ObjectRef>,
    #[serde(deserialize_with = "lenient::object")]
    pub response_status: Option<Status>,
    #[serde(deserialize_with = "lenient::string")]
    pub request_received_timestamp: String,
    #[serde(deserialize_with = "lenient::string")]
    pub stage_timestamp: String,
    #[serde(deserialize_with = "lenient::string_map")]
    pub annotations: BTreeMap<String, String>,
    #[serde(deserialize_with = "lenient::json_object")]
    pub request_object: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserInfo {
    #[serde(deserialize_with = "lenient::string")]
    pub username: String,
    #[serde(deserialize_with = "lenient::strings")]
    pub groups: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectRef {
    #[serde(deserialize_with = "lenient::string")]
    pub resource: String,
    #[serde(deserialize_with = "lenient::string")]
    pub subresource: String,
    #[serde(deserialize_with = "lenient::string")]
    pub namespace: String,
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(deserialize_with = "lenient::string")]
    pub api_group: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Status {
    #[serde(deserialize_with = "lenient::int")]
    pub code: i64,
}

/// Fields of the wrong type read as their default. Hand-written visitors, so nothing is buffered.
mod lenient {
    use std::collections::BTreeMap;
    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
    use serde::{Deserialize, Deserializer};

    macro_rules! ignore_rest {
        () => {
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
        };
    }

    struct Str;
    impl<'de> Visitor<'de> for Str {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_string<E>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_i64<E>(self, _: i64) -> Result<String, E> {
            Ok(String::new())
        }
        fn visit_u64<E>(self, _: u64) -> Result<String, E> {
            Ok(String::new())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<String, A::Error> {
            while a.next_element::<IgnoredAny>()?.is_some() {}
            Ok(String::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<String, A::Error> {
            while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(String::new())
        }
        ignore_rest!();
    }

    pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        d.deserialize_any(Str)
    }

    /// A string inside a list (for `Vec<String>`).
    struct LStr(String);
    impl<'de> Deserialize<'de> for LStr {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<LStr, D::Error> {
            d.deserialize_any(Str).map(LStr)
        }
    }

    struct Strs;
    impl<'de> Visitor<'de> for Strs {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of strings")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Vec<String>, A::Error> {
            let mut v = Vec::new();
            while let Some(LStr(s)) = a.next_element::<LStr>()? {
                if !s.is_empty() {
                    v.push(s);
                }
            }
            Ok(v)
        }
        fn visit_str<E>(self, _: &str) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Vec<String>, A::Error> {
            while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Vec::new())
        }
        ignore_rest!();
    }

    pub fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        d.deserialize_any(Strs)
    }

    struct Int;
    impl<'de> Visitor<'de> for Int {
        type Value = i64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer")
        }
        fn visit_i64<E>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E>(self, v: u64) -> Result<i64, E> {
            Ok(i64::try_from(v).unwrap_or(0))
        }
        fn visit_str<E>(self, _: &str) -> Result<i64, E> {
            Ok(0)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<i64, A::Error> {
            while a.next_element::<IgnoredAny>()?.is_some() {}
            Ok(0)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<i64, A::Error> {
            while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(0)
        }
        ignore_rest!();
    }

    pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        d.deserialize_any(Int)
    }

    struct StrMap;
    impl<'de> Visitor<'de> for StrMap {
        type Value = BTreeMap<String, String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map of strings")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
            let mut m = BTreeMap::new();
            while let Some((k, LStr(v))) = a.next_entry::<String, LStr>()? {
                m.insert(k, v);
            }
            Ok(m)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
            while a.next_element::<IgnoredAny>()?.is_some() {}
            Ok(BTreeMap::new())
        }
        ignore_rest!();
    }

    pub fn string_map<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, String>, D::Error> {
        d.deserialize_any(StrMap)
    }

    /// An object read with its own (lenient) Deserialize; anything else is absent.
    struct Obj<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for Obj<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Option<T>, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(a)).map(Some)
        }
        fn visit_str<E>(self, _: &str) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Option<T>, A::Error> {
            while a.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        ignore_rest!();
    }

    pub fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        d.deserialize_any(Obj(PhantomData))
    }

    pub fn object_or_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
        d: D,
    ) -> Result<T, D::Error> {
        Ok(object(d)?.unwrap_or_default())
    }

    /// Any JSON object, kept as a value; other types are absent.
    pub fn json_object<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<serde_json::Value>, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Ok(v.is_object().then_some(v))
    }
}

/// An item of an `EventList`: an event, or `None` when the item is not an object.
pub struct MaybeEvent(pub Option<Event>);

impl<'de> Deserialize<'de> for MaybeEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MaybeEvent, D::Error> {
        lenient::object(d).map(MaybeEvent)
    }
}

/// What a subject is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectKind {
    Human,
    ServiceAccount,
    /// Control-plane components and nodes (`system:` users other than service accounts).
    System,
    Anonymous,
    /// No user at all (failed authentication).
    Unknown,
}

impl Event {
    pub fn username(&self) -> &str {
        &self.user.username
    }
    pub fn subject_kind(&self) -> SubjectKind {
        let u = self.username();
        if u.is_empty() {
            SubjectKind::Unknown
        } else if u == "system:anonymous"
            || self
                .user
                .groups
                .iter()
                .any(|g| g == "system:unauthenticated")
        {
            SubjectKind::Anonymous
        } else if u.starts_with("system:serviceaccount:") {
            SubjectKind::ServiceAccount
        } else if u.starts_with("system:") {
            SubjectKind::System
        } else {
            SubjectKind::Human
        }
    }
    pub fn source_ip(&self) -> &str {
        self.source_ips.first().map(String::as_str).unwrap_or("")
    }
    pub fn code(&self) -> i64 {
        self.response_status.as_ref().map(|s| s.code).unwrap_or(0)
    }
    /// Whether the request was let through (a 2xx/1xx code, or an `allow` decision when no code is recorded).
    pub fn succeeded(&self) -> bool {
        let code = self.code();
        if code == 0 {
            return self
                .annotations
                .get("authorization.k8s.io/decision")
                .is_some_and(|d| d == "allow");
        }
        (100..400).contains(&code)
    }
    pub fn resource(&self) -> &str {
        self.object_ref
            .as_ref()
            .map(|o| o.resource.as_str())
            .unwrap_or("")
    }
    pub fn subresource(&self) -> &str {
        self.object_ref
            .as_ref()
            .map(|o| o.subresource.as_str())
            .unwrap_or("")
    }
    pub fn namespace(&self) -> &str {
        self.object_ref
            .as_ref()
            .map(|o| o.namespace.as_str())
            .unwrap_or("")
    }
    pub fn name(&self) -> &str {
        self.object_ref
            .as_ref()
            .map(|o| o.name.as_str())
            .unwrap_or("")
    }
    pub fn is_read(&self) -> bool {
        matches!(self.verb.as_str(), "get" | "list" | "watch")
    }
    pub fn is_write(&self) -> bool {
        matches!(
            self.verb.as_str(),
            "create" | "update" | "patch" | "delete" | "deletecollection"
        )
    }
    /// Microseconds since the Unix epoch of the request, from `requestReceivedTimestamp` (or `stageTimestamp`).
    pub fn time_us(&self) -> Option<i64> {
        parse_rfc3339_us(&self.request_received_timestamp)
            .or_else(|| parse_rfc3339_us(&self.stage_timestamp))
    }
    pub fn timestamp(&self) -> &str {
        if self.request_received_timestamp.is_empty() {
            &self.stage_timestamp
        } else {
            &self.request_received_timestamp
        }
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` into microseconds since the epoch.
pub fn parse_rfc3339_us(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if !t.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut micros = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 6 {
                micros = micros * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let digits = (i - start).min(6);
        if digits == 0 {
            return None;
        }
        for _ in digits..6 {
            micros *= 10;
        }
    }
    let offset_s = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        c @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let h = num(i + 1..i + 3)?;
            let m = num(i + 4..i + 6)?;
            let v = h * 3600 + m * 60;
            if *c == b'-' {
                -v
            } else {
                v
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset_s;
    Some(secs * 1_000_000 + micros)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats microseconds since the epoch as RFC 3339 UTC with microseconds.
pub fn format_rfc3339_us(us: i64) -> String {
    let secs = us.div_euclid(1_000_000);
    let micros = us.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let d = phiguard_core::settings::Date::from_days_since_epoch(days);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        d.year,
        d.month,
        d.day,
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        micros
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        let t = parse_rfc3339_us("2026-03-02T10:15:30.123456Z");
        assert_eq!(
            t.map(format_rfc3339_us).as_deref(),
            Some("2026-03-02T10:15:30.123456Z")
        );
        assert_eq!(
            parse_rfc3339_us("2026-03-02T12:15:30+02:00"),
            parse_rfc3339_us("2026-03-02T10:15:30Z")
        );
        assert_eq!(parse_rfc3339_us("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339_us("2026-13-02T10:15:30Z"), None);
        assert_eq!(parse_rfc3339_us("garbage"), None);
        assert_eq!(parse_rfc3339_us("2026-03-02T10:15:30."), None);
    }

    #[test]
    fn wrong_types_are_absent() {
        let e: Event = serde_json::from_str(
            r#"{"verb":7,"user":{"username":["x"],"groups":"g"},"sourceIPs":"1.2.3.4","responseStatus":{"code":"403"}}"#,
        )
        .unwrap_or(Event {
            verb: "parse failed".into(),
            ..Event::default()
        });
        assert_eq!(e.verb, "");
        assert_eq!(e.username(), "");
        assert!(e.source_ips.is_empty());
        assert_eq!(e.code(), 0);
    }
}
