//! A tiny DSL for driving a real shanzhi server over gRPC: a fresh data directory, a server on
//! 127.0.0.1:0, the bureau admin key, and fixtures that register villages, households and
//! shops the way a real deployment would.

use std::time::Duration;

use shanzhi::client::{self, LedgerClient, Signer, new_body};
use shanzhi::config::ServerConfig;
use shanzhi::crypto::KeyFile;
use shanzhi::genesis;
use shanzhi::ledger::{LedgerParameters, Sequence};
use shanzhi::pb::points as pb;
use shanzhi::pb::points::transaction_body::Operation;
use shanzhi::server::{self, RunningServer};
use shanzhi::writer::Clock;
use tempfile::TempDir;
use tonic::{Code, Status};

/// Payment codes in tests are valid this long.
pub const CODE_VALIDITY_MS: u64 = 60_000;

pub struct TestApp {
    pub server: Option<RunningServer>,
    pub data: TempDir,
    pub client: LedgerClient,
    pub admin: Signer,
    pub url: String,
    /// The server's clock: the wall clock, moved ahead by [`TestApp::advance_days`].
    pub clock: Clock,
    next_counter: u64,
}

pub struct Village {
    pub id: String,
    pub officer: Signer,
}

pub struct Household {
    pub id: String,
    pub resident: Signer,
}

pub struct Shop {
    pub id: String,
    pub terminal: Signer,
}

/// Asserts that `result` failed with `code` and the machine-readable `reason` (the
/// `google.rpc.ErrorInfo` detail clients match on).
#[track_caller]
pub fn assert_reason<T: std::fmt::Debug>(
    result: Result<T, Status>,
    code: Code,
    reason: &str,
) -> Status {
    match result {
        Ok(value) => panic!("expected {code:?} with reason {reason}, got Ok({value:?})"),
        Err(status) => {
            assert_eq!(status.code(), code, "wrong code; {}", status.message());
            assert_eq!(
                shanzhi::api::reason_of(&status).as_deref(),
                Some(reason),
                "wrong reason; {}",
                status.message()
            );
            status
        }
    }
}

/// Submits each operation as its signer and asserts its refusal (code and reason), with the
/// log unchanged: a refusal logs nothing.
pub async fn assert_all_refused(app: &mut TestApp, cases: Vec<(&Signer, Operation, Code, &str)>) {
    let size = app.log_size().await;
    for (signer, operation, code, reason) in cases {
        assert_reason(app.submit(signer, operation).await, code, reason);
    }
    assert_eq!(app.log_size().await, size, "a refusal logged nothing");
}

/// Registers, as the bureau admin, a program officer of `program` for each of the programs
/// ledger's townships: (the first township's, 420581100; the second's, 420581200).
pub async fn township_officers(app: &TestApp, program: &str) -> (Signer, Signer) {
    let officer = Signer::generate();
    let elsewhere = Signer::generate();
    for (signer, township) in [(&officer, "420581100"), (&elsewhere, "420581200")] {
        app.submit(
            &app.admin,
            shanzhi::testkit::register_key(
                signer,
                pb::Role::ProgramOfficer,
                &format!("{program}/{township}"),
            ),
        )
        .await
        .unwrap();
    }
    (officer, elsewhere)
}

/// Asserts that `result` failed with `code` and a message containing `needle`.
#[track_caller]
pub fn assert_refused<T: std::fmt::Debug>(result: Result<T, Status>, code: Code, needle: &str) {
    match result {
        Ok(value) => panic!("expected {code:?} containing {needle:?}, got Ok({value:?})"),
        Err(status) => {
            assert_eq!(
                status.code(),
                code,
                "wrong code; message was: {}",
                status.message()
            );
            assert!(
                status.message().contains(needle),
                "message {:?} does not contain {needle:?}",
                status.message()
            );
        }
    }
}

pub async fn start(data: &TempDir, clock: &Clock) -> (RunningServer, String) {
    start_with(data, clock, |_| {}).await
}

async fn start_with(
    data: &TempDir,
    clock: &Clock,
    configure: impl FnOnce(&mut ServerConfig),
) -> (RunningServer, String) {
    let mut config = ServerConfig::new(data.path().to_owned());
    configure(&mut config);
    config.clock = clock.clone();
    config.listen = "127.0.0.1:0".parse().unwrap();
    let server = server::start(config).await.expect("server starts");
    let url = format!("http://{}", server.local_addr);
    (server, url)
}

impl TestApp {
    /// A new ledger with default parameters, served on a free port.
    pub async fn spawn() -> Self {
        Self::spawn_with(LedgerParameters::default()).await
    }

