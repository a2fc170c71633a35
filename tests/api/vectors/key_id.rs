//! key_id.json: the fixed keys, their key ids and their key files.

use ed25519_dalek::{SigningKey, VerifyingKey};
use shanzhi::crypto::{self, KeyFile};

use super::by_hand::{key_id_by_hand, key_id_preimage};
use super::fixture::{KEYS, secret, signer};
use super::json::{Json, Obj, to_text};

pub(super) fn key_id_file() -> String {
    let keys: Vec<Json> = KEYS
        .iter()
        .map(|(name, _)| {
            let signer = signer(name);
            let public_key = signer.public_key();
            let key_id = key_id_by_hand(&public_key);
            assert_eq!(key_id, signer.key_id().to_string());
            assert_eq!(
                key_id,
                crypto::key_id(
                    &VerifyingKey::from_bytes(&public_key.clone().try_into().unwrap()).unwrap()
                )
                .to_string()
            );
            assert_eq!(
                public_key,
                SigningKey::from_bytes(&secret(name))
                    .verifying_key()
                    .to_bytes()
            );
            let text = signer.key_file().to_text();
            assert_eq!(
                text,
                format!(
                    "# shanzhi signing key. Keep it secret: anyone holding this file can sign as \
                     this key.\nkey-id: {key_id}\npublic-key: {}\nsecret-key: {}\n",
                    hex::encode(&public_key),
                    hex::encode(secret(name))
                )
            );
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("k.key");
            std::fs::write(&path, &text).unwrap();
            assert_eq!(KeyFile::read(&path).unwrap().key_id().to_string(), key_id);
            Obj::new()
                .put("name", *name)
                .hex("secret_key_hex", &secret(name))
                .hex("public_key_hex", &public_key)
                .hex("key_id_preimage_hex", &key_id_preimage(&public_key))
                .put("key_id", key_id)
                .put("key_file", text)
                .into()
        })
        .collect();
    to_text(
        Obj::new()
            .put(
                "description",
                "The fixed keys of every vector. secret_key_hex is the 32-byte Ed25519 secret \
                 key (the RFC 8032 seed). key_id is the first 16 bytes of \
                 SHA-256(key_id_preimage), where the preimage is \"shanzhi/key-id/v1\" || 0x00 \
                 || public key, written as 32 lower-case hex characters. key_file is the text of \
                 the key file `shanzhi keygen` would write for this key.",
            )
            .put("keys", keys),
    )
}
