//! Structural validators: checksums and assignment rules of identifier formats.

/// Digits of an ASCII string, skipping everything else.
fn digits(s: &str) -> Vec<u32> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| u32::from(b - b'0'))
        .collect()
}

/// Luhn mod-10 over the digits of `s` (non-digits ignored). False for fewer than two digits.
pub fn luhn(s: &str) -> bool {
    let d = digits(s);
    luhn_digits(&d)
}

fn luhn_digits(d: &[u32]) -> bool {
    if d.len() < 2 {
        return false;
    }
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 {
                    y - 9
                } else {
                    y
                }
            } else {
                x
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// US Social Security number rules (SSA): area not 000, 666 or 900-999; group not 00; serial not 0000; not
/// all one digit; not a well-known advertising or sample value. `s` holds 9 digits, possibly with delimiters.
pub fn ssn(s: &str) -> bool {
    let d = digits(s);
    if d.len() != 9 {
        return false;
    }
    let area = d[0] * 100 + d[1] * 10 + d[2];
    let group = d[3] * 10 + d[4];
    let serial = d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8];
    if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
        return false;
    }
    if d.iter().all(|&x| x == d[0]) {
        return false;
    }
    let n: String = d.iter().map(|x| char::from(b'0' + *x as u8)).collect();
    let sample =
        matches!(n.as_str(), "078051120" | "219099999" | "123456789") || n.starts_with("98765432");
    !sample
}

/// The SSA assignment rules alone (area, group, serial), without the list of advertising and sample values:
/// those were issued once and people did use them, so in redaction they still count as SSNs.
pub fn ssn_structure(s: &str) -> bool {
    let d = digits(s);
    if d.len() != 9 {
        return false;
    }
    let area = d[0] * 100 + d[1] * 10 + d[2];
    let group = d[3] * 10 + d[4];
    let serial = d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8];
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// National Provider Identifier: 10 digits starting with 1 or 2; Luhn over `80840` followed by the 10 digits.
pub fn npi(s: &str) -> bool {
    let d = digits(s);
    if d.len() != 10 || !(d[0] == 1 || d[0] == 2) {
        return false;
    }
    let mut full = vec![8, 0, 8, 4, 0];
    full.extend_from_slice(&d);
    luhn_digits(&full)
}

/// DEA registration number: 2 letters (or a letter and 9) + 7 digits; `(d1+d3+d5) + 2*(d2+d4+d6)` ends in d7.
pub fn dea(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 9 {
        return false;
    }
    const FIRST: &[u8] = b"ABCDEFGHJKLMPRSTUX";
    if !FIRST.contains(&b[0].to_ascii_uppercase())
        || !(b[1].is_ascii_alphabetic() || b[1] == b'9')
        || !b[2..].iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    let d: Vec<u32> = b[2..].iter().map(|x| u32::from(x - b'0')).collect();
    let sum = d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5]);
    sum % 10 == d[6]
}

/// Medicare Beneficiary Identifier (CMS): 11 characters `C A AN N A AN N A A N N`; position 1 is 1-9; letters
/// S, L, O, I, B, Z never used. Dashes are display only and ignored.
pub fn mbi(s: &str) -> bool {
    let b: Vec<u8> = s
        .bytes()
        .filter(|&c| c != b'-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if b.len() != 11 {
        return false;
    }
    let letter = |c: u8| c.is_ascii_uppercase() && !b"SLOIBZ".contains(&c);
    let num = |c: u8| c.is_ascii_digit();
    (b'1'..=b'9').contains(&b[0])
        && letter(b[1])
        && (letter(b[2]) || num(b[2]))
        && num(b[3])
        && letter(b[4])
        && (letter(b[5]) || num(b[5]))
        && num(b[6])
        && letter(b[7])
        && letter(b[8])
        && num(b[9])
        && num(b[10])
}

/// VIN check digit (ISO 3779 / 49 CFR 565): 17 characters without I, O, Q; position 9 is the weighted sum
/// mod 11 (10 written as X).
pub fn vin(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 17 {
        return false;
    }
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let mut sum = 0;
    for (i, &c) in b.iter().enumerate() {
        let v = match c.to_ascii_uppercase() {
            c @ b'0'..=b'9' => u32::from(c - b'0'),
            b'A' | b'J' => 1,
            b'B' | b'K' | b'S' => 2,
            b'C' | b'L' | b'T' => 3,
            b'D' | b'M' | b'U' => 4,
            b'E' | b'N' | b'V' => 5,
            b'F' | b'W' => 6,
            b'G' | b'P' | b'X' => 7,
            b'H' | b'Y' => 8,
            b'R' | b'Z' => 9,
            _ => return false,
        };
        sum += v * WEIGHTS[i];
    }
    let check = match sum % 11 {
        10 => b'X',
        r => b'0' + r as u8,
    };
    b[8].to_ascii_uppercase() == check
}

