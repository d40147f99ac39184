#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Detection on generated logs, HL7 and FHIR (exact gold spans), on log noise, on DataFog's pinned payloads
//! and on presidio-research's synthetic set.

use std::collections::BTreeMap;
use std::path::PathBuf;

use phiguard_phi::eval::{self, Group, SpanMode};
use phiguard_phi::{stream, synth, DetectConfig, Detector, Entity};

fn shared(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/")).join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIP: {} is absent (shared corpus not checked out next to the repository)",
            p.display()
        );
        None
    }
}

fn found(text: &str) -> Vec<(Entity, String)> {
    Detector::new()
        .detect(text.as_bytes())
        .into_iter()
        .map(|m| (m.entity, text[m.start..m.end].to_string()))
        .collect()
}

#[test]
fn generated_records_are_found_exactly() {
    let g = synth::logs(3, 400_000, 300);
    let det = Detector::new();
    let got = det.detect(g.text.as_bytes());
    let mut missed = Vec::new();
    for (e, s, en) in &g.gold {
        let hit = got
            .iter()
            .any(|m| m.start == *s && m.end == *en && Group::of(m.entity) == Group::of(*e));
        if !hit {
            missed.push((*e, g.text[*s..*en].to_string()));
        }
    }
    assert!(g.gold.len() > 1000, "{}", g.gold.len());
    assert!(
        missed.is_empty(),
        "{} of {} missed, e.g. {:?}",
        missed.len(),
        g.gold.len(),
        &missed[..missed.len().min(10)]
    );
    // Nothing outside the gold spans.
    let extra: Vec<_> = got
        .iter()
        .filter(|m| !g.gold.iter().any(|(_, s, e)| m.start < *e && *s < m.end))
        .map(|m| (m.entity, g.text[m.start..m.end].to_string()))
        .collect();
    assert!(
        extra.is_empty(),
        "false positives: {:?}",
        &extra[..extra.len().min(10)]
    );
}

#[test]
fn log_noise_is_not_phi() {
    let g = synth::logs(5, 300_000, 0);
    assert!(g.gold.is_empty());
    let got = found(&g.text);
    assert!(got.is_empty(), "{:?}", &got[..got.len().min(10)]);
}

#[test]
fn hl7_pid_fields() {
    let msg = "MSH|^~\\&|EHR|GEN|LAB|GEN|202401011200||ADT^A01|1|P|2.5\rPID|1||88123456^^^GEN^MR||GARCIA^MARIA^L||19610304|F|||12 Elm St^^Boston^MA^02115||6172531000|||||A100234|536221234\rNK1|1|GARCIA^LUIS|SPO|12 Elm St^^Boston^MA^02115|6172531001\r";
    let got = found(msg);
    let want = [
        (Entity::Mrn, "88123456"),
        (Entity::Name, "GARCIA^MARIA^L"),
        (Entity::Date, "19610304"),
        (Entity::Address, "12 Elm St^^Boston^MA^02115"),
        (Entity::Phone, "6172531000"),
        (Entity::Account, "A100234"),
        (Entity::Ssn, "536221234"),
        (Entity::Name, "GARCIA^LUIS"),
        (Entity::Phone, "6172531001"),
    ];
    for (e, v) in want {
        assert!(got.contains(&(e, v.to_string())), "{e} {v} not in {got:?}");
    }
}

#[test]
fn fhir_patient() {
    let fhir = r#"{"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.3","value":"4471123"}],"name":[{"family":"Okafor","given":["Chidi"]}],"telecom":[{"system":"email","value":"chidi@example.org"}],"birthDate":"1948-02-29","address":[{"line":["77 Lake Road"],"city":"Houston","postalCode":"77030"}]}"#;
    let got = found(fhir);
    for (e, v) in [
        (Entity::OtherId, "4471123"),
        (Entity::Name, "Okafor"),
        (Entity::Name, "Chidi"),
        (Entity::Email, "chidi@example.org"),
        (Entity::Date, "1948-02-29"),
        (Entity::Address, "77 Lake Road"),
        (Entity::Location, "Houston"),
        (Entity::Zip, "77030"),
    ] {
        assert!(got.contains(&(e, v.to_string())), "{e} {v} not in {got:?}");
    }
}