    pub async fn spawn_with(parameters: LedgerParameters) -> Self {
        Self::spawn_configured(parameters, |_| {}).await
    }

    /// A new ledger served with `configure` applied to the default server configuration.
    pub async fn spawn_configured(
        parameters: LedgerParameters,
        configure: impl FnOnce(&mut ServerConfig),
    ) -> Self {
        let data = tempfile::tempdir().unwrap();
        let report = genesis::init(data.path(), parameters).expect("genesis");
        let admin = Signer::new(KeyFile::read(&report.admin_key_path).unwrap());
        let clock = Clock::adjustable();
        let (server, url) = start_with(&data, &clock, configure).await;
        let client = LedgerClient::connect(&url).await.expect("client connects");
        Self {
            server: Some(server),
            data,
            client,
            admin,
            url,
            clock,
            next_counter: 1,
        }
    }

    /// Stops the server (graceful: drain, flush, close) and starts a new one on the same data.
    pub async fn restart(&mut self) {
        self.restart_after(|_| {}).await;
    }

    /// Stops the server, lets `edit` change its data directory while nothing runs on it,
    /// and starts a new one there.
    pub async fn restart_after(&mut self, edit: impl FnOnce(&std::path::Path)) {
        self.server
            .take()
            .unwrap()
            .stop()
            .await
            .expect("clean stop");
        edit(self.data.path());
        let (server, url) = start(&self.data, &self.clock).await;
        self.client = LedgerClient::connect(&url)
            .await
            .expect("client reconnects");
        self.server = Some(server);
        self.url = url;
    }

    /// Signs `operation` in a body valid for 10 minutes by the server's clock, and submits it.
    pub async fn submit(
        &self,
        signer: &Signer,
        operation: Operation,
    ) -> Result<pb::Receipt, Status> {
        let mut body = self.client.body(operation, 10 * 60 * 1000);
        body.not_after_unix_ms = self.clock.now_unix_ms() + 10 * 60 * 1000;
        // A clone of the client shares its connection.
        let response = self.client.clone().submit_body(signer, &body).await?;
        response
            .receipt
            .ok_or_else(|| Status::internal("the server sent no receipt"))
    }

    /// Lets `days` days pass on the server's clock (never by sleeping).
    pub fn advance_days(&self, days: u64) {
        self.clock.advance(days * 86_400_000);
    }

    /// Today by the server's clock, China Standard Time, as days.
    pub fn today(&self) -> u32 {
        shanzhi::ledger::CivilDate::of(shanzhi::ledger::UnixMs(self.clock.now_unix_ms())).days()
    }

    pub async fn log_size(&mut self) -> u64 {
        self.client
            .transactions
            .get_ledger_info(pb::GetLedgerInfoRequest {})
            .await
            .unwrap()
            .into_inner()
            .log_size
    }

    /// Registers a village issuer and an officer key for it.
    pub async fn village(&mut self, id: &str) -> Village {
        self.issuer_with_key(id, pb::IssuerKind::Village, pb::Role::VillageOfficer)
            .await
    }

    /// Registers a program issuer and an issuing key for it.
    pub async fn program(&mut self, id: &str) -> Village {
        self.issuer_with_key(id, pb::IssuerKind::Program, pb::Role::ProgramIssuer)
            .await
    }

    async fn issuer_with_key(&mut self, id: &str, kind: pb::IssuerKind, role: pb::Role) -> Village {
        self.submit(&self.admin, register_issuer(id, kind))
            .await
            .expect("issuer registers");
        let officer = Signer::generate();
        self.submit(&self.admin, register_key(&officer, role, id))
            .await
            .expect("officer key registers");
        Village {
            id: id.to_owned(),
            officer,
        }
    }

    /// The village officer registers a household with one resident key.
    pub async fn household(&mut self, village: &Village, id: &str) -> Household {
        let resident = Signer::generate();
        self.submit(
            &village.officer,
            Operation::RegisterHousehold(pb::RegisterHousehold {
                household_id: id.to_owned(),
                village_id: village.id.clone(),
                resident_public_keys: vec![resident.public_key()],
            }),
        )
        .await
        .expect("household registers");
        Household {
            id: id.to_owned(),
            resident,
        }
    }

    /// Registers a shop and a terminal key for it.
    pub async fn shop(&mut self, id: &str) -> Shop {
        self.submit(
            &self.admin,
            Operation::RegisterShop(pb::RegisterShop {
                shop_id: id.to_owned(),
                name: format!("Shop {id}"),
            }),
        )
        .await
        .expect("shop registers");
        let terminal = Signer::generate();
        self.submit(
            &self.admin,
            register_key(&terminal, pb::Role::ShopTerminal, id),
        )
        .await
        .expect("terminal key registers");
        Shop {
            id: id.to_owned(),
            terminal,
        }
    }

