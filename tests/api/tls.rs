//! TLS and mTLS on the listener, end to end, with certificates made in the test: a client
//! that trusts the server's CA reaches it; under mTLS, a client without a certificate, or
//! with one from another CA, is refused; a reload (the binary's SIGHUP) switches new
//! connections to new files and a broken reload changes nothing; plaintext on a network
//! address needs saying so.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use shanzhi::client::LedgerClient;
use shanzhi::config::ServerConfig;
use shanzhi::genesis;
use shanzhi::ledger::LedgerParameters;
use shanzhi::server::{self, ServerError};
use shanzhi::tls::{ClientTls, TlsPaths};
use tempfile::TempDir;

use crate::helpers::{LONG, serve_process};

type Ca = CertifiedIssuer<'static, KeyPair>;

fn ca(name: &str) -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// A certificate for `names` issued by `ca`, for a server or a client; `(cert, key)` PEM.
fn issue(ca: &Ca, names: &[&str], purpose: ExtendedKeyUsagePurpose) -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names[0]);
    params.extended_key_usages = vec![purpose];
    let certificate = params.signed_by(&key, ca).unwrap();
    (certificate.pem(), key.serialize_pem())
}

fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// The files of one test: a CA, a server certificate from it, a client certificate from it,
/// and a client certificate from another CA.
struct Files {
    dir: TempDir,
    ca: PathBuf,
    server: TlsPaths,
    client: (PathBuf, PathBuf),
    stranger: (PathBuf, PathBuf),
}

fn files(mutual: bool) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let authority = ca("shanzhi test CA");
    let other = ca("another CA");
    let (cert, key) = issue(
        &authority,
        &["localhost", "127.0.0.1"],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let (client_cert, client_key) = issue(
        &authority,
        &["village-app"],
        ExtendedKeyUsagePurpose::ClientAuth,
    );
    let (stranger_cert, stranger_key) =
        issue(&other, &["stranger"], ExtendedKeyUsagePurpose::ClientAuth);
    let path = dir.path();
    Files {
        ca: write(path, "ca.pem", &authority.pem()),
        server: TlsPaths {
            cert: write(path, "server.pem", &cert),
            key: write(path, "server.key", &key),
            client_ca: mutual.then(|| write(path, "client-ca.pem", &authority.pem())),
        },
        client: (
            write(path, "client.pem", &client_cert),
            write(path, "client.key", &client_key),
        ),
        stranger: (
            write(path, "stranger.pem", &stranger_cert),
            write(path, "stranger.key", &stranger_key),
        ),
        dir,
    }
}

async fn serve_tls(tls: &TlsPaths) -> (TempDir, server::RunningServer) {
    let data = tempfile::tempdir().unwrap();
    genesis::init(data.path(), LedgerParameters::default()).unwrap();
    let mut config = ServerConfig::new(data.path().to_owned());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.tls = Some(tls.clone());
    let server = server::start(config).await.expect("server starts with TLS");
    (data, server)
}

fn trusting(ca: &Path, identity: Option<&(PathBuf, PathBuf)>) -> ClientTls {
    ClientTls {
        ca: Some(ca.to_owned()),
        cert: identity.map(|(cert, _)| cert.clone()),
        key: identity.map(|(_, key)| key.clone()),
    }
}

async fn reach(url: &str, tls: &ClientTls) -> Result<LedgerClient, String> {
    tokio::time::timeout(LONG, LedgerClient::connect_with(url, tls))
        .await
        .map_err(|_| "timed out".to_owned())?
        .map_err(|e| format!("{e:#}"))
}

