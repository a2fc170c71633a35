//! The `shanzhi` binary as a new user runs it: `serve` on an empty directory creates the
//! ledger, the CLI drives the whole flow, and SIGTERM stops the server cleanly.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use tokio::io::{AsyncBufReadExt, BufReader};

const BIN: &str = env!("CARGO_BIN_EXE_shanzhi");

pub(super) struct Serving {
    child: tokio::process::Child,
    pub(super) url: String,
}

pub(super) async fn serve(data: &Path) -> Serving {
    let mut child = tokio::process::Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = tokio::time::timeout(crate::helpers::LONG, lines.next_line())
            .await
            .expect("the server prints its address in time")
            .unwrap()
            .expect("the server keeps running");
        if let Some(addr) = line.strip_prefix("shanzhi listening on ") {
            break format!("http://{addr}");
        }
    };
    Serving { child, url }
}

impl Serving {
    #[track_caller]
    pub(super) fn run(&self, args: &[&str]) -> String {
        let output = self.try_run(args);
        assert!(
            output.status.success(),
            "shanzhi {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    pub(super) fn try_run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .args(["--server", &self.url])
            .output()
            .unwrap()
    }

    pub(super) async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().unwrap().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        tokio::time::timeout(crate::helpers::LONG, self.child.wait())
            .await
            .expect("the server stops after SIGTERM")
            .unwrap()
    }
}

pub(super) fn keygen(path: &Path) -> String {
    let output = Command::new(BIN)
        .args(["keygen", "--out"])
        .arg(path)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("public key: "))
        .expect("keygen prints the public key")
        .to_owned()
}