#[test]
fn keys_and_context_words() {
    let got = found("ts=2026-11-24T07:00:00Z patient_name=\"Ann Lee\" mrn=MR0042 dob=03/14/1950 npi: 1234567893 age=93");
    for (e, v) in [
        (Entity::Name, "Ann Lee"),
        (Entity::Mrn, "MR0042"),
        (Entity::Date, "03/14/1950"),
        (Entity::License, "1234567893"),
        (Entity::AgeOver89, "93"),
    ] {
        assert!(got.contains(&(e, v.to_string())), "{e} {v} not in {got:?}");
    }
    // The event timestamp leading the line is not reported at the default threshold.
    assert!(
        !got.iter().any(|(_, v)| v.starts_with("2026-11-24")),
        "{got:?}"
    );
    // An ISO 8601 date-time that is not the event time is a date, time included.
    assert_eq!(
        found("job 7: patient admitted 2025-02-03T04:05:06Z to ward 4"),
        vec![(Entity::Date, "2025-02-03T04:05:06Z".to_string())]
    );
    // Context words are whole words: `public` does not contain the licence keyword `lic`.
    assert!(found("the public key 12345678 rotated").is_empty());
    assert_eq!(found("licence 12345678")[0].0, Entity::License);
    // Ages: 89 is not an identifier, 90 is.
    assert!(found("an 89-year-old").is_empty());
    assert_eq!(
        found("a 90-year-old")[0],
        (Entity::AgeOver89, "90".to_string())
    );
}

#[test]
fn negative_rules() {
    for noise in [
        "request 3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b done",
        "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "started at 1700000000 epoch",
        "version 1.2.3.4 deployed",
        "build v10.12.3 ok",
        "token eyJhbGciOiJIUzI1NiJ9eyJzdWIiOiIxMjM0NTY3ODkwIn0",
        "port 8080 8443 open",
    ] {
        assert!(found(noise).is_empty(), "{noise}: {:?}", found(noise));
    }
}

#[test]
fn validated_ids_in_text() {
    let got = found("DEA AP5836727, VIN 1HGCM82633A004352, MBI 1EG4-TE5-MK73, IBAN GB82 WEST 1234 5698 7654 32, card 4111 1111 1111 1111, ssn 536-22-1234, from 192.0.2.44");
    for (e, v) in [
        (Entity::License, "AP5836727"),
        (Entity::VehicleId, "1HGCM82633A004352"),
        (Entity::HealthPlanId, "1EG4-TE5-MK73"),
        (Entity::Iban, "GB82 WEST 1234 5698 7654 32"),
        (Entity::CreditCard, "4111 1111 1111 1111"),
        (Entity::Ssn, "536-22-1234"),
        (Entity::Ip, "192.0.2.44"),
    ] {
        assert!(got.contains(&(e, v.to_string())), "{e} {v} not in {got:?}");
    }
    // An invalid SSN (area 666) is kept with lower confidence when the context says SSN (recall first).
    let det = Detector::new();
    let m = det.detect(b"SSN 666-12-3456");
    assert_eq!(m.len(), 1);
    assert!(m[0].confidence < 0.8);
}

#[test]
fn config_patterns_deny_allow() {
    let cfg = DetectConfig::from_toml(
        r#"
[phi-detect]
min-confidence = 0.5
allow = ["Linda Martinez"]
[[phi-detect.pattern]]
name = "site-mrn"
regex = 'CHART-\d{6}'
entity = "MRN"
[[phi-detect.deny]]
value = "Mercy West"
entity = "LOCATION"
"#,
    )
    .unwrap();
    let det = Detector::from_config(&cfg).unwrap();
    let text = "CHART-123456 seen at Mercy West by Linda Martinez, patient John Garcia";
    let got: Vec<(Entity, &str)> = det
        .detect(text.as_bytes())
        .iter()
        .map(|m| (m.entity, &text[m.start..m.end]))
        .collect();
    assert!(got.contains(&(Entity::Mrn, "CHART-123456")), "{got:?}");
    assert!(got.contains(&(Entity::Location, "Mercy West")), "{got:?}");
    assert!(got.contains(&(Entity::Name, "John Garcia")), "{got:?}");
    assert!(!got.iter().any(|(_, v)| *v == "Linda Martinez"), "{got:?}");
    for bad in [
        "[phi-detect]\nentities = [\"NOPE\"]",
        "[phi-detect]\nmin-confidence = 2.0",
        "[phi-detect]\nunknown = 1",
        "[[phi-detect.pattern]]\nname = \"x\"\nregex = \"(\"\nentity = \"MRN\"",
    ] {
        let r = DetectConfig::from_toml(bad).and_then(|c| Detector::from_config(&c).map(|_| c));
        assert!(r.is_err(), "{bad}");
    }
}

