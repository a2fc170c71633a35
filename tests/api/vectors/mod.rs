//! The conformance vectors for third-party clients (`docs/clients.md`, `docs/vectors/*.json`).
//!
//! Every vector is regenerated here from fixed inputs (fixed secret keys, ledger id, request
//! ids, nonces and times) with the crate's public API, and compared with the committed files
//! byte for byte, so the document cannot drift from the code. Run with
//! `SHANZHI_UPDATE_VECTORS=1` to rewrite the files after an intended change (and update
//! `docs/clients.md` to match).
//!
//! The test also checks the code against the document, not only against itself: every body is
//! encoded a second time by a small hand-written protobuf writer that follows the canonical
//! rules of the document, every signed message is built by hand from the documented
//! concatenation, every key id is derived by hand, every signature is checked with
//! `verify_strict`, and every transaction is applied to the real state machine.
//!
//! One file per concern: `fixture` (the fixed inputs and the transactions of the vector
//! ledger), `by_hand` (the documented constructions), `protobuf` (the hand-written protobuf
//! writer), `json` (the deterministic JSON writer), `proto_json` (messages in the proto3 JSON
//! mapping), and one module per file of `docs/vectors/`.

mod assistance;
mod benefits;
mod by_hand;
mod checkpoint;
mod children;
mod elderly;
mod fixture;
mod funeral;
mod governance;
mod json;
mod key_id;
mod non_canonical;
mod organizations;
mod payment_code;
mod places;
mod projects;
mod proto_json;
mod protobuf;
mod read_credential;
mod rescue;
mod shops;
mod transaction;

use std::path::{Path, PathBuf};

use shanzhi::ledger::{self, LedgerId};

use checkpoint::checkpoint_file;
use fixture::LEDGER_ID;
use key_id::key_id_file;
use non_canonical::non_canonical_file;
use payment_code::{payment_code, payment_code_file};
use read_credential::read_credential_file;

/// Everything the files are made of, with every cross-check already done.
struct Generated {
    files: Vec<(&'static str, String)>,
    /// The worked example's body, signed message and signature, in hex.
    worked_example: [String; 3],
}

fn generate() -> Generated {
    let ledger_id = LedgerId(LEDGER_ID);
    let code = payment_code();
    let ledger = transaction::ledger(&code);

    let payment_code_file = payment_code_file(&code, &ledger_id);
    let read_file = read_credential_file(&ledger.state, &ledger_id);
    let checkpoint_file = checkpoint_file(&ledger.entries, &ledger.frontier);
    let non_canonical = non_canonical_file(&code);

    Generated {
        files: vec![
            ("key_id.json", key_id_file()),
            ("transaction.json", ledger.file),
            ("payment_code.json", payment_code_file),
            ("read_credential.json", read_file),
            ("checkpoint.json", checkpoint_file),
            ("non_canonical.json", non_canonical),
        ],
        worked_example: ledger.worked_example,
    }
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/vectors")
}

#[test]
fn client_conformance_vectors_match_the_code_and_the_committed_files() {
    let generated = generate();
    let dir = vectors_dir();
    if std::env::var("SHANZHI_UPDATE_VECTORS").as_deref() == Ok("1") {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &generated.files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        eprintln!(
            "rewrote {} files in {}",
            generated.files.len(),
            dir.display()
        );
    }
    let mut stale: Vec<String> = generated
        .files
        .iter()
        .filter(|(name, text)| std::fs::read_to_string(dir.join(name)).ok().as_ref() != Some(text))
        .map(|(name, _)| (*name).to_owned())
        .collect();
    for entry in std::fs::read_dir(&dir).into_iter().flatten() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") && !generated.files.iter().any(|(n, _)| *n == name) {
            stale.push(format!("{name} (not generated any more)"));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/vectors: {stale:?} differ from what the code produces. If the change is intended, \
         rerun with SHANZHI_UPDATE_VECTORS=1 and update docs/clients.md to match."
    );

    // The document quotes the worked example and the limits; they must still be true.
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/clients.md"))
            .expect("docs/clients.md");
    for hex in &generated.worked_example {
        assert!(
            doc.contains(hex.as_str()),
            "docs/clients.md no longer shows the worked example's bytes {hex}"
        );
    }
    for (name, value) in [
        ("MAX_ENTITY_ID_LEN", ledger::MAX_ENTITY_ID_LEN as u64),
        ("MAX_RULE_CODE_LEN", ledger::MAX_RULE_CODE_LEN as u64),
        ("MAX_MEMO_LEN", ledger::MAX_MEMO_LEN as u64),
        ("MAX_NAME_CHARS", ledger::MAX_NAME_CHARS as u64),
        (
            "MAX_POINTS_PER_TRANSACTION",
            ledger::MAX_POINTS_PER_TRANSACTION,
        ),
        ("MAX_BODY_BYTES", ledger::MAX_BODY_BYTES as u64),
        ("MAX_RESIDENT_KEYS", ledger::MAX_RESIDENT_KEYS as u64),
        ("MAX_BACKED_POINTS", ledger::MAX_BACKED_POINTS),
    ] {
        let quoted = format!("`{name}` = {value}");
        assert!(doc.contains(&quoted), "docs/clients.md should say {quoted}");
    }
}
