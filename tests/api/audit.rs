//! The verifiable log through the real server: checkpoints, proofs, receipts, key sets, and
//! the auditor's verifier catching a server that lies.

use shanzhi::client::{ServerSource, Signer};
use shanzhi::crypto::KeyFile;
use shanzhi::genesis;
use shanzhi::log::checkpoint::Checkpoint;
use shanzhi::log::merkle::{self, Hash};
use shanzhi::pb::audit as audit_pb;
use shanzhi::pb::points as pb;
use shanzhi::pb::points::transaction_body::Operation;
use shanzhi::verifier::{AuditSource, VerifyError, verify, verify_receipt};
use tonic::Code;

use crate::helpers::*;

/// A ledger with a village, a household, a shop, some points moved, and an auditor key.
async fn busy_ledger() -> (TestApp, Signer) {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    let home = app.household(&village, "h1").await;
    let shop_fixture = app.shop("s1").await;
    app.allocate("v1", 1000).await.unwrap();
    for points in [5, 8, 13] {
        app.issue(&village.officer, "v1", "h1", points)
            .await
            .unwrap();
    }
    app.redeem(&shop_fixture, &home, 6).await.unwrap();
    let auditor = Signer::generate();
    app.client
        .submit(&app.admin, register_key(&auditor, pb::Role::Auditor, ""))
        .await
        .unwrap();
    (app, auditor)
}

fn hashes(proof: &[Vec<u8>]) -> Vec<Hash> {
    proof
        .iter()
        .map(|h| h.as_slice().try_into().unwrap())
        .collect()
}