/// Whether a string has the VIN alphabet and length (without the check digit).
pub fn vin_shape(s: &str) -> bool {
    s.len() == 17
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() && !b"IOQioq".contains(&c))
        && s.bytes().filter(u8::is_ascii_digit).count() >= 3
        && s.bytes().any(|c| c.is_ascii_alphabetic())
}

/// IBAN (ISO 13616): 2-letter country, 2 check digits, alphanumeric BBAN; total 15..=34; mod 97 == 1.
/// Spaces are ignored.
pub fn iban(s: &str) -> bool {
    let b: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !(15..=34).contains(&b.len())
        || !b[0].is_ascii_uppercase()
        || !b[1].is_ascii_uppercase()
        || !b[2].is_ascii_digit()
        || !b[3].is_ascii_digit()
        || !b.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in b[4..].iter().chain(b[..4].iter()) {
        if c.is_ascii_digit() {
            rem = (rem * 10 + u32::from(c - b'0')) % 97;
        } else {
            let v = u32::from(c - b'A') + 10;
            rem = (rem * 100 + v) % 97;
        }
    }
    rem == 1
}

/// ABA routing number: 9 digits, weights 3 7 1, sum mod 10 == 0.
pub fn aba(s: &str) -> bool {
    let d = digits(s);
    if d.len() != 9 {
        return false;
    }
    let w = [3, 7, 1, 3, 7, 1, 3, 7, 1];
    d.iter().zip(w).map(|(a, b)| a * b).sum::<u32>() % 10 == 0
}

/// Credit card: 12..=19 digits, a known issuer prefix and Luhn.
pub fn card(s: &str) -> bool {
    let d = digits(s);
    if !(12..=19).contains(&d.len()) || !luhn_digits(&d) {
        return false;
    }
    let p2 = d[0] * 10 + d[1];
    let p4 = p2 * 100 + d[2] * 10 + d[3];
    let p3 = p4 / 10;
    d[0] == 4
        || (51..=55).contains(&p2)
        || (2221..=2720).contains(&p4)
        || p2 == 34
        || p2 == 37
        || p4 == 6011
        || p2 == 65
        || (644..=649).contains(&p3)
        || p2 == 35
        || p2 == 36
        || p2 == 38
        || p2 == 30
        || p4 == 2131
        || p4 == 1800
        || p2 == 62
        || p2 == 50
        || (56..=69).contains(&p2)
        || d[0] == 2
}

/// NANP number (10 digits, country code stripped): NPA and NXX start with 2-9, are not N11, NPA's second digit
/// is not 9; NPA 37X and 96X are reserved.
pub fn nanp(s: &str) -> bool {
    let mut d = digits(s);
    if d.len() == 11 && d[0] == 1 {
        d.remove(0);
    }
    if d.len() != 10 {
        return false;
    }
    let n11 = |a: u32, b: u32, c: u32| b == 1 && c == 1 && a >= 2;
    d[0] >= 2
        && d[3] >= 2
        && !n11(d[0], d[1], d[2])
        && !n11(d[3], d[4], d[5])
        && d[1] != 9
        && !(d[0] == 3 && d[1] == 7)
        && !(d[0] == 9 && d[1] == 6)
}

/// The 17 three-digit ZIP prefixes with 20,000 or fewer people (HHS de-identification guidance, 2000 Census):
/// Safe Harbor requires them to be replaced by 000.
pub const RESTRICTED_ZIP3: [&str; 17] = [
    "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878",
    "879", "884", "890", "893",
];

/// Whether a ZIP code (5 or 9 digits) lies in a restricted ZIP3 area.
pub fn zip3_restricted(zip: &str) -> bool {
    zip.get(..3)
        .is_some_and(|p| RESTRICTED_ZIP3.contains(&p) && zip.len() >= 5)
}

/// Safe Harbor: ages over 89 are identifiers; values above 125 are not taken as ages.
pub fn age_over_89(age: u32) -> bool {
    (90..=125).contains(&age)
}

/// IMEI: 15 digits, Luhn.
pub fn imei(s: &str) -> bool {
    let d = digits(s);
    d.len() == 15 && luhn_digits(&d)
}