    pub async fn allocate(&mut self, issuer: &str, points: u64) -> Result<pb::Receipt, Status> {
        self.submit(&self.admin, allocate(issuer, points)).await
    }

    pub async fn issue(
        &mut self,
        officer: &Signer,
        issuer: &str,
        household: &str,
        points: u64,
    ) -> Result<pb::Receipt, Status> {
        self.submit(officer, issue(issuer, household, points)).await
    }

    pub async fn deduct(
        &mut self,
        officer: &Signer,
        issuer: &str,
        household: &str,
        points: u64,
    ) -> Result<pb::Receipt, Status> {
        self.submit(officer, deduct(issuer, household, points))
            .await
    }

    /// A resident's payment code for `household` signed by `resident`.
    pub fn payment_code(
        &self,
        resident: &Signer,
        household: &str,
        max_points: u64,
    ) -> pb::SignedSpendAuthorization {
        resident.payment_code(
            &self.client.ledger_id,
            household,
            max_points,
            CODE_VALIDITY_MS,
        )
    }

    /// A redemption with a fresh terminal counter.
    pub fn redeem_op(
        &mut self,
        shop: &str,
        household: &str,
        points: u64,
        code: pb::SignedSpendAuthorization,
    ) -> Operation {
        self.next_counter += 1;
        Operation::Redeem(pb::Redeem {
            shop_id: shop.to_owned(),
            household_id: household.to_owned(),
            points,
            payment_code: Some(code),
            terminal_counter: self.next_counter,
            memo: "receipt 0001".into(),
            lines: shanzhi::testkit::one_line(points),
        })
    }

    pub async fn redeem(
        &mut self,
        shop: &Shop,
        household: &Household,
        points: u64,
    ) -> Result<pb::Receipt, Status> {
        let code = self.payment_code(&household.resident, &household.id, points);
        let op = self.redeem_op(&shop.id, &household.id, points, code);
        self.submit(&shop.terminal, op).await
    }

    pub async fn reverse(&mut self, signer: &Signer, sequence: u64) -> Result<pb::Receipt, Status> {
        self.submit(signer, reverse(Sequence(sequence))).await
    }

    /// An account's balance as the bureau admin sees it.
    pub async fn balance(&mut self, account: pb::AccountRef) -> i64 {
        self.account(account).await.balance
    }

    pub async fn account(&mut self, account: pb::AccountRef) -> pb::Account {
        self.client
            .account(&self.admin, account)
            .await
            .expect("admin reads any account")
    }

    /// The whole history, every page, as the bureau admin sees it.
    pub async fn whole_history(&mut self) -> Vec<pb::Receipt> {
        let mut entries = Vec::new();
        let mut page_token = String::new();
        loop {
            let page = self
                .client
                .history(
                    &self.admin,
                    pb::ListHistoryRequest {
                        page_size: 7,
                        page_token: page_token.clone(),
                        ..Default::default()
                    },
                )
                .await
                .expect("admin reads history");
            entries.extend(page.entries);
            if page.next_page_token.is_empty() {
                break;
            }
            page_token = page.next_page_token;
        }
        entries
    }
}

/// Village `v1` with a budget of 1 000 000 and household `h1`; returns the officer's key.
pub async fn village_with_household(client: &mut LedgerClient, admin: &Signer) -> Signer {
    let officer = Signer::generate();
    for op in [
        register_issuer("v1", pb::IssuerKind::Village),
        register_key(&officer, pb::Role::VillageOfficer, "v1"),
        Operation::AllocateBudget(pb::AllocateBudget {
            issuer_id: "v1".into(),
            points: 1_000_000,
            memo: String::new(),
        }),
    ] {
        client.submit(admin, op).await.unwrap();
    }
    client
        .submit(
            &officer,
            Operation::RegisterHousehold(pb::RegisterHousehold {
                household_id: "h1".into(),
                village_id: "v1".into(),
                resident_public_keys: vec![],
            }),
        )
        .await
        .unwrap();
    officer
}

/// A body valid for ten minutes with a fresh request id.
pub fn body(operation: Operation) -> pb::TransactionBody {
    new_body(operation, 10 * 60 * 1000)
}

pub use client::{bureau_fund, household, issuer, shop};
/// The operation builders are the crate's test DSL.
pub use shanzhi::testkit::{allocate, deduct, issue, register_issuer, register_key, reverse};

