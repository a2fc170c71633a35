//! The directory's identity key and the identity tags it makes. The log enforces "one person
//! per resident identity number" and "one organization per credit code" on replay, but must
//! never hold the numbers: it holds `HMAC-SHA256(identity key, number)` instead. Equal
//! numbers give equal tags; without the key, the small space of identity numbers cannot be
//! searched for a tag's number.
//!
//! The key is 32 random bytes in `<data>/directory/identity.key` (64 hex characters, mode
//! 0600), made when the directory is made. The directory's record store keeps a check value
//! of it, so a lost or replaced key file is refused at start-up instead of silently giving
//! every number a new tag (which would let a person be registered twice). It never enters
//! the log, and it goes into no backup: keep a copy of it with the log key (a restore of a
//! log that registers persons needs it, `shanzhi restore --identity-key`).

use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::identity::{CreditCode, ResidentId};
use crate::ledger::IdTag;
use crate::store::StoreError;

/// The key file's name in the directory.
pub const IDENTITY_KEY_FILE: &str = "identity.key";

/// The record store's key holding the check value.
const CHECK_KEY: &[u8] = b"identity-check";

/// The directory's identity key.
pub struct IdentityKey(Zeroizing<[u8; 32]>);

impl IdentityKey {
    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        // HMAC takes keys of any length.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.0.as_slice()) else {
            unreachable!("HMAC-SHA256 accepts a 32-byte key")
        };
        for part in parts {
            mac.update(part);
            mac.update(&[0]);
        }
        mac.finalize().into_bytes().into()
    }

    /// The tag of a resident identity number (normalized).
    pub fn resident_tag(&self, id: &ResidentId) -> IdTag {
        IdTag(self.mac(&[b"shanzhi/id-tag/v1", b"resident-id", id.as_str().as_bytes()]))
    }

    /// The tag of a unified social credit code (normalized).
    pub fn credit_tag(&self, code: &CreditCode) -> IdTag {
        IdTag(self.mac(&[
            b"shanzhi/id-tag/v1",
            b"credit-code",
            code.as_str().as_bytes(),
        ]))
    }

    /// The tag of the number in a person's or organization's details.
    pub fn details_tag(&self, details: &super::Details) -> Option<IdTag> {
        match details {
            super::Details::Person(person) => {
                ResidentId::parse(&person.id_number, crate::ledger::CivilDate::MAX)
                    .ok()
                    .map(|id| self.resident_tag(&id))
            }
            super::Details::Organization(organization) => {
                CreditCode::parse(&organization.credit_code)
                    .ok()
                    .map(|code| self.credit_tag(&code))
            }
        }
    }

    /// The near key of a person's record (`near.rs`).
    pub(super) fn near_key(&self, name: &str, person: &super::PersonDetails) -> [u8; 32] {
        self.mac(&[
            b"shanzhi/near-match/v1",
            &super::near::near_input(name, person),
        ])
    }

    fn check_value(&self) -> [u8; 32] {
        self.mac(&[b"shanzhi/identity-check/v1"])
    }

    /// Reads a key file (64 hex characters and a newline).
    pub fn read(path: &Path) -> Result<Self, StoreError> {
        #[cfg(unix)]
        if let Ok(metadata) = std::fs::metadata(path) {
            use std::os::unix::fs::PermissionsExt;
            let mode = metadata.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(
                    path = %path.display(),
                    mode = format!("{:o}", mode & 0o777),
                    "the identity key file is readable by others than its owner: whoever reads \
                     it can search every identity tag of the log for its number; chmod 600 it"
                );
            }
        }
        let text =
            Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
                StoreError::Corrupt(format!("{} cannot be read: {e}", path.display()))
            })?);
        let mut key = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), key.as_mut_slice()).map_err(|_| {
            StoreError::Corrupt(format!(
                "{}: expected 64 hex characters (the directory's identity key)",
                path.display()
            ))
        })?;
        Ok(Self(key))
    }

    /// Writes this key to a new file `path` (mode 0600), durably.
    fn write(&self, path: &Path) -> Result<(), StoreError> {
        let text = Zeroizing::new(format!("{}\n", hex::encode(self.0.as_slice())));
        crate::store::write_durably(path, text.as_bytes())
            .map_err(|e| StoreError::Io(format!("cannot write {}: {e}", path.display())))
    }

    /// The key of the directory at `dir`, whose record store holds `meta`: read from its file
    /// and checked against the stored check value; made (and its check value stored, synced
    /// by the caller) for a directory that never had one. A directory whose check value
    /// exists without the file, or with another key's, is refused.
    pub(super) fn load_or_create(dir: &Path, meta: &sled::Tree) -> Result<Self, StoreError> {
        let path = dir.join(IDENTITY_KEY_FILE);
        let io = |e: sled::Error| StoreError::Io(e.to_string());
        let stored = meta.get(CHECK_KEY).map_err(io)?;
        let key = if path.exists() {
            Self::read(&path)?
        } else if stored.is_some() {
            return Err(StoreError::Corrupt(format!(
                "{} is missing, but this directory's identity tags were made with it: restore \
                 it from where it was kept with the log key; a new key would give every \
                 identity number a new tag and let a person be registered twice",
                path.display()
            )));
        } else {
            let key = Self(Zeroizing::new(crate::crypto::random_bytes::<32>()));
            key.write(&path)?;
            key
        };
        match stored {
            Some(check) if check.as_ref() != key.check_value() => {
                return Err(StoreError::Corrupt(format!(
                    "{} is not the key this directory's identity tags were made with: restore \
                     the right one",
                    path.display()
                )));
            }
            Some(_) => {}
            None => {
                meta.insert(CHECK_KEY, &key.check_value()).map_err(io)?;
            }
        }
        Ok(key)
    }

    /// Installs the key file `from` (a copy kept of another directory's) as the identity key
    /// of the new directory `dir`, before the directory is first opened.
    pub(super) fn install(from: &Path, dir: &Path) -> Result<(), StoreError> {
        Self::read(from)?.write(&dir.join(IDENTITY_KEY_FILE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::CivilDate;

    #[test]
    fn tags_are_per_number_and_kind_and_the_key_is_checked_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().temporary(true).open().unwrap();
        let meta = db.open_tree("meta").unwrap();
        let key = IdentityKey::load_or_create(dir.path(), &meta).unwrap();
        let today = CivilDate::from_ymd(2026, 12, 1).unwrap();
        let a = ResidentId::parse("11010519491231002X", today).unwrap();
        let same = ResidentId::parse("11010519491231002x", today).unwrap();
        let b = ResidentId::parse("110101199003074477", today).unwrap();
        assert_eq!(key.resident_tag(&a), key.resident_tag(&same));
        assert_ne!(key.resident_tag(&a), key.resident_tag(&b));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(IDENTITY_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
        // Opened again: the same key, so the same tags.
        let again = IdentityKey::load_or_create(dir.path(), &meta).unwrap();
        assert_eq!(again.resident_tag(&a), key.resident_tag(&a));
        // Another key is refused, and so is none.
        let other = tempfile::tempdir().unwrap();
        let other_meta = db.open_tree("other").unwrap();
        IdentityKey::load_or_create(other.path(), &other_meta).unwrap();
        std::fs::copy(
            other.path().join(IDENTITY_KEY_FILE),
            dir.path().join(IDENTITY_KEY_FILE),
        )
        .unwrap();
        let why = IdentityKey::load_or_create(dir.path(), &meta)
            .err()
            .unwrap()
            .to_string();
        assert!(why.contains("not the key"), "{why}");
        std::fs::remove_file(dir.path().join(IDENTITY_KEY_FILE)).unwrap();
        let why = IdentityKey::load_or_create(dir.path(), &meta)
            .err()
            .unwrap()
            .to_string();
        assert!(why.contains("is missing"), "{why}");
        assert!(!dir.path().join(IDENTITY_KEY_FILE).exists());
    }
}
