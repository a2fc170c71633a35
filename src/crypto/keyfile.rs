//! Key files: a secret Ed25519 key as text, written with mode 0600.
//!
//! ```text
//! # shanzhi signing key. Keep it secret: anyone holding this file can sign as this key.
//! key-id: 5f0c...
//! public-key: 9a1b...
//! secret-key: 3c4d...
//! ```

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;

use super::{KeyId, key_id};

/// A signing key loaded from or written to a key file.
#[derive(Clone)]
pub struct KeyFile {
    /// The secret key.
    pub signing_key: SigningKey,
}

/// Why a key file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file could not be read.
    #[error("cannot read key file {path}")]
    Read {
        /// The key file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file could not be written (or already exists).
    #[error("cannot write key file {path}")]
    Write {
        /// The key file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a key file, or its parts disagree.
    #[error("key file {path} is malformed: {reason}")]
    Malformed {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl KeyFile {
    /// Wraps a signing key.
    pub fn new(signing_key: SigningKey) -> Self {
        Self { signing_key }
    }

    /// The key's id.
    pub fn key_id(&self) -> KeyId {
        key_id(&self.signing_key.verifying_key())
    }

    /// The key file's text.
    pub fn to_text(&self) -> String {
        format!(
            "# shanzhi signing key. Keep it secret: anyone holding this file can sign as this key.\n\
             key-id: {}\npublic-key: {}\nsecret-key: {}\n",
            self.key_id(),
            hex::encode(self.signing_key.verifying_key().as_bytes()),
            hex::encode(self.signing_key.to_bytes()),
        )
    }

    /// Writes the key file with mode 0600, refusing to overwrite an existing file.
    pub fn write_new(&self, path: &Path) -> Result<(), KeyFileError> {
        let write_err = |source| KeyFileError::Write {
            path: path.to_owned(),
            source,
        };
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(write_err)?;
        file.write_all(self.to_text().as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(write_err)
    }

    /// Reads a key file and checks that its public key and key id match the secret key.
    pub fn read(path: &Path) -> Result<Self, KeyFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyFileError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|reason| KeyFileError::Malformed {
            path: path.to_owned(),
            reason,
        })
    }

    fn parse(text: &str) -> Result<Self, String> {
        let field = |name: &str| {
            text.lines()
                .filter_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
                .map(str::trim)
                .next()
                .ok_or_else(|| format!("missing line \"{name}: ...\""))
        };
        let secret = hex::decode(field("secret-key")?)
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or("secret-key: expected 64 hex characters")?;
        let key = Self::new(SigningKey::from_bytes(&secret));
        if let Ok(public) = field("public-key")
            && public != hex::encode(key.signing_key.verifying_key().as_bytes())
        {
            return Err("public-key does not match secret-key".into());
        }
        if let Ok(id) = field("key-id")
            && id != key.key_id().to_string()
        {
            return Err("key-id does not match secret-key".into());
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_round_trips_with_mode_0600_and_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        let key = KeyFile::new(crate::crypto::generate_signing_key());
        key.write_new(&path).unwrap();
        let read = KeyFile::read(&path).unwrap();
        assert_eq!(read.key_id(), key.key_id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(key.write_new(&path).is_err());
    }

    #[test]
    fn key_file_with_mismatched_public_key_is_refused() {
        let key = KeyFile::new(crate::crypto::generate_signing_key());
        let other = KeyFile::new(crate::crypto::generate_signing_key());
        let text = key.to_text().replace(
            &hex::encode(key.signing_key.verifying_key().as_bytes()),
            &hex::encode(other.signing_key.verifying_key().as_bytes()),
        );
        assert!(KeyFile::parse(&text).is_err());
    }
}
