//! Identifier types and matches.

use serde::Serialize;

/// The kinds of identifier the detector reports, after HIPAA Safe Harbor (45 CFR 164.514(b)(2)(i)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Entity {
    Name,
    Date,
    Phone,
    Fax,
    Address,
    Location,
    Zip,
    Ssn,
    Email,
    Mrn,
    Account,
    CreditCard,
    Iban,
    HealthPlanId,
    License,
    VehicleId,
    DeviceId,
    Url,
    Ip,
    BiometricId,
    AgeOver89,
    OtherId,
}

impl Entity {
    pub const ALL: [Entity; 22] = [
        Entity::Name,
        Entity::Date,
        Entity::Phone,
        Entity::Fax,
        Entity::Address,
        Entity::Location,
        Entity::Zip,
        Entity::Ssn,
        Entity::Email,
        Entity::Mrn,
        Entity::Account,
        Entity::CreditCard,
        Entity::Iban,
        Entity::HealthPlanId,
        Entity::License,
        Entity::VehicleId,
        Entity::DeviceId,
        Entity::Url,
        Entity::Ip,
        Entity::BiometricId,
        Entity::AgeOver89,
        Entity::OtherId,
    ];

    /// The tag used in reports and redaction (`SSN`, `CREDIT_CARD`).
    pub fn tag(self) -> &'static str {
        match self {
            Entity::Name => "NAME",
            Entity::Date => "DATE",
            Entity::Phone => "PHONE",
            Entity::Fax => "FAX",
            Entity::Address => "ADDRESS",
            Entity::Location => "LOCATION",
            Entity::Zip => "ZIP",
            Entity::Ssn => "SSN",
            Entity::Email => "EMAIL",
            Entity::Mrn => "MRN",
            Entity::Account => "ACCOUNT",
            Entity::CreditCard => "CREDIT_CARD",
            Entity::Iban => "IBAN",
            Entity::HealthPlanId => "HEALTH_PLAN_ID",
            Entity::License => "LICENSE",
            Entity::VehicleId => "VEHICLE_ID",
            Entity::DeviceId => "DEVICE_ID",
            Entity::Url => "URL",
            Entity::Ip => "IP",
            Entity::BiometricId => "BIOMETRIC_ID",
            Entity::AgeOver89 => "AGE_OVER_89",
            Entity::OtherId => "OTHER_ID",
        }
    }

    /// Parses a tag, case-insensitively; a few aliases are accepted (`PHONE_NUMBER`, `CARD`, `AGE`).
    pub fn parse(s: &str) -> Option<Entity> {
        let up = s.trim().to_ascii_uppercase().replace('-', "_");
        let alias = match up.as_str() {
            "PHONE_NUMBER" => "PHONE",
            "CARD" => "CREDIT_CARD",
            "AGE" => "AGE_OVER_89",
            "IP_ADDRESS" => "IP",
            "EMAIL_ADDRESS" => "EMAIL",
            "PERSON" => "NAME",
            other => other,
        };
        Entity::ALL.into_iter().find(|e| e.tag() == alias)
    }

    /// The Safe Harbor identifier number (1..=18) this type falls under.
    pub fn safe_harbor(self) -> u8 {
        match self {
            Entity::Name => 1,
            Entity::Address | Entity::Location | Entity::Zip => 2,
            Entity::Date | Entity::AgeOver89 => 3,
            Entity::Phone => 4,
            Entity::Fax => 5,
            Entity::Email => 6,
            Entity::Ssn => 7,
            Entity::Mrn => 8,
            Entity::HealthPlanId => 9,
            Entity::Account | Entity::CreditCard | Entity::Iban => 10,
            Entity::License => 11,
            Entity::VehicleId => 12,
            Entity::DeviceId => 13,
            Entity::Url => 14,
            Entity::Ip => 15,
            Entity::BiometricId => 16,
            Entity::OtherId => 18,
        }
    }
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

/// How a match was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// A shape with a structural check (checksum, ranges) that passed.
    Checksum,
    /// A shape without a checksum.
    Pattern,
    /// A dictionary word (names, places).
    Dictionary,
    /// The value of a key or field that names an identifier (`"dob":`, `ssn=`, HL7 PID-7, FHIR birthDate).
    Field,
    /// A user pattern or deny-list entry from the configuration.
    Custom,
}

/// One identifier found in the input.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Match {
    pub entity: Entity,
    /// Byte offsets into the input, end exclusive.
    pub start: usize,
    pub end: usize,
    /// 0.0 ..= 1.0.
    pub confidence: f32,
    pub method: Method,
}

impl Match {
    pub fn new(entity: Entity, start: usize, end: usize, confidence: f32, method: Method) -> Match {
        Match {
            entity,
            start,
            end,
            confidence: confidence.clamp(0.0, 1.0),
            method,
        }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
    pub fn overlaps(&self, other: &Match) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// A masked rendering of a value for reports: its shape is kept, its content is not (`***-**-**89` style for
/// numbers of 8+ characters, first letter only for words).
pub fn mask(value: &str) -> String {
    let alnum = value.chars().filter(|c| c.is_alphanumeric()).count();
    let keep_tail = if alnum >= 8 { 2 } else { 0 };
    let mut seen = 0usize;
    value
        .chars()
        .map(|c| {
            if !c.is_alphanumeric() {
                return c;
            }
            seen += 1;
            if seen > alnum - keep_tail {
                c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip() {
        for e in Entity::ALL {
            assert_eq!(Entity::parse(e.tag()), Some(e));
        }
        assert_eq!(Entity::parse("phone_number"), Some(Entity::Phone));
        assert_eq!(Entity::parse("nope"), None);
    }

    #[test]
    fn mask_keeps_shape_only() {
        assert_eq!(mask("123-45-6789"), "***-**-**89");
        assert_eq!(mask("Smith"), "*****");
        assert_eq!(mask("a@b.c"), "*@*.*");
    }
}