/// A calendar date check (month 1-12, day within the month).
pub fn ymd(year: u32, month: u32, day: u32) -> bool {
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npi_vectors() {
        assert!(npi("1234567893"));
        assert!(!npi("1234567898"));
        assert!(!npi("3234567893"), "first digit must be 1 or 2");
        assert!(!npi("123456789"));
    }

    #[test]
    fn dea_vectors() {
        assert!(dea("AP5836727"));
        assert!(dea("F91234563"));
        assert!(!dea("AB4523767"));
        assert!(!dea("AP5836728"));
        assert!(!dea("QP5836727"), "Q is not a registrant type");
    }

    #[test]
    fn ssn_vectors() {
        assert!(ssn("123-45-6780"));
        assert!(ssn("536-22-1234"));
        assert!(!ssn("000-12-3456"), "area 000");
        assert!(!ssn("666-12-3456"), "area 666");
        assert!(!ssn("900-12-3456"), "area 9xx");
        assert!(!ssn("999-12-3456"), "area 9xx");
        assert!(!ssn("123-00-4567"), "group 00");
        assert!(!ssn("123-45-0000"), "serial 0000");
        assert!(!ssn("111-11-1111"), "all one digit");
        assert!(!ssn("078-05-1120"), "advertising value");
        assert!(!ssn("987-65-4325"), "sample range");
        assert!(!ssn("12-345-678"));
        assert!(ssn_structure("078-05-1120"));
        assert!(!ssn_structure("900-12-3456"));
    }

    #[test]
    fn zip3_vectors() {
        for p in RESTRICTED_ZIP3 {
            assert!(zip3_restricted(&format!("{p}12")), "{p}");
        }
        assert_eq!(RESTRICTED_ZIP3.len(), 17);
        assert!(!zip3_restricted("02139"));
        assert!(!zip3_restricted("10001"));
        assert!(zip3_restricted("03601-1234"));
        assert!(!zip3_restricted("036"));
    }

    #[test]
    fn age_vectors() {
        assert!(!age_over_89(89));
        assert!(age_over_89(90));
        assert!(age_over_89(104));
        assert!(!age_over_89(126));
    }

    #[test]
    fn vin_vectors() {
        assert!(vin("1HGCM82633A004352"));
        assert!(vin("1M8GDM9AXKP042788"), "check digit X");
        assert!(!vin("1HGCM82643A004352"), "wrong check digit");
        assert!(!vin("1HGCM82633A00435"), "16 characters");
        assert!(!vin("1HGCM82633A00435O"), "O is not allowed");
        assert!(vin_shape("1HGCM82633A004352"));
    }

    #[test]
    fn luhn_and_cards() {
        assert!(luhn("4111 1111 1111 1111"));
        assert!(!luhn("4111 1111 1111 1112"));
        assert!(card("4111111111111111"));
        assert!(card("378282246310005"));
        assert!(card("5555-5555-5555-4444"));
        assert!(!card("1234567812345678"));
        assert!(imei("490154203237518"));
        assert!(!imei("490154203237519"));
    }

    #[test]
    fn iban_vectors() {
        assert!(iban("GB82WEST12345698765432"));
        assert!(iban("GB82 WEST 1234 5698 7654 32"));
        assert!(iban("DE89370400440532013000"));
        assert!(!iban("GB83WEST12345698765432"));
        assert!(!iban("GB82"));
    }

    #[test]
    fn mbi_vectors() {
        assert!(mbi("1EG4-TE5-MK73"));
        assert!(mbi("1EG4TE5MK73"));
        assert!(!mbi("0EG4TE5MK73"), "position 1 is 1-9");
        assert!(!mbi("1SG4TE5MK73"), "S is never used");
        assert!(!mbi("1EG4TE5MK7"));
    }

    #[test]
    fn nanp_and_aba() {
        assert!(nanp("(212) 555-0147"));
        assert!(nanp("+1 617 253 1000"));
        assert!(!nanp("112-555-0147"), "NPA starts 2-9");
        assert!(!nanp("211-555-0147"), "N11 NPA");
        assert!(!nanp("212-911-0147"), "N11 exchange");
        assert!(!nanp("295-555-0147"), "N9X reserved");
        assert!(!nanp("375-555-0147"), "37X reserved");
        assert!(aba("011000015"));
        assert!(!aba("011000016"));
    }

    #[test]
    fn dates() {
        assert!(ymd(2024, 2, 29));
        assert!(!ymd(2023, 2, 29));
        assert!(!ymd(2023, 13, 1));
        assert!(!ymd(2023, 4, 31));
    }
}