#[tokio::test]
async fn a_client_trusting_the_servers_ca_reaches_it_and_plaintext_does_not() {
    let files = files(false);
    let (_data, server) = serve_tls(&files.server).await;
    let port = server.local_addr.port();
    let url = format!("https://localhost:{port}");
    let mut client = reach(&url, &trusting(&files.ca, None)).await.unwrap();
    let info = client
        .transactions
        .get_ledger_info(shanzhi::pb::points::GetLedgerInfoRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(info.ledger_id.len(), 16);
    // By IP address too: the certificate names it.
    reach(
        &format!("https://127.0.0.1:{port}"),
        &trusting(&files.ca, None),
    )
    .await
    .unwrap();
    // Plaintext gRPC to a TLS listener gets no ledger.
    assert!(
        reach(&format!("http://127.0.0.1:{port}"), &ClientTls::default())
            .await
            .is_err()
    );
    // A client that trusts another CA refuses the server.
    let other = write(files.dir.path(), "other-ca.pem", &ca("elsewhere").pem());
    assert!(reach(&url, &trusting(&other, None)).await.is_err());
    // An https URL without a CA, or TLS files for an http URL, are refused before connecting.
    let why = reach(&url, &ClientTls::default()).await.err().unwrap();
    assert!(why.contains("needs --ca"), "{why}");
    let why = reach(
        &format!("http://127.0.0.1:{port}"),
        &trusting(&files.ca, None),
    )
    .await
    .err()
    .unwrap();
    assert!(why.contains("use https://"), "{why}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn under_mtls_only_a_client_certificate_from_the_client_ca_gets_in() {
    let files = files(true);
    let (_data, server) = serve_tls(&files.server).await;
    let url = format!("https://localhost:{}", server.local_addr.port());
    let mut client = reach(&url, &trusting(&files.ca, Some(&files.client)))
        .await
        .unwrap();
    client
        .transactions
        .get_ledger_info(shanzhi::pb::points::GetLedgerInfoRequest {})
        .await
        .unwrap();
    let without = reach(&url, &trusting(&files.ca, None)).await;
    assert!(without.is_err(), "a client without a certificate got in");
    let stranger = reach(&url, &trusting(&files.ca, Some(&files.stranger))).await;
    assert!(
        stranger.is_err(),
        "a client certificate from another CA got in"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_reload_switches_new_connections_to_new_files_and_a_broken_one_changes_nothing() {
    let files = files(false);
    let (_data, server) = serve_tls(&files.server).await;
    let url = format!("https://localhost:{}", server.local_addr.port());
    let mut before = reach(&url, &trusting(&files.ca, None)).await.unwrap();

    // A broken key: the reload fails, naming the file, and the old files still serve.
    let good_key = std::fs::read_to_string(&files.server.key).unwrap();
    std::fs::write(&files.server.key, "not a key").unwrap();
    let why = server.reload_tls().unwrap_err().to_string();
    assert!(why.contains("server.key"), "{why}");
    reach(&url, &trusting(&files.ca, None)).await.unwrap();
    std::fs::write(&files.server.key, good_key).unwrap();

    // A new CA and certificate: new connections see them; the old CA no longer works.
    let renewed = ca("renewed CA");
    let (cert, key) = issue(
        &renewed,
        &["localhost"],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    std::fs::write(&files.server.cert, cert).unwrap();
    std::fs::write(&files.server.key, key).unwrap();
    let renewed_ca = write(files.dir.path(), "renewed-ca.pem", &renewed.pem());
    assert!(server.reload_tls().unwrap());
    reach(&url, &trusting(&renewed_ca, None)).await.unwrap();
    assert!(reach(&url, &trusting(&files.ca, None)).await.is_err());
    // A connection made before the reload goes on.
    before
        .transactions
        .get_ledger_info(shanzhi::pb::points::GetLedgerInfoRequest {})
        .await
        .unwrap();
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_binary_reads_its_tls_files_again_on_sighup() {
    let files = files(false);
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().join("data");
    let server = &files.server;
    let (child, url) = serve_process(
        &data_dir,
        &[],
        &[
            "--tls-cert",
            server.cert.to_str().unwrap(),
            "--tls-key",
            server.key.to_str().unwrap(),
        ],
    )
    .await;
    let port = url.rsplit(':').next().unwrap().to_owned();
    let url = format!("https://localhost:{port}");
    reach(&url, &trusting(&files.ca, None)).await.unwrap();

    let renewed = ca("renewed CA");
    let (cert, key) = issue(
        &renewed,
        &["localhost"],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    std::fs::write(&server.cert, cert).unwrap();
    std::fs::write(&server.key, key).unwrap();
    let renewed_ca = write(files.dir.path(), "renewed-ca.pem", &renewed.pem());
    let pid = rustix::process::Pid::from_raw(child.id().unwrap() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::HUP).unwrap();
    let deadline = tokio::time::Instant::now() + LONG;
    loop {
        if reach(&url, &trusting(&renewed_ca, None)).await.is_ok() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server did not take the new certificate after SIGHUP"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(reach(&url, &trusting(&files.ca, None)).await.is_err());
    drop(child);
}

#[tokio::test]
async fn plaintext_on_a_network_address_needs_saying_so() {
    let data = tempfile::tempdir().unwrap();
    genesis::init(data.path(), LedgerParameters::default()).unwrap();
    let mut config = ServerConfig::new(data.path().to_owned());
    config.listen = "0.0.0.0:0".parse().unwrap();
    match server::start(config.clone()).await {
        Err(error @ ServerError::PlaintextOnNetwork(_)) => {
            let message = error.to_string();
            assert!(
                message.contains("--tls-cert") && message.contains("--allow-plaintext"),
                "{message}"
            );
        }
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("served plaintext on 0.0.0.0 without --allow-plaintext"),
    }
    config.allow_plaintext = true;
    let server = server::start(config).await.expect("starts when told to");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn unusable_tls_files_stop_the_server_before_it_opens_the_ledger() {
    let files = files(false);
    let data = tempfile::tempdir().unwrap();
    genesis::init(data.path(), LedgerParameters::default()).unwrap();
    let mut config = ServerConfig::new(data.path().to_owned());
    config.listen = "127.0.0.1:0".parse().unwrap();
    // A key that is not the certificate's.
    let (_, other_key) = issue(
        &ca("x"),
        &["localhost"],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let wrong_key = write(files.dir.path(), "wrong.key", &other_key);
    config.tls = Some(TlsPaths {
        key: wrong_key,
        ..files.server.clone()
    });
    let error = match server::start(config.clone()).await {
        Err(error) => format!("{:#}", anyhow::Error::from(error)),
        Ok(_) => panic!("served with a key that is not the certificate's"),
    };
    assert!(error.contains("wrong.key"), "{error}");
    // A certificate file holding no certificate.
    config.tls = Some(TlsPaths {
        cert: write(files.dir.path(), "empty.pem", "nothing here\n"),
        ..files.server.clone()
    });
    let error = match server::start(config).await {
        Err(error) => format!("{:#}", anyhow::Error::from(error)),
        Ok(_) => panic!("served with no certificate"),
    };
    assert!(
        error.contains("empty.pem") && error.contains("BEGIN CERTIFICATE"),
        "{error}"
    );
}

#[tokio::test]
async fn serve_refusing_its_listeners_creates_no_ledger() {
    let files = files(false);
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = busy.local_addr().unwrap().to_string();
    let (_, other_key) = issue(
        &ca("x"),
        &["localhost"],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let wrong_key = write(files.dir.path(), "wrong.key", &other_key);
    let cert = files.server.cert.to_str().unwrap().to_owned();
    let cases: [(&[&str], &str); 3] = [
        (&["--listen", "0.0.0.0:0"], "--allow-plaintext"),
        (
            &[
                "--listen",
                "127.0.0.1:0",
                "--tls-cert",
                &cert,
                "--tls-key",
                wrong_key.to_str().unwrap(),
            ],
            "wrong.key",
        ),
        (
            &["--listen", "127.0.0.1:0", "--metrics-listen", &busy],
            &busy,
        ),
    ];
    for (flags, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_shanzhi"))
            .arg("serve")
            .arg("--data")
            .arg(&data)
            .args(flags)
            .env_remove("SHANZHI_ALLOW_PLAINTEXT")
            .output()
            .await
            .unwrap();
        let why = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{flags:?} served");
        assert!(why.contains(expected), "{flags:?}: {why}");
        assert!(
            !data.exists(),
            "{flags:?}: a data directory was created before the refusal"
        );
    }
}
