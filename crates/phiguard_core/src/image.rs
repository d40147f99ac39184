//! Container image references.

/// A parsed container image reference: `[host[:port]/]repository[:tag][@digest]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// The registry host (with port) when the reference names one explicitly.
    pub host: Option<&'a str>,
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    /// The digest after `@`, e.g. `sha256:…`.
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Parses a reference; `None` for an empty one. A first path component is a registry host when it contains
    /// `.` or `:` or is `localhost` (Docker's rule), so `localhost:5000/app` has no tag.
    pub fn parse(image: &'a str) -> Option<ImageRef<'a>> {
        let image = image.trim();
        if image.is_empty() {
            return None;
        }
        let (name, digest) = match image.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (image, None),
        };
        let (name, tag) = match name.rsplit_once(':') {
            Some((n, t)) if !t.contains('/') => (n, Some(t)),
            _ => (name, None),
        };
        let (host, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first), rest)
            }
            _ => (None, name),
        };
        Some(ImageRef {
            host,
            repository,
            tag: tag.filter(|t| !t.is_empty()),
            digest: digest.filter(|d| !d.is_empty()),
        })
    }

    /// Whether the reference is pinned by a well-formed content digest (`sha256:` + 64 hex digits, or
    /// `sha512:` + 128).
    pub fn pinned(&self) -> bool {
        let Some(d) = self.digest else { return false };
        let (algo, hex) = d.split_once(':').unwrap_or((d, ""));
        let len = match algo {
            "sha256" => 64,
            "sha512" => 128,
            _ => return false,
        };
        hex.len() == len && hex.bytes().all(|b| b.is_ascii_hexdigit())
    }

    /// The fully qualified, lower-cased reference: the Docker Hub host (`docker.io`) and `library/` are filled in,
    /// `index.docker.io` is read as `docker.io`; tag and digest are kept.
    pub fn normalized(&self) -> String {
        let host = match self.host.map(str::to_ascii_lowercase) {
            None => "docker.io".to_string(),
            Some(h) if h == "index.docker.io" || h == "registry-1.docker.io" => {
                "docker.io".to_string()
            }
            Some(h) => h,
        };
        let mut s = host.clone();
        s.push('/');
        if host == "docker.io" && !self.repository.contains('/') {
            s.push_str("library/");
        }
        s.push_str(&self.repository.to_ascii_lowercase());
        if let Some(t) = self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// The last path component of the repository, lower-cased: `hapi` for `docker.io/hapiproject/hapi:v7`.
    pub fn name(&self) -> String {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(self.repository)
            .to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_is_the_last_repository_component() {
        let name = |s: &str| ImageRef::parse(s).map(|r| r.name());
        assert_eq!(name("hapiproject/hapi:v7.4.0").as_deref(), Some("hapi"));
        assert_eq!(name("localhost:5000/Orthanc").as_deref(), Some("orthanc"));
        assert_eq!(
            name("registry.example.com/mirror/bitnami/postgresql@sha256:abc").as_deref(),
            Some("postgresql")
        );
        assert_eq!(name("  "), None);
    }
}