#[test]
fn csv_with_header() {
    let mut det = Detector::new();
    det.set_csv_header(b"id,first_name,last_name,dob,notes\n");
    let text = "id,first_name,last_name,dob,notes\n1,Ann,Lee,1950-03-14,ok\n2,Bo,Xu,1961-01-02,call 617-253-1000\n";
    let got: Vec<(Entity, &str)> = det
        .detect(text.as_bytes())
        .iter()
        .map(|m| (m.entity, &text[m.start..m.end]))
        .collect();
    for v in ["Ann", "Lee", "Bo", "Xu"] {
        assert!(got.contains(&(Entity::Name, v)), "{v} {got:?}");
    }
    assert!(got.contains(&(Entity::Date, "1961-01-02")));
    assert!(got.contains(&(Entity::Phone, "617-253-1000")));
}

#[test]
fn streaming_in_small_chunks_matches_one_pass() {
    let g = synth::logs(9, 300_000, 200);
    let det = Detector::new();
    let whole: Vec<(usize, usize)> = det
        .detect(g.text.as_bytes())
        .iter()
        .map(|m| (m.start, m.end))
        .collect();
    let mut got = Vec::new();
    stream::scan_reader(&det, g.text.as_bytes(), 2 * stream::OVERLAP + 7, |l| {
        got.push((l.m.start, l.m.end))
    })
    .unwrap();
    assert_eq!(got, whole);
}

#[test]
fn datafog_payload_counts() {
    let Some(dir) = shared("corpus/phi/datafog-bench-payloads") else {
        return;
    };
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    for (file, spec) in manifest["payloads"].as_object().unwrap() {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for m in Detector::new().detect(text.as_bytes()) {
            let key = match m.entity {
                Entity::Email => "EMAIL",
                Entity::Phone | Entity::Fax => "PHONE",
                Entity::CreditCard => "CREDIT_CARD",
                Entity::Ssn => "SSN",
                _ => continue,
            };
            *counts.entry(key).or_default() += 1;
        }
        for (k, v) in spec["expected_counts"].as_object().unwrap() {
            assert_eq!(
                counts.get(k.as_str()).copied().unwrap_or(0),
                v.as_u64().unwrap(),
                "{file} {k}: {counts:?}"
            );
        }
    }
}

#[test]
fn presidio_synthetic_set_regression() {
    let Some(path) = shared("corpus/phi/presidio-research-synth/synth_dataset_v2.json") else {
        return;
    };
    let docs = eval::load_presidio(&path).unwrap();
    assert_eq!(docs.len(), 1500);
    let r = eval::score(&Detector::new(), &docs, SpanMode::Overlap);
    eprintln!(
        "presidio synth (any-overlap): P {:.3} R {:.3} F1 {:.3}",
        r.overall.precision(),
        r.overall.recall(),
        r.overall.f1()
    );
    assert!(r.overall.f1() >= 0.87, "{:?}", r.overall);
    assert!(r.overall.precision() >= 0.9, "{:?}", r.overall);
    for g in ["SSN", "EMAIL", "IBAN", "IP", "CREDIT_CARD", "URL"] {
        let c = r.per_group[g];
        assert!(c.recall() >= 0.9, "{g}: {c:?}");
        assert!(c.precision() >= 0.9, "{g}: {c:?}");
    }
    for g in ["SSN", "CREDIT_CARD", "IBAN", "EMAIL", "IP", "PHONE", "DATE"] {
        let c = r.per_group[g];
        assert!(c.recall() >= 0.95, "{g}: {c:?}");
    }
}