pub const LONG: Duration = Duration::from_secs(10);

/// Starts the real `shanzhi serve` binary on `data` (port 0), optionally under a wrapper
/// command such as `strace -f -o FILE`, with extra `serve` flags; returns the child and the
/// server's URL once it is listening. Its stderr goes to `<data>.stderr`.
pub async fn serve_process(
    data: &std::path::Path,
    wrapper: &[&str],
    extra: &[&str],
) -> (tokio::process::Child, String) {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let log = data.with_extension("stderr");
    let binary = env!("CARGO_BIN_EXE_shanzhi");
    let mut command = match wrapper.split_first() {
        None => tokio::process::Command::new(binary),
        Some((program, args)) => {
            let mut command = tokio::process::Command::new(program);
            command.args(args).arg(binary);
            command
        }
    };
    let mut child = command
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = tokio::time::timeout(LONG * 3, lines.next_line())
            .await
            .expect("the server starts in time")
            .unwrap();
        let Some(line) = line else {
            panic!(
                "the server did not start: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        if let Some(addr) = line.strip_prefix("shanzhi listening on ") {
            // Keep draining stdout so the server never blocks on a full pipe.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return (child, format!("http://{addr}"));
        }
    }
}

/// Whether a test that needs a system facility (strace, root to mount a tmpfs) may run:
/// `Ok` if it is present; if it is missing, the test is skipped with a message, unless
/// `SHANZHI_REQUIRE_SYSTEM_TESTS=1` (which `.ci/run` sets, after installing them) makes the
/// absence a failure.
pub fn system_facility(name: &str, present: bool) -> bool {
    if present {
        return true;
    }
    assert!(
        std::env::var("SHANZHI_REQUIRE_SYSTEM_TESTS").as_deref() != Ok("1"),
        "{name} is required (SHANZHI_REQUIRE_SYSTEM_TESTS=1) but not available"
    );
    eprintln!("skipped: {name} is not available (.ci/run installs it)");
    false
}

/// A channel to the server at `url`.
pub async fn channel(url: &str) -> tonic::transport::Channel {
    tonic::transport::Endpoint::from_shared(url.to_owned())
        .unwrap()
        .connect()
        .await
        .unwrap()
}

/// A `Watch` of the server's overall health, on its own connection, after its first update
/// (asserted SERVING).
pub async fn watch_health(url: &str) -> tonic::Streaming<tonic_health::pb::HealthCheckResponse> {
    use tonic_health::pb::health_check_response::ServingStatus;
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel(url).await);
    let mut watch = health
        .watch(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        watch.message().await.unwrap().unwrap().status(),
        ServingStatus::Serving
    );
    watch
}

/// The size of a signed checkpoint covering every entry so far (a snapshot forces one).
pub async fn covering_size(app: &mut TestApp) -> u64 {
    let admin = app.admin.clone();
    app.client
        .state_snapshot(&admin)
        .await
        .unwrap()
        .checkpoint
        .unwrap()
        .tree_size
}

/// The ledger's log public key, as the server reports it.
pub async fn log_key(app: &mut TestApp) -> ed25519_dalek::VerifyingKey {
    let info = app
        .client
        .transactions
        .get_ledger_info(pb::GetLedgerInfoRequest {})
        .await
        .unwrap()
        .into_inner();
    ed25519_dalek::VerifyingKey::from_bytes(&info.log_public_key.try_into().unwrap()).unwrap()
}

/// Mounts a tmpfs of `bytes` at `path` (needs root); false if it cannot.
pub fn mount_tmpfs(path: &std::path::Path, bytes: u64) -> bool {
    std::fs::create_dir_all(path).unwrap();
    std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
        .arg(path)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Unmounts (lazily) when dropped.
pub struct Unmount<'a>(pub &'a std::path::Path);

impl Drop for Unmount<'_> {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.0)
            .status();
    }
}

/// Bytes free on the filesystem of `path`.
pub fn free_bytes(path: &std::path::Path) -> u64 {
    let output = std::process::Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Verifies the whole log as an auditor would (`shanzhi verify` with the bureau admin's
/// credentials) and returns the verified size.
pub async fn verify_whole_log(app: &mut TestApp) -> u64 {
    let log_key = log_key(app).await;
    let admin = app.admin.clone();
    let mut source = shanzhi::client::ServerSource {
        client: &mut app.client,
        signer: &admin,
    };
    shanzhi::verifier::verify(&mut source, &log_key, None)
        .await
        .unwrap()
        .size
}
