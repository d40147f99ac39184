//! JUnit XML: one test suite per rule that ran, one failing test case per finding, one passing case per clean rule.

use std::fmt::Write;

use phiguard_core::rules::CATALOG;
use phiguard_core::ScanReport;

use crate::xml_escape as esc;

pub fn junit(report: &ScanReport) -> String {
    let mut body = String::new();
    let mut total_tests = 0;
    let mut total_failures = 0;
    for rule in CATALOG.iter().filter(|r| report.rules.contains(&r.code)) {
        let findings: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.code == rule.code)
            .collect();
        let tests = findings.len().max(1);
        total_tests += tests;
        total_failures += findings.len();
        let _ = writeln!(
            body,
            "  <testsuite name=\"{} {}\" tests=\"{tests}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            rule.code,
            rule.name,
            findings.len()
        );
        if findings.is_empty() {
            let _ = writeln!(
                body,
                "    <testcase name=\"{}: no findings\" classname=\"phiguard.{}\"/>",
                esc(rule.title),
                rule.code
            );
        }
        for f in findings {
            let object = f.object.as_ref().map(|o| o.to_string()).unwrap_or_default();
            let _ = writeln!(
                body,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">",
                esc(&format!("{object} {}", f.path)),
                esc(&f.location.file),
                esc(&f.location.file),
                f.location.line
            );
            let _ = writeln!(
                body,
                "      <failure message=\"{}\" type=\"{}\">{}:{}:{} {} [{}] {}\nHIPAA: {}\nFix: {}</failure>",
                esc(&f.message),
                f.severity,
                esc(&f.location.file),
                f.location.line,
                f.location.column,
                f.code,
                f.severity,
                esc(&f.message),
                f.hipaa.join(", "),
                esc(f.remediation)
            );
            let _ = writeln!(body, "    </testcase>");
        }
        let _ = writeln!(body, "  </testsuite>");
    }
    let mut errors = String::new();
    if !report.errors.is_empty() || report.stats.objects == 0 {
        let _ = writeln!(
            errors,
            "  <testsuite name=\"inputs\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">"
        );
        let _ = writeln!(
            errors,
            "    <testcase name=\"every input parses\" classname=\"phiguard.inputs\">"
        );
        let msg = if report.errors.is_empty() {
            "no Kubernetes objects were found in the inputs".to_string()
        } else {
            report
                .errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        };
        let _ = writeln!(
            errors,
            "      <error message=\"input errors\">{}</error>",
            esc(&msg)
        );
        let _ = writeln!(errors, "    </testcase>\n  </testsuite>");
        total_tests += 1;
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"phiguard\" tests=\"{total_tests}\" failures=\"{total_failures}\" errors=\"{}\">\n{errors}{body}</testsuites>\n",
        usize::from(!errors.is_empty())
    )
}