#[test]
fn meddocan_loads_and_scores() {
    let Some(dir) = shared("corpus/phi/meddocan/corpus/test/brat") else {
        return;
    };
    let docs = eval::load_brat_dir(&dir).unwrap();
    assert_eq!(docs.len(), 250);
    let r = eval::score(&Detector::new(), &docs, SpanMode::Overlap);
    eprintln!(
        "meddocan test (any-overlap): P {:.3} R {:.3} F1 {:.3}",
        r.overall.precision(),
        r.overall.recall(),
        r.overall.f1()
    );
    assert!(
        r.per_group["EMAIL"].recall() >= 0.9,
        "{:?}",
        r.per_group["EMAIL"]
    );
}

#[test]
fn phone_shapes() {
    for p in [
        "+1 (617) 253-1000",
        "(579)888-3058",
        "+1-617-253-1000",
        "(212) 555-0147",
        "+44 20 7946 0958",
        "617.253.1000",
        "+447700677662",
        "0393 1144137",
        "0961-7596216",
    ] {
        let got = found(&format!("reach me at {p} today"));
        assert_eq!(got, vec![(Entity::Phone, p.to_string())], "{p}");
    }
}

#[test]
fn international_phone_formats_and_extensions() {
    for p in [
        "+33 1 23 45 67 89",
        "+49 30 1234567",
        "+49 (0)30 1234567",
        "+44 (0)20 7946 0958",
        "0049 30 1234567",
        "00 44 20 7946 0958",
        "+31 6 12345678",
        "06-12345678",
        "+44 7700 900123",
        "+353 1 234 5678",
        "212-555-0147 x 89",
        "212-555-0147 ext. 89",
        "212.555.0147x459",
        "001-555-123-4567x1234",
    ] {
        let got = found(&format!("Contact: {p} today"));
        assert_eq!(got, vec![(Entity::Phone, p.to_string())], "{p}");
    }
    // An area code and a long subscriber number need a phone word.
    assert_eq!(
        found("not answering at 99 668472"),
        vec![(Entity::Phone, "99 668472".to_string())]
    );
    assert!(found("the code is 99 668472").is_empty());
    assert!(found("version 2 1234567").is_empty());
    // A building and a house number before a street are an address, not a local number.
    assert_eq!(
        found("located at 704 1436 Redbud Drive"),
        vec![(Entity::Address, "1436 Redbud Drive".to_string())]
    );
    // Grouped digits after licence words are a licence number.
    assert_eq!(
        found("my driver's license number is 2270-66-1551"),
        vec![(Entity::License, "2270-66-1551".to_string())]
    );
}

#[test]
fn ipv6() {
    for ip in [
        "2001:db8::7",
        "6e40:4041:c617:e898:c11:40d2:c669:2eb4",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
    ] {
        assert_eq!(
            found(&format!("client {ip} connected")),
            vec![(Entity::Ip, ip.to_string())],
            "{ip}"
        );
    }
    assert!(found("at 10:23:45 and ::1 and fe80::1").is_empty());
}

#[test]
fn weekdays_countries_initials_and_address_lines() {
    assert_eq!(
        found("The follow-up is on Tuesday."),
        vec![(Entity::Date, "Tuesday".to_string())]
    );
    assert_eq!(
        found("She moved to Norway."),
        vec![(Entity::Location, "Norway".to_string())]
    );
    assert_eq!(
        found("Estonia 62488\n"),
        vec![
            (Entity::Location, "Estonia".to_string()),
            (Entity::Zip, "62488".to_string())
        ]
    );
    assert_eq!(
        found("seen by Faina D. Yefremova yesterday"),
        vec![(Entity::Name, "Faina D. Yefremova".to_string())]
    );
    assert_eq!(
        found("William Hughes\n20789 Allika 46\n"),
        vec![
            (Entity::Name, "William Hughes".to_string()),
            (Entity::Address, "20789 Allika 46".to_string())
        ]
    );
    // Lower-case weekdays, all-caps words and log lines stay clean.
    assert!(found("cron: runs every monday at 02:00").is_empty());
    assert!(found("200 OK 512\nGET /api/v2 HTTP 200").is_empty());
}