#[tokio::test]
async fn every_entry_is_provably_in_the_signed_tree_and_trees_are_consistent() {
    let (mut app, auditor) = busy_ledger().await;
    let key = log_key(&mut app).await;
    // A snapshot makes sure a checkpoint covers every entry so far.
    let first = app
        .client
        .state_snapshot(&auditor)
        .await
        .unwrap()
        .checkpoint
        .unwrap();
    let first = Checkpoint::verify(&first.note, &key, first.note.lines().next().unwrap()).unwrap();
    assert_eq!(first.size, app.log_size().await);

    let entries = app
        .client
        .log_entries(&auditor, 0, first.size)
        .await
        .unwrap();
    assert_eq!(entries.len() as u64, first.size);
    for (index, entry) in entries.iter().enumerate() {
        let index = index as u64;
        let proof = app
            .client
            .audit
            .get_inclusion_proof(audit_pb::GetInclusionProofRequest {
                leaf: Some(audit_pb::get_inclusion_proof_request::Leaf::LeafIndex(
                    index,
                )),
                tree_size: first.size,
            })
            .await
            .unwrap()
            .into_inner();
        let leaf = merkle::leaf_hash(entry);
        assert!(merkle::verify_inclusion(
            index,
            first.size,
            &leaf,
            &hashes(&proof.hashes),
            &first.root
        ));
        // The same proof by leaf hash.
        let by_hash = app
            .client
            .audit
            .get_inclusion_proof(audit_pb::GetInclusionProofRequest {
                leaf: Some(audit_pb::get_inclusion_proof_request::Leaf::LeafHash(
                    leaf.to_vec(),
                )),
                tree_size: first.size,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(by_hash, proof);
    }

    // More entries, a newer checkpoint, and a proof that the old tree is its prefix.
    app.program("p1").await;
    let second = app
        .client
        .state_snapshot(&auditor)
        .await
        .unwrap()
        .checkpoint
        .unwrap();
    let second = Checkpoint::verify(&second.note, &key, &first.origin).unwrap();
    assert!(second.size > first.size);
    let proof = app
        .client
        .consistency_proof(first.size, second.size)
        .await
        .unwrap();
    assert!(merkle::verify_consistency(
        first.size,
        second.size,
        &first.root,
        &second.root,
        &hashes(&proof)
    ));
}

#[tokio::test]
async fn sizes_that_were_never_signed_are_failed_preconditions() {
    let (mut app, auditor) = busy_ledger().await;
    let signed = app
        .client
        .state_snapshot(&auditor)
        .await
        .unwrap()
        .checkpoint
        .unwrap();
    let unsigned = signed.tree_size + 5;
    assert_refused(
        app.client
            .audit
            .get_checkpoint(audit_pb::GetCheckpointRequest {
                tree_size: unsigned,
            })
            .await,
        Code::FailedPrecondition,
        "was never signed",
    );
    assert_refused(
        app.client
            .consistency_proof(signed.tree_size, unsigned)
            .await,
        Code::FailedPrecondition,
        "was never signed",
    );
    assert_refused(
        app.client.key_set(&auditor, unsigned).await,
        Code::FailedPrecondition,
        "was never signed",
    );
    // Past the latest signed size: a later checkpoint may cover it.
    assert_refused(
        app.client.log_entries(&auditor, 0, unsigned).await,
        Code::FailedPrecondition,
        "the latest signed size",
    );
    // A request that contradicts itself can never succeed.
    assert_refused(
        app.client.log_entries(&auditor, 3, 2).await,
        Code::InvalidArgument,
        "expected start <= end",
    );
    let latest = app
        .client
        .audit
        .get_checkpoint(audit_pb::GetCheckpointRequest { tree_size: 0 })
        .await
        .unwrap()
        .into_inner()
        .tree_size;
    assert_refused(
        app.client
            .audit
            .get_inclusion_proof(audit_pb::GetInclusionProofRequest {
                tree_size: latest,
                leaf: Some(audit_pb::get_inclusion_proof_request::Leaf::LeafIndex(
                    latest,
                )),
            })
            .await,
        Code::InvalidArgument,
        "expected leaf_index < tree_size",
    );
    // Asked of the latest size instead, the same entry is simply not covered yet.
    assert_reason(
        app.client
            .audit
            .get_inclusion_proof(audit_pb::GetInclusionProofRequest {
                tree_size: 0,
                leaf: Some(audit_pb::get_inclusion_proof_request::Leaf::LeafIndex(
                    latest,
                )),
            })
            .await,
        Code::FailedPrecondition,
        "LEAF_PAST_LATEST_SIGNED",
    );
    // Size 1 (genesis) is signed at start: a proof from a larger size to it is backwards.
    assert!(latest > 1);
    assert_reason(
        app.client.consistency_proof(latest, 1).await,
        Code::InvalidArgument,
        "CONSISTENCY_ORDER",
    );
    // Whole-log reads are for auditors and the bureau only.
    let village = app.village("v9").await;
    assert_refused(
        app.client.log_entries(&village.officer, 0, 1).await,
        Code::PermissionDenied,
        "a bureau admin or auditor key",
    );
    assert_refused(
        app.client.state_snapshot(&village.officer).await,
        Code::PermissionDenied,
        "a bureau admin or auditor key",
    );
}

#[tokio::test]
async fn the_key_set_at_a_signed_size_is_the_one_in_force_then() {
    let (mut app, auditor) = busy_ledger().await;
    let before = app
        .client
        .state_snapshot(&auditor)
        .await
        .unwrap()
        .checkpoint
        .unwrap();
    app.client
        .submit(
            &app.admin,
            pb::transaction_body::Operation::RevokeKey(pb::RevokeKey {
                key_id: auditor.key_id().to_string(),
                reason: "rotated".into(),
            }),
        )
        .await
        .unwrap();
    let admin_view = app
        .client
        .state_snapshot(&app.admin)
        .await
        .unwrap()
        .checkpoint
        .unwrap();
    let admin = app.admin.clone();
    let old = app.client.key_set(&admin, before.tree_size).await.unwrap();
    let new = app
        .client
        .key_set(&admin, admin_view.tree_size)
        .await
        .unwrap();
    let has_auditor =
        |set: &[audit_pb::Key]| set.iter().any(|k| k.key_id == auditor.key_id().to_string());
    assert!(has_auditor(&old));
    assert!(!has_auditor(&new));
    let admin = old.iter().find(|k| k.registered_at == 0).unwrap();
    assert_eq!(admin.role, pb::Role::BureauAdmin as i32);
}

#[tokio::test]
async fn a_saved_receipt_checks_out_offline_and_a_doctored_one_does_not() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    app.household(&village, "h1").await;
    app.allocate("v1", 100).await.unwrap();
    let issued = app.issue(&village.officer, "v1", "h1", 7).await.unwrap();
    let key = log_key(&mut app).await;

    let receipt = app
        .client
        .transaction_receipt(&village.officer, issued.request_id.clone())
        .await
        .unwrap();
    let report = verify_receipt(&receipt, &key).unwrap();
    assert_eq!(report.sequence, issued.sequence);
    assert_eq!(report.signer, village.officer.key_id().to_string());

    let mut doctored = receipt.clone();
    let last = doctored.log_entry.len() - 1;
    doctored.log_entry[last] ^= 1;
    assert!(verify_receipt(&doctored, &key).is_err());
    let stranger = Signer::generate().key_file().signing_key.verifying_key();
    assert!(verify_receipt(&receipt, &stranger).is_err());
}

/// The real server as the source, with one lie added.
struct Lying<'a> {
    honest: ServerSource<'a>,
    lie: Lie,
}

