//! `deploy/`: the health command the container and the probes use, the systemd unit checked
//! by `systemd-analyze verify`, every YAML file parsed (and the facts the deployment rests
//! on: one replica, probes through the binary, grace above the server's), the example
//! configurations accepted by `shanzhi config print`.

use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

use crate::helpers::{serve_process, system_facility};

const BIN: &str = env!("CARGO_BIN_EXE_shanzhi");

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

fn run(args: &[&str]) -> (bool, String) {
    let output = std::process::Command::new(BIN)
        .args(args)
        .env_remove("SHANZHI_SERVER")
        .output()
        .unwrap();
    let mut text = String::from_utf8(output.stdout).unwrap();
    text.push_str(&String::from_utf8(output.stderr).unwrap());
    (output.status.success(), text)
}

#[tokio::test]
async fn health_says_serving_for_a_running_server_and_fails_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let (_child, url) = serve_process(&dir.path().join("data"), &[], &[]).await;
    let (ok, said) = run(&["health", "--server", &url]);
    assert!(ok, "{said}");
    assert_eq!(said.trim(), "SERVING");
    let (ok, said) = run(&["health", "--server", &url, "--service", "no.such.Service"]);
    assert!(!ok, "{said}");
    // Nothing listening: a free port, taken and released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (ok, said) = run(&["health", "--server", &format!("http://127.0.0.1:{port}")]);
    assert!(!ok, "{said}");
}

#[test]
fn the_systemd_unit_passes_systemd_analyze_verify() {
    let present = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !system_facility("systemd-analyze", present) {
        return;
    }
    let unit = std::fs::read_to_string(deploy().join("shanzhi.service")).unwrap();
    for needed in [
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/shanzhi",
        "NoNewPrivileges=yes",
        "Restart=on-failure",
        "TimeoutStopSec=30s",
        "User=shanzhi",
        "ExecReload=/bin/kill -HUP $MAINPID",
    ] {
        assert!(unit.contains(needed), "the unit lacks {needed}");
    }
    // verify checks that ExecStart's program exists: point it at the binary under test.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shanzhi.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/shanzhi", BIN)).unwrap();
    let output = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{said}");
    // It warns (and still succeeds) about unknown keys and bad values: none allowed.
    let warnings: Vec<&str> = said
        .lines()
        .filter(|line| line.contains("shanzhi.service"))
        .collect();
    assert!(warnings.is_empty(), "{said}");
}

/// Every document of every YAML file under `deploy/`, by file name.
fn yaml_files() -> Vec<(String, Vec<Yaml>)> {
    let mut found = Vec::new();
    let mut directories = vec![deploy()];
    while let Some(directory) = directories.pop() {
        for entry in std::fs::read_dir(&directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                directories.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let documents = YamlLoader::load_from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert!(!documents.is_empty(), "{} is empty", path.display());
                let name = path.strip_prefix(deploy()).unwrap().display().to_string();
                found.push((name, documents));
            }
        }
    }
    found
}

fn config_accepted(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shanzhi.toml");
    std::fs::write(&path, text).unwrap();
    let (ok, said) = run(&["config", "print", "--config", path.to_str().unwrap()]);
    assert!(ok, "{said}\n{text}");
}

#[test]
fn every_yaml_file_parses_and_the_kubernetes_ledger_has_exactly_one_replica() {
    let files = yaml_files();
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert!(names.contains(&"compose.yaml"), "{names:?}");
    assert!(names.contains(&"kubernetes/shanzhi.yaml"), "{names:?}");
    let (_, kubernetes) = files
        .iter()
        .find(|(name, _)| name == "kubernetes/shanzhi.yaml")
        .unwrap();
    let kind = |kind: &str| {
        kubernetes
            .iter()
            .find(|doc| doc["kind"].as_str() == Some(kind))
            .unwrap_or_else(|| panic!("no {kind}"))
    };
    let set = kind("StatefulSet");
    assert_eq!(set["spec"]["replicas"].as_i64(), Some(1));
    let pod = &set["spec"]["template"]["spec"];
    assert!(pod["terminationGracePeriodSeconds"].as_i64().unwrap() > 10);
    let container = &pod["containers"][0];
    for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
        let command = &container[probe]["exec"]["command"];
        assert_eq!(command[0].as_str(), Some("/shanzhi"), "{probe}");
        assert_eq!(command[1].as_str(), Some("health"), "{probe}");
    }
    assert_eq!(pod["securityContext"]["runAsNonRoot"].as_bool(), Some(true));
    assert!(
        set["spec"]["volumeClaimTemplates"][0]["spec"]["accessModes"][0].as_str()
            == Some("ReadWriteOnce")
    );
    // The configuration it mounts is one the binary accepts.
    config_accepted(kind("ConfigMap")["data"]["shanzhi.toml"].as_str().unwrap());

    let (_, compose) = files
        .iter()
        .find(|(name, _)| name == "compose.yaml")
        .unwrap();
    let service = &compose[0]["services"]["shanzhi"];
    assert_eq!(service["stop_grace_period"].as_str(), Some("30s"));
    assert_eq!(
        service["build"]["dockerfile"].as_str(),
        Some("deploy/Containerfile")
    );
}

#[test]
fn the_example_config_file_is_accepted() {
    config_accepted(&std::fs::read_to_string(deploy().join("shanzhi.toml")).unwrap());
}

#[test]
fn the_containerfiles_run_the_binary_as_a_non_root_user_with_a_health_check() {
    for name in ["Containerfile", "Containerfile.prebuilt"] {
        let text = std::fs::read_to_string(deploy().join(name)).unwrap();
        let last_from = text.rfind("\nFROM ").unwrap();
        let runtime = &text[last_from..];
        assert!(runtime.starts_with("\nFROM scratch"), "{name}");
        for needed in [
            "USER 10001:10001",
            "VOLUME [\"/data\"]",
            "CMD [\"/shanzhi\", \"health\"]",
            "ENTRYPOINT [\"/shanzhi\"]",
        ] {
            assert!(runtime.contains(needed), "{name} lacks {needed}");
        }
    }
}