#[test]
fn names_beyond_the_census_lists() {
    let name = |s: &str| vec![(Entity::Name, s.to_string())];
    // Capitals outside ASCII, names after a title or a question, a listed name after `Name:`.
    assert_eq!(found("Maybe it's under Šárka Ottová"), name("Šárka Ottová"));
    assert_eq!(
        found("What's your name? Sölvi Salómonsson"),
        name("Sölvi Salómonsson")
    );
    assert_eq!(found("Name: Victoria Bruun"), name("Victoria Bruun"));
    assert_eq!(
        found("Dr. Cettina Fanucci will see you"),
        name("Cettina Fanucci")
    );
    assert_eq!(found("She named him Frank"), name("Frank"));
    assert_eq!(
        found("Hanne I. Kreutzmann will be talking"),
        name("Hanne I. Kreutzmann")
    );
    // A surname ending, and a word listed with known names.
    assert_eq!(found("a song by Kadiev"), name("Kadiev"));
    assert_eq!(
        found("our founders: Kónya, Becker and Vasquez."),
        vec![
            (Entity::Name, "Kónya".to_string()),
            (Entity::Name, "Becker".to_string()),
            (Entity::Name, "Vasquez".to_string())
        ]
    );
    // A given name that is also a city, then a surname, is a person.
    assert_eq!(found("Please contact Sofia Lima"), name("Sofia Lima"));
    // A person's verb or a possessive after an unknown word, `I'm`, a recipient line above a street line.
    assert_eq!(found("Mehrudin shouted at the crowd"), name("Mehrudin"));
    assert_eq!(found("Maite Lemmens's killers"), name("Maite Lemmens"));
    assert_eq!(
        found("I'm Abelardo Trevisano, from Rome")[0],
        (Entity::Name, "Abelardo Trevisano".to_string())
    );
    assert_eq!(
        found("Philippe Guernon\n\n0104 Hafnarstraeti 5\n")[0],
        (Entity::Name, "Philippe Guernon".to_string())
    );
    assert!(found("Deployment Finished\n\n3 pods ready\n").is_empty());
    assert!(found("Kubelet restarted the pod").is_empty());
    assert!(found("The Kubelet's cache").is_empty());
    // Diacritics mark a foreign name in English text, not in text whose own words carry them, not in a
    // label, not a single word opening a sentence.
    assert_eq!(
        found("I want to add Irenke Sörös as a beneficiary"),
        name("Irenke Sörös")
    );
    assert!(found("ingresó en el Servicio de Nefrología para estudio").is_empty());
    assert!(found("País: España")
        .iter()
        .all(|(e, _)| *e != Entity::Name));
    assert!(found("Exploración física normal.").is_empty());
    // Not names: contractions, streets written with diacritics, common words.
    assert!(found("Don't feed me").is_empty());
    assert!(found("Let's meet at 6076 Piroska u. 97.").is_empty());
    assert!(found("The bus stops at 0269 Stensås terrasse 38").is_empty());
    assert!(found("On March 3, Smith said").is_empty());
    assert!(found("Kiev is cold").is_empty());
    assert!(!found("Report, Done.").contains(&(Entity::Name, "Report".to_string())));
    assert!(found("Retrying in 30 seconds, Backoff enabled").is_empty());
}

#[test]
fn places_in_runs_and_address_blocks() {
    let loc = |s: &str| vec![(Entity::Location, s.to_string())];
    assert_eq!(found("Seen Boston last week"), loc("Boston"));
    assert_eq!(found("serving Southern Tunisia"), loc("Tunisia"));
    assert_eq!(found("I am in ΛΕΥΚΩΣΙΑ for a trip"), loc("ΛΕΥΚΩΣΙΑ"));
    // The town line under a unit line, and the town after a street's house number.
    assert_eq!(
        found("Apt. 656\n Brønderslev\n"),
        vec![
            (Entity::Address, "Apt. 656".to_string()),
            (Entity::Location, "Brønderslev".to_string())
        ]
    );
    assert!(found("her address: Præstevænget 15, København")
        .contains(&(Entity::Location, "København".to_string())));
    assert_eq!(found("Hellendoorn, OV 21072"), {
        let mut v = loc("Hellendoorn");
        v.push((Entity::Zip, "21072".to_string()));
        v
    });
    // Log lines under a numbered line are not towns.
    assert!(found("run 3 of 5 finished 200\nKilled\n").is_empty());
    // A town line above a country line, particles inside it.
    assert_eq!(
        found("Chiclana de la Frontera\nSpain\n"),
        vec![
            (Entity::Location, "Chiclana de la Frontera".to_string()),
            (Entity::Location, "Spain".to_string())
        ]
    );
    // A town after a street designator, a street between house numbers in running text.
    assert_eq!(
        found("lives at 12 Main St, Troy"),
        vec![
            (Entity::Address, "12 Main St".to_string()),
            (Entity::Location, "Troy".to_string())
        ]
    );
    assert_eq!(
        found("She lives at 10252 Μεγάλη Άμμος 184, ΠΑΦΟΣ"),
        vec![
            (Entity::Address, "10252 Μεγάλη Άμμος 184".to_string()),
            (Entity::Location, "ΠΑΦΟΣ".to_string())
        ]
    );
    assert!(found("We met at 5 Guests 3 times").is_empty());
    // A town before `, <country>`, a place after `home city`; nationality words are not names.
    assert_eq!(
        found("Our office: Villaverde de Abajo, Spain."),
        vec![
            (Entity::Location, "Villaverde de Abajo".to_string()),
            (Entity::Location, "Spain".to_string())
        ]
    );
    assert_eq!(found("their home city Assen:"), loc("Assen"));
    assert!(found("We moved here from Cyprus (Greek)")
        .iter()
        .all(|(e, _)| *e == Entity::Location));
    assert!(found("Report, Summary.").is_empty());
}

