//! Label selectors: Kubernetes `LabelSelector` and Calico selector expressions.

use std::collections::BTreeMap;

use crate::yaml::Node;

pub type Labels = BTreeMap<String, String>;

/// One requirement of a Kubernetes label selector.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Req {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A Kubernetes `metav1.LabelSelector`: every requirement must hold. No requirements selects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LabelSelector {
    pub reqs: Vec<Req>,
    /// The selector has an operator the API does not know: it selects nothing.
    pub invalid: bool,
}

impl LabelSelector {
    /// Reads `matchLabels` and `matchExpressions`. An unknown operator makes the selector match nothing (the API
    /// server would have rejected the object) and is returned as an error message too.
    pub fn from_node(node: &Node) -> (LabelSelector, Option<String>) {
        let mut sel = LabelSelector::default();
        let mut err = None;
        if let Some(ml) = node.get("matchLabels") {
            for (k, v) in ml.as_map() {
                let value = match v.as_str() {
                    Some(s) => s.to_string(),
                    None => v.as_i64().map(|n| n.to_string()).unwrap_or_default(),
                };
                sel.reqs.push(Req::In(k.clone(), vec![value]));
            }
        }
        if let Some(exprs) = node.get("matchExpressions") {
            for e in exprs.as_seq() {
                let key = e
                    .get("key")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string();
                let values: Vec<String> = e
                    .get("values")
                    .map(|v| {
                        v.as_seq()
                            .iter()
                            .filter_map(Node::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                match e.get("operator").and_then(Node::as_str).unwrap_or("") {
                    "In" => sel.reqs.push(Req::In(key, values)),
                    "NotIn" => sel.reqs.push(Req::NotIn(key, values)),
                    "Exists" => sel.reqs.push(Req::Exists(key)),
                    "DoesNotExist" => sel.reqs.push(Req::DoesNotExist(key)),
                    other => {
                        sel.invalid = true;
                        err = Some(format!(
                            "unknown matchExpressions operator `{other}`: the selector selects nothing"
                        ));
                    }
                }
            }
        }
        (sel, err)
    }

    pub fn is_empty(&self) -> bool {
        self.reqs.is_empty() && !self.invalid
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        !self.invalid
            && self.reqs.iter().all(|r| match r {
                Req::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
                Req::NotIn(k, vs) => !labels.get(k).is_some_and(|v| vs.contains(v)),
                Req::Exists(k) => labels.contains_key(k),
                Req::DoesNotExist(k) => !labels.contains_key(k),
            })
    }
}

/// A Calico selector expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Expr {
    All,
    Global,
    Has(String),
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Contains(String, String),
    StartsWith(String, String),
    EndsWith(String, String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    pub fn matches(&self, labels: &Labels) -> bool {
        match self {
            Expr::All => true,
            Expr::Global => false,
            Expr::Has(k) => labels.contains_key(k),
            Expr::Eq(k, v) => labels.get(k) == Some(v),
            Expr::Ne(k, v) => labels.get(k) != Some(v),
            Expr::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            Expr::NotIn(k, vs) => !labels.get(k).is_some_and(|v| vs.contains(v)),
            Expr::Contains(k, s) => labels.get(k).is_some_and(|v| v.contains(s.as_str())),
            Expr::StartsWith(k, s) => labels.get(k).is_some_and(|v| v.starts_with(s.as_str())),
            Expr::EndsWith(k, s) => labels.get(k).is_some_and(|v| v.ends_with(s.as_str())),
            Expr::Not(e) => !e.matches(labels),
            Expr::And(a, b) => a.matches(labels) && b.matches(labels),
            Expr::Or(a, b) => a.matches(labels) || b.matches(labels),
        }
    }

    /// Parses a Calico selector. An empty string is `all()`.
    pub fn parse(s: &str) -> Result<Expr, String> {
        let mut p = Parser {
            s: s.as_bytes(),
            i: 0,
        };
        p.ws();
        if p.i == p.s.len() {
            return Ok(Expr::All);
        }
        let e = p.or()?;
        p.ws();
        if p.i != p.s.len() {
            return Err(format!("unexpected text at offset {} of selector", p.i));
        }
        Ok(e)
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, tok: &str) -> bool {
        self.ws();
        if self.s[self.i..].starts_with(tok.as_bytes()) {
            self.i += tok.len();
            true
        } else {
            false
        }
    }
    /// Eats a keyword followed by a non-identifier character.
    fn keyword(&mut self, kw: &str) -> bool {
        self.ws();
        let end = self.i + kw.len();
        if self.s[self.i..].starts_with(kw.as_bytes())
            && self.s.get(end).is_none_or(|c| !is_ident(*c))
        {
            self.i = end;
            true
        } else {
            false
        }
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut e = self.and()?;
        while self.eat("||") {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut e = self.unary()?;
        while self.eat("&&") {
            e = Expr::And(Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }
    fn unary(&mut self) -> Result<Expr, String> {
        self.ws();
        if self.s.get(self.i) == Some(&b'!') && self.s.get(self.i + 1) != Some(&b'=') {
            self.i += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let e = self.or()?;
            if !self.eat(")") {
                return Err("missing `)` in selector".into());
            }
            return Ok(e);
        }
        if self.keyword("all") {
            self.call_end()?;
            return Ok(Expr::All);
        }
        if self.keyword("global") {
            self.call_end()?;
            return Ok(Expr::Global);
        }
        if self.keyword("has") {
            if !self.eat("(") {
                return Err("expected `(` after has".into());
            }
            let k = self.ident()?;
            if !self.eat(")") {
                return Err("expected `)` after has(key".into());
            }
            return Ok(Expr::Has(k));
        }
        let k = self.ident()?;
        if self.eat("==") {
            return Ok(Expr::Eq(k, self.string()?));
        }
        if self.eat("!=") {
            return Ok(Expr::Ne(k, self.string()?));
        }
        if self.keyword("not") {
            if !self.keyword("in") {
                return Err("expected `in` after `not`".into());
            }
            return Ok(Expr::NotIn(k, self.set()?));
        }
        if self.keyword("in") {
            return Ok(Expr::In(k, self.set()?));
        }
        if self.keyword("contains") {
            return Ok(Expr::Contains(k, self.string()?));
        }
        if self.keyword("starts") {
            if !self.keyword("with") {
                return Err("expected `with` after `starts`".into());
            }
            return Ok(Expr::StartsWith(k, self.string()?));
        }
        if self.keyword("ends") {
            if !self.keyword("with") {
                return Err("expected `with` after `ends`".into());
            }
            return Ok(Expr::EndsWith(k, self.string()?));
        }
        Err(format!("expected an operator after label `{k}`"))
    }
    fn call_end(&mut self) -> Result<(), String> {
        if self.eat("(") && self.eat(")") {
            Ok(())
        } else {
            Err("expected `()`".into())
        }
    }
    fn ident(&mut self) -> Result<String, String> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len() && is_ident(self.s[self.i]) {
            self.i += 1;
        }
        if start == self.i {
            return Err(format!("expected a label name at offset {start}"));
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    fn string(&mut self) -> Result<String, String> {
        self.ws();
        let q = match self.s.get(self.i) {
            Some(&c @ (b'\'' | b'"')) => c,
            _ => return Err(format!("expected a quoted value at offset {}", self.i)),
        };
        self.i += 1;
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i] != q {
            self.i += 1;
        }
        if self.i == self.s.len() {
            return Err("unterminated string in selector".into());
        }
        let v = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
        self.i += 1;
        Ok(v)
    }
    fn set(&mut self) -> Result<Vec<String>, String> {
        if !self.eat("{") {
            return Err("expected `{` after `in`".into());
        }
        let mut out = Vec::new();
        if self.eat("}") {
            return Ok(out);
        }
        loop {
            out.push(self.string()?);
            if self.eat("}") {
                return Ok(out);
            }
            if !self.eat(",") {
                return Err("expected `,` or `}` in set".into());
            }
        }
    }
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn calico_expressions() {
        let l = labels(&[("app", "db"), ("tier", "backend"), ("env", "prod-eu")]);
        for (src, want) in [
            ("", true),
            ("all()", true),
            ("app == 'db'", true),
            ("app == \"web\"", false),
            ("app != 'web' && has(tier)", true),
            ("!has(tier)", false),
            ("tier in {'backend', 'x'}", true),
            ("tier not in {'backend'}", false),
            ("app == 'web' || (tier == 'backend' && !has(pci))", true),
            ("env starts with 'prod'", true),
            ("env ends with 'eu'", true),
            ("env contains 'd-e'", true),
            ("projectcalico.org/name == 'x'", false),
        ] {
            let e = Expr::parse(src).unwrap_or_else(|m| panic!("{src}: {m}"));
            assert_eq!(e.matches(&l), want, "{src}");
        }
        assert!(Expr::parse("app ==").is_err());
        assert!(Expr::parse("app == 'x' &&").is_err());
        assert!(Expr::parse("(app == 'x'").is_err());
    }
}