#[tokio::test]
async fn a_new_user_runs_the_whole_flow_with_the_cli_and_stops_with_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = serve(&data).await;
    let admin = data.join("keys/bureau-admin.key");
    let admin = admin.to_str().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();

    let info = server.run(&["info"]);
    let ledger_id = info
        .lines()
        .find_map(|l| l.strip_prefix("ledger id:"))
        .unwrap()
        .trim()
        .to_owned();

    server.run(&[
        "register-village",
        "--key",
        admin,
        "--id",
        "gaoba",
        "--name",
        "高坝村",
    ]);
    // Its place among the administrative areas: the city, the township, the village.
    for (code, name) in [
        ("420581", "宜都市"),
        ("420581102", "高坝洲镇"),
        ("420581102001", "高坝村"),
    ] {
        server.run(&[
            "register-area",
            "--key",
            admin,
            "--code",
            code,
            "--name",
            name,
        ]);
    }
    server.run(&[
        "set-village-area",
        "--key",
        admin,
        "--village",
        "gaoba",
        "--area",
        "420581102001",
    ]);
    let areas = server.run(&["areas", "--key", admin, "--within", "420581102"]);
    assert_eq!(
        areas.lines().collect::<Vec<_>>(),
        ["420581102  高坝洲镇", "420581102001  高坝村  village gaoba"],
        "{areas}"
    );
    let officer_public = keygen(Path::new(&path("officer.key")));
    server.run(&[
        "register-key",
        "--key",
        admin,
        "--public-key",
        &officer_public,
        "--role",
        "village-officer",
        "--scope",
        "gaoba",
    ]);
    let resident_public = keygen(Path::new(&path("resident.key")));
    server.run(&[
        "register-household",
        "--key",
        &path("officer.key"),
        "--id",
        "hh-1",
        "--village",
        "gaoba",
        "--resident-key",
        &resident_public,
    ]);
    server.run(&[
        "register-shop",
        "--key",
        admin,
        "--id",
        "shop-1",
        "--name",
        "积分超市",
    ]);
    let terminal_public = keygen(Path::new(&path("terminal.key")));
    server.run(&[
        "register-key",
        "--key",
        admin,
        "--public-key",
        &terminal_public,
        "--role",
        "shop-terminal",
        "--scope",
        "shop-1",
    ]);
    server.run(&[
        "allocate", "--key", admin, "--issuer", "gaoba", "--points", "500",
    ]);
    let issued = server.run(&[
        "issue",
        "--key",
        &path("officer.key"),
        "--issuer",
        "gaoba",
        "--household",
        "hh-1",
        "--rule",
        "ENV-01",
        "--points",
        "40",
        "--memo",
        "cleaned the lane",
    ]);
    assert!(
        issued.contains("issuer:gaoba -> household:hh-1: 40 points"),
        "{issued}"
    );
    server.run(&[
        "deduct",
        "--key",
        &path("officer.key"),
        "--issuer",
        "gaoba",
        "--household",
        "hh-1",
        "--rule",
        "LITTER-01",
        "--points",
        "5",
    ]);
    let code = server.run(&[
        "payment-code",
        "--key",
        &path("resident.key"),
        "--ledger-id",
        &ledger_id,
        "--household",
        "hh-1",
        "--max-points",
        "10",
    ]);
    let sale = server.run(&[
        "redeem",
        "--key",
        &path("terminal.key"),
        "--shop",
        "shop-1",
        "--household",
        "hh-1",
        "--item",
        "RICE-5KG:1:8:大米 5 kg",
        "--item",
        "SOAP:2:1:肥皂",
        "--payment-code",
        code.trim(),
    ]);
    assert!(
        sale.contains("household:hh-1 -> shop:shop-1: 10 points"),
        "{sale}"
    );

    // The same code again is refused with a clear message and a non-zero exit.
    let reused = server.try_run(&[
        "redeem",
        "--key",
        &path("terminal.key"),
        "--shop",
        "shop-1",
        "--household",
        "hh-1",
        "--item",
        "SOAP:1:1:肥皂",
        "--payment-code",
        code.trim(),
    ]);
    assert!(!reused.status.success());
    assert!(String::from_utf8_lossy(&reused.stderr).contains("already used"));

    let account = server.run(&[
        "account",
        "--key",
        &path("resident.key"),
        "--household",
        "hh-1",
    ]);
    assert!(account.contains("balance: 25"), "{account}");
    assert!(account.contains("earned score: 35"), "{account}");
    let history = server.run(&["history", "--key", admin, "--household", "hh-1"]);
    assert!(
        history.contains("redeem") && history.contains("(end of history)"),
        "{history}"
    );

    // The auditor verifies the whole ledger, twice (the second run checks consistency with
    // the first), and a resident's receipt checks out offline.
    let log_key = info
        .lines()
        .find_map(|l| l.strip_prefix("log public key:"))
        .unwrap()
        .trim()
        .to_owned();
    let auditor_public = keygen(Path::new(&path("auditor.key")));
    server.run(&[
        "register-key",
        "--key",
        admin,
        "--public-key",
        &auditor_public,
        "--role",
        "auditor",
    ]);
    let state = path("verify.checkpoint");
    let auditor_key = path("auditor.key");
    let verify = [
        "verify",
        "--key",
        &auditor_key,
        "--log-key",
        &log_key,
        "--state",
        &state,
    ];
    let first = server.run(&verify);
    assert!(
        first.contains("first run") && first.contains("OK"),
        "{first}"
    );
    let second = server.run(&verify);
    assert!(
        second.contains("is a prefix of this one") && second.contains("OK"),
        "{second}"
    );
    let request_id = sale
        .split_whitespace()
        .skip_while(|w| *w != "request")
        .nth(1)
        .unwrap()
        .to_owned();
    let receipt_file = path("sale.receipt");
    server.run(&[
        "save-receipt",
        "--key",
        &path("resident.key"),
        "--request-id",
        &request_id,
        "--out",
        &receipt_file,
    ]);
    let checked = Command::new(BIN)
        .args(["verify-receipt", &receipt_file, "--log-key", &log_key])
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(String::from_utf8_lossy(&checked.stdout).contains("is in the log of"));

    let status = server.terminate().await;
    assert!(status.success(), "graceful shutdown exits 0, got {status}");

    // Served again from the same directory, nothing is lost.
    let server = serve(&data).await;
    let account = server.run(&["account", "--key", admin, "--household", "hh-1"]);
    assert!(account.contains("balance: 25"), "{account}");

    // A transaction saved after an unknown outcome settles exactly once, however often it
    // is resubmitted.
    let officer = shanzhi::client::Signer::new(
        shanzhi::crypto::KeyFile::read(Path::new(&path("officer.key"))).unwrap(),
    );
    let ledger = shanzhi::ledger::LedgerId::from_hex(&ledger_id).unwrap();
    let signed = officer.sign(
        &ledger,
        &crate::helpers::body(crate::helpers::issue("gaoba", "hh-1", 2)),
    );
    let pending = path("pending.tx");
    let write_pending = || {
        use prost::Message;
        std::fs::write(&pending, hex::encode(signed.encode_to_vec())).unwrap();
    };
    write_pending();
    let first = server.run(&["resubmit", "--file", &pending]);
    assert!(first.contains("household:hh-1: 2 points"), "{first}");
    assert!(
        !Path::new(&pending).exists(),
        "a settled transaction's file is removed"
    );
    write_pending();
    let again = server.run(&["resubmit", "--file", &pending]);
    assert!(again.contains("already committed earlier"), "{again}");
    let account = server.run(&["account", "--key", admin, "--household", "hh-1"]);
    assert!(account.contains("balance: 27"), "{account}");
    assert!(server.terminate().await.success());
}