#[test]
fn place_words_inside_a_persons_name_stay_a_name() {
    let name = |s: &str| vec![(Entity::Name, s.to_string())];
    assert_eq!(
        found("Seen by Dr Austin Smith today."),
        name("Austin Smith")
    );
    assert_eq!(
        found("Patient Madison Taylor was admitted."),
        name("Madison Taylor")
    );
    assert_eq!(found("Dear Ms Lincoln,"), name("Lincoln"));
    // A place later in a run of capitalised words is still a place.
    assert_eq!(
        found("Seen Boston"),
        vec![(Entity::Location, "Boston".to_string())]
    );
    assert_eq!(
        found("Southern Tunisia is hot"),
        vec![(Entity::Location, "Tunisia".to_string())]
    );
}

#[test]
fn extensions_of_prefixed_phones() {
    let phone = |s: &str| vec![(Entity::Phone, s.to_string())];
    assert_eq!(
        found("call +1 (617) 253-1000x123 now"),
        phone("+1 (617) 253-1000x123")
    );
    assert_eq!(
        found("phone (212) 555-0147 ext. 12"),
        phone("(212) 555-0147 ext. 12")
    );
    // Letters glued to the digits that are not an extension end the number: no phone.
    assert!(found("(212) 555-0147xyz").is_empty());
}

#[test]
fn hl7_message_header_and_acknowledgment_are_not_phi() {
    let msg = "MSH|^~\\&|ADT|HOSP|EHR|CLINIC|20261124101500||ADT^A01|MSG0001|P|2.5\r\
               PID|1||00482913^^^HOSP^MR||OKAFOR^ADAEZE^N||19610723|F\r\
               MSA|AA|MSG0001\r";
    assert_eq!(
        found(msg),
        vec![
            (Entity::Mrn, "00482913".to_string()),
            (Entity::Name, "OKAFOR^ADAEZE^N".to_string()),
            (Entity::Date, "19610723".to_string())
        ]
    );
    // Without HL7's encoding characters an MSH line is ordinary text.
    assert_eq!(
        found("MSH|patient Jane Doe ssn 456-12-7890\n"),
        found("MSX|patient Jane Doe ssn 456-12-7890\n")
    );
}

#[test]
fn unquoted_names_after_name_keys_take_their_surnames() {
    let name = |s: &str| vec![(Entity::Name, s.to_string())];
    assert_eq!(
        found("patient_name=maria gonzalez level=info"),
        name("maria gonzalez")
    );
    assert_eq!(
        found("patient name: maria gonzalez"),
        name("maria gonzalez")
    );
    assert_eq!(found("pt name: robert johnson\n"), name("robert johnson"));
    // The next key is not part of the name.
    assert_eq!(
        found("first_name: john last_name: smith"),
        vec![
            (Entity::Name, "john".to_string()),
            (Entity::Name, "smith".to_string())
        ]
    );
    // A bare `name` key is not a person's (services, containers).
    assert!(found("service name: nginx ingress").is_empty());
    assert!(found("container name: web").is_empty());
}
