//! The configuration file: every `serve` setting also from TOML (`--config FILE`), flags over
//! environment over file over defaults, shown by `shanzhi config print`; unknown keys and
//! values that are not scalars refused; `serve` runs with what the file says.

use shanzhi::client::{LedgerClient, Signer};
use shanzhi::crypto::KeyFile;

use crate::helpers::{allocate, assert_reason, serve_process};

const BIN: &str = env!("CARGO_BIN_EXE_shanzhi");

fn config_print(config: &std::path::Path, flags: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut command = std::process::Command::new(BIN);
    command
        .args(["config", "print", "--config"])
        .arg(config)
        .args(flags);
    // Only what the test sets: the caller's SHANZHI_* variables would change the answer.
    for (key, _) in std::env::vars() {
        if key.starts_with("SHANZHI_") {
            command.env_remove(key);
        }
    }
    command.envs(env.iter().copied());
    let output = command.output().unwrap();
    let text = if output.status.success() {
        String::from_utf8(output.stdout).unwrap()
    } else {
        String::from_utf8(output.stderr).unwrap()
    };
    (output.status.success(), text)
}

fn line<'a>(printed: &'a str, name: &str) -> &'a str {
    printed
        .lines()
        .find(|line| line.starts_with(&format!("{name} = ")))
        .unwrap_or_else(|| panic!("no {name} in {printed}"))
}

#[test]
fn flags_beat_the_environment_which_beats_the_file_which_beats_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shanzhi.toml");
    std::fs::write(
        &file,
        "max_connections = 3\nidle_timeout_secs = 9\nrequest_timeout_ms = 1234\n\
         listen = \"127.0.0.1:6000\"\n",
    )
    .unwrap();
    let (ok, printed) = config_print(
        &file,
        &["--max-connections", "5"],
        &[
            ("SHANZHI_IDLE_TIMEOUT_SECS", "7"),
            ("SHANZHI_MAX_CONNECTIONS", "4"),
        ],
    );
    assert!(ok, "{printed}");
    assert_eq!(
        line(&printed, "max_connections"),
        "max_connections = 5  # flag"
    );
    assert_eq!(
        line(&printed, "idle_timeout_secs"),
        "idle_timeout_secs = 7  # env"
    );
    assert_eq!(
        line(&printed, "request_timeout_ms"),
        "request_timeout_ms = 1234  # file"
    );
    assert_eq!(
        line(&printed, "listen"),
        "listen = \"127.0.0.1:6000\"  # file"
    );
    assert_eq!(
        line(&printed, "max_streams_per_connection"),
        "max_streams_per_connection = 256  # default"
    );
    assert!(
        printed.contains("# tls_cert is not set  # default"),
        "{printed}"
    );

    // What it prints is a config file that gives the same settings.
    let again = dir.path().join("printed.toml");
    std::fs::write(&again, &printed).unwrap();
    let (ok, reprinted) = config_print(&again, &[], &[]);
    assert!(ok, "{reprinted}");
    assert_eq!(
        line(&reprinted, "max_connections"),
        "max_connections = 5  # file"
    );
    assert_eq!(
        line(&reprinted, "idle_timeout_secs"),
        "idle_timeout_secs = 7  # file"
    );
}

#[test]
fn settings_of_one_concern_may_come_from_different_sources() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shanzhi.toml");
    std::fs::write(
        &file,
        "tls_cert = \"server.pem\"\ntls_key = \"server.key\"\nallow_plaintext = true\n",
    )
    .unwrap();
    // The pair from the file, the client CA from a flag or the environment.
    for (flags, env, source) in [
        (&["--tls-client-ca", "clients.pem"][..], &[][..], "flag"),
        (
            &[][..],
            &[("SHANZHI_TLS_CLIENT_CA", "clients.pem")][..],
            "env",
        ),
    ] {
        let (ok, printed) = config_print(&file, flags, env);
        assert!(ok, "{printed}");
        assert_eq!(
            line(&printed, "tls_client_ca"),
            format!("tls_client_ca = \"clients.pem\"  # {source}")
        );
        assert_eq!(
            line(&printed, "tls_key"),
            "tls_key = \"server.key\"  # file"
        );
    }
    // One of the pair overridden by a flag.
    let (ok, printed) = config_print(&file, &["--tls-key", "other.key"], &[]);
    assert!(ok, "{printed}");
    assert_eq!(line(&printed, "tls_key"), "tls_key = \"other.key\"  # flag");
    // A `true` from the file turned off by a flag; the bare flag still means true.
    let (ok, printed) = config_print(&file, &["--allow-plaintext=false"], &[]);
    assert!(ok, "{printed}");
    assert_eq!(
        line(&printed, "allow_plaintext"),
        "allow_plaintext = false  # flag"
    );
    std::fs::write(&file, "").unwrap();
    let (ok, printed) = config_print(&file, &["--allow-plaintext"], &[]);
    assert!(ok, "{printed}");
    assert_eq!(
        line(&printed, "allow_plaintext"),
        "allow_plaintext = true  # flag"
    );
}

#[test]
fn an_unknown_setting_or_a_value_that_is_not_a_scalar_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shanzhi.toml");
    std::fs::write(&file, "max_conections = 3\n").unwrap();
    let (ok, why) = config_print(&file, &[], &[]);
    assert!(!ok);
    assert!(
        why.contains("unknown setting \"max_conections\"") && why.contains("max_connections"),
        "{why}"
    );
    std::fs::write(&file, "listen = [\"a\", \"b\"]\n").unwrap();
    let (ok, why) = config_print(&file, &[], &[]);
    assert!(!ok);
    assert!(why.contains("listen is array"), "{why}");
    std::fs::write(&file, "tls_cert = \"server.pem\"\n").unwrap();
    let (ok, why) = config_print(&file, &[], &[]);
    assert!(
        ok,
        "config print shows the settings even when serve would refuse them: {why}"
    );
    let (ok, why) = config_print(&dir.path().join("missing.toml"), &[], &[]);
    assert!(!ok);
    assert!(why.contains("cannot read the config file"), "{why}");
}

#[tokio::test]
async fn serve_runs_with_what_the_file_says() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("shanzhi.toml");
    // Small enough that a signed transaction is refused as too large.
    std::fs::write(&file, "max_message_bytes = 100\n").unwrap();
    let (_child, url) = serve_process(&data, &[], &["--config", file.to_str().unwrap()]).await;
    let admin = Signer::new(KeyFile::read(&data.join("keys/bureau-admin.key")).unwrap());
    let mut client = LedgerClient::connect(&url).await.unwrap();
    let body = client.body(allocate("v1", 5), 60_000);
    assert_reason(
        client.submit_body(&admin, &body).await,
        tonic::Code::OutOfRange,
        "MESSAGE_TOO_LARGE",
    );
}

#[tokio::test]
async fn serve_refuses_half_a_tls_pair_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shanzhi.toml");
    std::fs::write(&file, "tls_cert = \"server.pem\"\n").unwrap();
    let output = tokio::process::Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path().join("data"))
        .arg("--config")
        .arg(&file)
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let why = String::from_utf8(output.stderr).unwrap();
    assert!(why.contains("needs both tls_cert and tls_key"), "{why}");
    assert!(
        !dir.path().join("data").exists(),
        "nothing is created before the settings are checked"
    );
}
