//! TLS: the certificate and key are read from files and swapped in place when the files change.
//!
//! New handshakes use the new certificate; connections already established keep theirs and are not dropped.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use crate::ServerError;

/// The current certificate and the files it came from.
#[derive(Debug)]
pub struct CertStore {
    cert_path: PathBuf,
    key_path: PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
    /// The bytes of the files last loaded, to notice changes.
    loaded: Mutex<(Vec<u8>, Vec<u8>)>,
    provider: Arc<CryptoProvider>,
}

fn read(path: &Path) -> Result<Vec<u8>, ServerError> {
    std::fs::read(path).map_err(|e| ServerError::Tls(format!("{}: {e}", path.display())))
}

fn certified_key(
    cert_path: &Path,
    cert_pem: &[u8],
    key_path: &Path,
    key_pem: &[u8],
    provider: &CryptoProvider,
) -> Result<CertifiedKey, ServerError> {
    let certs = rustls_pemfile::certs(&mut &cert_pem[..])
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ServerError::Tls(format!("{}: {e}", cert_path.display())))?;
    if certs.is_empty() {
        return Err(ServerError::Tls(format!(
            "{}: no PEM certificate found",
            cert_path.display()
        )));
    }
    let key = rustls_pemfile::private_key(&mut &key_pem[..])
        .map_err(|e| ServerError::Tls(format!("{}: {e}", key_path.display())))?
        .ok_or_else(|| {
            ServerError::Tls(format!("{}: no PEM private key found", key_path.display()))
        })?;
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| ServerError::Tls(format!("{}: {e}", key_path.display())))?;
    let ck = CertifiedKey::new(certs, signing);
    ck.keys_match().map_err(|e| {
        ServerError::Tls(format!(
            "{} does not match {}: {e}",
            key_path.display(),
            cert_path.display()
        ))
    })?;
    Ok(ck)
}

impl CertStore {
    /// Loads the certificate chain and key; both must be PEM and must match.
    pub fn load(cert_path: &Path, key_path: &Path) -> Result<Arc<CertStore>, ServerError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let cert = read(cert_path)?;
        let key = read(key_path)?;
        let ck = certified_key(cert_path, &cert, key_path, &key, &provider)?;
        Ok(Arc::new(CertStore {
            cert_path: cert_path.to_path_buf(),
            key_path: key_path.to_path_buf(),
            current: RwLock::new(Arc::new(ck)),
            loaded: Mutex::new((cert, key)),
            provider,
        }))
    }

    /// Reloads when either file's content changed. `Ok(true)` when a new certificate is in use; on error the
    /// previous certificate stays in use (for instance while a rotation has written one file but not the other).
    pub fn reload_if_changed(&self) -> Result<bool, ServerError> {
        let cert = read(&self.cert_path)?;
        let key = read(&self.key_path)?;
        {
            let loaded = self
                .loaded
                .lock()
                .map_err(|_| ServerError::Tls("certificate state poisoned".into()))?;
            if loaded.0 == cert && loaded.1 == key {
                return Ok(false);
            }
        }
        let ck = certified_key(&self.cert_path, &cert, &self.key_path, &key, &self.provider)?;
        if let Ok(mut cur) = self.current.write() {
            *cur = Arc::new(ck);
        }
        if let Ok(mut loaded) = self.loaded.lock() {
            *loaded = (cert, key);
        }
        Ok(true)
    }

    /// A rustls server configuration (TLS 1.2 and 1.3, HTTP/2 and HTTP/1.1) that serves this store's certificate.
    pub fn server_config(self: &Arc<Self>) -> Result<rustls::ServerConfig, ServerError> {
        let mut cfg = rustls::ServerConfig::builder_with_provider(self.provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| ServerError::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(cfg)
    }
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|c| Arc::clone(&c))
    }
}
