//! The two identifiers signatures depend on: the ledger id every signature covers, and the key
//! id derived from a public key. Their parsing from requests (with the ledger's refusals) is
//! in [`crate::ledger`].

/// A 16-byte id shown as 32 lower-case hex characters.
macro_rules! id16 {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; 16]);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&hex::encode(self.0))
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self)
            }
        }
    };
}

pub(crate) use id16;

id16!(
    /// Names one deployment; covered by every signature.
    LedgerId
);
id16!(
    /// Derived from a public key (see [`key_id`](super::key_id)); never chosen.
    KeyId
);