#[derive(Clone)]
enum Lie {
    None,
    FlipByte(usize),
    Remove(usize),
    Swap(usize),
    OtherKey(Box<ed25519_dalek::SigningKey>),
    Balance,
    DuplicateAccount,
    /// Entry `.0` dated before its predecessor, under a checkpoint re-signed with the log key
    /// (a server holds that key, so it could do this).
    Backdate(usize, Box<ed25519_dalek::SigningKey>),
}

fn backdate(entries: &mut [Vec<u8>], index: usize) {
    use prost::Message;
    let previous = pb::LogEntry::decode(entries[index - 1].as_slice()).unwrap();
    let mut entry = pb::LogEntry::decode(entries[index].as_slice()).unwrap();
    entry.committed_at_unix_ms = previous.committed_at_unix_ms - 60_000;
    entries[index] = entry.encode_to_vec();
}

impl AuditSource for Lying<'_> {
    async fn snapshot(&mut self) -> Result<audit_pb::StateSnapshot, String> {
        let mut snapshot = self.honest.snapshot().await?;
        match &self.lie {
            Lie::OtherKey(key) => {
                let checkpoint = snapshot.checkpoint.as_mut().unwrap();
                let origin = checkpoint.note.lines().next().unwrap().to_owned();
                checkpoint.note = Checkpoint {
                    origin,
                    size: checkpoint.tree_size,
                    root: checkpoint.root_hash.as_slice().try_into().unwrap(),
                }
                .sign(key);
            }
            Lie::Balance => snapshot.accounts[1].balance += 1,
            Lie::DuplicateAccount => {
                // The true value last, a false one first: a map would keep only the last.
                let mut forged = snapshot.accounts[1].clone();
                forged.balance += 1;
                snapshot.accounts.insert(1, forged);
            }
            Lie::Backdate(index, key) => {
                let checkpoint = snapshot.checkpoint.as_mut().unwrap();
                let mut entries = self.honest.entries(0, checkpoint.tree_size).await?;
                backdate(&mut entries, *index);
                let mut frontier = merkle::Frontier::new();
                for entry in &entries {
                    frontier.append(entry);
                }
                let origin = checkpoint.note.lines().next().unwrap().to_owned();
                checkpoint.note = Checkpoint {
                    origin,
                    size: checkpoint.tree_size,
                    root: frontier.root(),
                }
                .sign(key);
            }
            _ => {}
        }
        Ok(snapshot)
    }

    async fn consistency_proof(&mut self, first: u64, second: u64) -> Result<Vec<Hash>, String> {
        self.honest.consistency_proof(first, second).await
    }

    async fn entries(&mut self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, String> {
        let mut entries = self.honest.entries(start, end).await?;
        match &self.lie {
            Lie::FlipByte(i) => {
                let middle = entries[*i].len() / 2;
                entries[*i][middle] ^= 0x01;
            }
            Lie::Remove(i) => {
                entries.remove(*i);
            }
            Lie::Swap(i) => entries.swap(*i, i + 1),
            Lie::Backdate(i, _) => backdate(&mut entries, *i),
            _ => {}
        }
        Ok(entries)
    }
}

async fn verify_with(
    app: &mut TestApp,
    auditor: &Signer,
    lie: Lie,
    previous: Option<&str>,
) -> Result<String, VerifyError> {
    let key = log_key(app).await;
    let mut source = Lying {
        honest: ServerSource {
            client: &mut app.client,
            signer: auditor,
        },
        lie,
    };
    verify(&mut source, &key, previous)
        .await
        .map(|r| r.checkpoint_note)
}

#[tokio::test]
async fn the_verifier_accepts_an_honest_server_twice() {
    let (mut app, auditor) = busy_ledger().await;
    let first = verify_with(&mut app, &auditor, Lie::None, None)
        .await
        .unwrap();
    app.village("v2").await;
    let second = verify_with(&mut app, &auditor, Lie::None, Some(&first))
        .await
        .unwrap();
    assert_ne!(first, second);
}

#[tokio::test]
async fn the_verifier_catches_a_flipped_byte_in_a_stored_entry() {
    let (mut app, auditor) = busy_ledger().await;
    let error = verify_with(&mut app, &auditor, Lie::FlipByte(4), None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            VerifyError::Replay { sequence: 4, .. } | VerifyError::RootMismatch { .. }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn the_verifier_catches_a_removed_entry() {
    let (mut app, auditor) = busy_ledger().await;
    let error = verify_with(&mut app, &auditor, Lie::Remove(3), None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, VerifyError::WrongEntryCount { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn the_verifier_catches_a_reordered_pair() {
    let (mut app, auditor) = busy_ledger().await;
    let error = verify_with(&mut app, &auditor, Lie::Swap(5), None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, VerifyError::Replay { sequence: 5, .. }),
        "{error}"
    );
}

#[tokio::test]
async fn the_verifier_catches_a_checkpoint_signed_by_another_key() {
    let (mut app, auditor) = busy_ledger().await;
    let other = shanzhi::crypto::generate_signing_key();
    let error = verify_with(&mut app, &auditor, Lie::OtherKey(Box::new(other)), None)
        .await
        .unwrap_err();
    assert!(matches!(error, VerifyError::Checkpoint(_)), "{error}");
}

#[tokio::test]
async fn the_verifier_catches_a_forked_checkpoint() {
    let (mut app, auditor) = busy_ledger().await;
    let honest = verify_with(&mut app, &auditor, Lie::None, None)
        .await
        .unwrap();
    // A checkpoint the log key signed for another history of the same size: what an
    // auditor holds after a server showed it a different view.
    let log_key = KeyFile::read(&genesis::log_key_path(app.data.path()))
        .unwrap()
        .signing_key;
    let real = Checkpoint::verify(
        &honest,
        &log_key.verifying_key(),
        honest.lines().next().unwrap(),
    )
    .unwrap();
    let fork = Checkpoint {
        root: merkle::leaf_hash(b"another history"),
        ..real.clone()
    }
    .sign(&log_key);
    app.village("v2").await;
    let error = verify_with(&mut app, &auditor, Lie::None, Some(&fork))
        .await
        .unwrap_err();
    assert!(matches!(error, VerifyError::Inconsistent { .. }), "{error}");
}

#[tokio::test]
async fn the_verifier_catches_a_balance_the_log_does_not_support() {
    let (mut app, auditor) = busy_ledger().await;
    let error = verify_with(&mut app, &auditor, Lie::Balance, None)
        .await
        .unwrap_err();
    assert!(matches!(error, VerifyError::Balance { .. }), "{error}");
}

#[tokio::test]
async fn the_verifier_catches_an_account_reported_twice() {
    let (mut app, auditor) = busy_ledger().await;
    let error = verify_with(&mut app, &auditor, Lie::DuplicateAccount, None)
        .await
        .unwrap_err();
    assert!(matches!(error, VerifyError::Balance { .. }), "{error}");
}

#[tokio::test]
async fn the_verifier_catches_a_backdated_entry_even_under_a_checkpoint_signed_for_it() {
    let (mut app, auditor) = busy_ledger().await;
    let log_key = KeyFile::read(&genesis::log_key_path(app.data.path()))
        .unwrap()
        .signing_key;
    let error = verify_with(
        &mut app,
        &auditor,
        Lie::Backdate(6, Box::new(log_key)),
        None,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, VerifyError::Replay { sequence: 6, .. })
            && error.to_string().contains("before the previous entry's"),
        "{error}"
    );
}

#[tokio::test]
async fn the_key_set_is_paged_and_only_for_auditors_and_the_bureau() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    let mut registered = vec![
        app.admin.key_id().to_string(),
        village.officer.key_id().to_string(),
    ];
    for _ in 0..230 {
        let key = Signer::generate();
        app.submit(
            &app.admin.clone(),
            register_key(&key, pb::Role::Auditor, ""),
        )
        .await
        .unwrap();
        registered.push(key.key_id().to_string());
    }
    let admin = app.admin.clone();
    // A snapshot makes sure a checkpoint covers every key.
    let size = covering_size(&mut app).await;
    // Pages of 100 by default, in registration order, none missing or repeated.
    let mut first = app.client.audit.get_key_set(admin.read_request(
        &app.client.ledger_id,
        shanzhi::api::auth::methods::GET_KEY_SET,
        audit_pb::GetKeySetRequest {
            tree_size: size,
            ..Default::default()
        },
    ));
    let page = first.await.unwrap().into_inner();
    assert_eq!(page.keys.len(), 100);
    assert!(!page.next_page_token.is_empty());
    let all = app.client.key_set(&admin, size).await.unwrap();
    let ids: Vec<_> = all.iter().map(|k| k.key_id.clone()).collect();
    assert_eq!(ids, registered);

    // Without a credential, or with a village officer's, it is refused.
    assert_refused(
        app.client
            .audit
            .get_key_set(audit_pb::GetKeySetRequest::default())
            .await,
        Code::Unauthenticated,
        "x-shanzhi-key-id",
    );
    assert_refused(
        app.client.key_set(&village.officer, 0).await,
        Code::PermissionDenied,
        "a bureau admin or auditor key",
    );
    first = app.client.audit.get_key_set(admin.read_request(
        &app.client.ledger_id,
        shanzhi::api::auth::methods::GET_KEY_SET,
        audit_pb::GetKeySetRequest {
            page_size: 501,
            ..Default::default()
        },
    ));
    assert_refused(first.await, Code::InvalidArgument, "page_size");
}

#[tokio::test]
async fn the_largest_admissible_entries_read_back_and_verify_end_to_end() {
    let mut app = TestApp::spawn().await;
    let admin = app.admin.clone();
    let village_id = "v".repeat(64);
    let household_id = "h".repeat(64);
    let officer = Signer::generate();
    // 280 bytes of four-byte characters: the longest memo and label.
    let long_text = "𝄞".repeat(70);
    for operation in [
        register_issuer(&village_id, pb::IssuerKind::Village),
        Operation::RegisterKey(pb::RegisterKey {
            public_key: officer.public_key(),
            role: pb::Role::VillageOfficer.into(),
            scope: village_id.clone(),
            label: long_text.clone(),
        }),
        Operation::AllocateBudget(pb::AllocateBudget {
            issuer_id: village_id.clone(),
            points: shanzhi::ledger::MAX_POINTS_PER_TRANSACTION,
            memo: long_text.clone(),
        }),
    ] {
        app.submit(&admin, operation).await.unwrap();
    }
    // A household with the most resident keys and the longest ids.
    let residents = (0..shanzhi::ledger::MAX_RESIDENT_KEYS)
        .map(|_| Signer::generate().public_key())
        .collect();
    let household = app
        .submit(
            &officer,
            Operation::RegisterHousehold(pb::RegisterHousehold {
                household_id: household_id.clone(),
                village_id: village_id.clone(),
                resident_public_keys: residents,
            }),
        )
        .await
        .unwrap();
    let issued = app
        .submit(
            &officer,
            Operation::IssuePoints(pb::IssuePoints {
                issuer_id: village_id.clone(),
                household_id: household_id.clone(),
                rule_code: "R".repeat(32),
                points: shanzhi::ledger::MAX_POINTS_PER_TRANSACTION,
                memo: long_text.clone(),
            }),
        )
        .await
        .unwrap();

    // Each reads back through every path that returns an entry: the entry itself, its
    // receipt with proof, the key set, and the whole log through `verify`.
    for receipt in [&household, &issued] {
        let entry = app.client.entry(&admin, receipt.sequence).await.unwrap();
        assert_eq!(entry.receipt.unwrap().sequence, receipt.sequence);
        let saved = app
            .client
            .transaction_receipt(&officer, receipt.request_id.clone())
            .await
            .unwrap();
        let key = log_key(&mut app).await;
        verify_receipt(&saved, &key).unwrap();
    }
    let size = covering_size(&mut app).await;
    let keys = app.client.key_set(&admin, size).await.unwrap();
    assert_eq!(keys.len(), 2 + shanzhi::ledger::MAX_RESIDENT_KEYS);
    let key = log_key(&mut app).await;
    let mut source = ServerSource {
        client: &mut app.client,
        signer: &admin,
    };
    let report = verify(&mut source, &key, None).await.unwrap();
    assert_eq!(report.size, 6);
}

#[tokio::test]
async fn a_reader_who_may_not_see_an_entry_cannot_make_the_writer_sign_a_checkpoint() {
    use shanzhi::client::LedgerClient;
    use shanzhi::config::ServerConfig;
    use shanzhi::ledger::LedgerParameters;
    // Checkpoints only when asked (or every 1000 entries), so any new one was forced.
    let data = tempfile::tempdir().unwrap();
    let report = genesis::init(data.path(), LedgerParameters::default()).unwrap();
    let admin = Signer::new(KeyFile::read(&report.admin_key_path).unwrap());
    let mut config = ServerConfig::new(data.path().to_owned());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.checkpoint_interval = std::time::Duration::from_secs(3600);
    let server = shanzhi::server::start(config).await.unwrap();
    let mut client = LedgerClient::connect(&format!("http://{}", server.local_addr))
        .await
        .unwrap();
    let officer = village_with_household(&mut client, &admin).await;
    let issued = client.submit(&officer, issue("v1", "h1", 5)).await.unwrap();
    let other_village = Signer::generate();
    client
        .submit(&admin, register_issuer("v2", pb::IssuerKind::Village))
        .await
        .unwrap();
    client
        .submit(
            &admin,
            register_key(&other_village, pb::Role::VillageOfficer, "v2"),
        )
        .await
        .unwrap();
    let latest = |mut client: LedgerClient| async move {
        client
            .audit
            .get_checkpoint(audit_pb::GetCheckpointRequest { tree_size: 0 })
            .await
            .unwrap()
            .into_inner()
            .tree_size
    };
    let before = latest(client.clone()).await;
    assert!(
        before < issued.sequence + 1,
        "a checkpoint already covers the entry"
    );

    let refused = client
        .transaction_receipt(&other_village, issued.request_id.clone())
        .await;
    assert_reason(refused, Code::PermissionDenied, "OUT_OF_SCOPE");
    assert_eq!(
        latest(client.clone()).await,
        before,
        "a checkpoint was forced"
    );

    // The officer who may read the entry gets its receipt, under a checkpoint signed for it.
    let receipt = client
        .transaction_receipt(&officer, issued.request_id.clone())
        .await
        .unwrap();
    assert!(receipt.checkpoint.unwrap().tree_size > issued.sequence);
    server.stop().await.unwrap();
}
