//! The README's walkthrough with the CLI, run verbatim (its `sh` blocks, in order) against a
//! fresh server, so the README cannot drift from the commands it shows.

use std::process::Command;

use crate::cli::serve;

const BIN: &str = env!("CARGO_BIN_EXE_shanzhi");

/// The `sh` blocks of the README between `## Walkthrough with the CLI` and the next `## `.
fn walkthrough() -> String {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("## Walkthrough with the CLI")
        .expect("the README has a CLI walkthrough");
    let section = &readme[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |i| i + 3);
    let mut script = String::new();
    let mut in_sh = false;
    for line in section[..end].lines() {
        match (in_sh, line) {
            (false, "```sh") => in_sh = true,
            (true, "```") => in_sh = false,
            (true, line) => {
                script.push_str(line);
                script.push('\n');
            }
            _ => {}
        }
    }
    script
}

#[tokio::test]
async fn the_readme_walkthrough_runs_verbatim_on_a_fresh_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir.path().join("data")).await;
    let script = walkthrough();
    assert!(script.contains("alias shanzhi="), "{script}");
    assert!(script.contains("adopt-catalogue"), "{script}");
    // The alias builds and runs the release binary; here the test's binary stands in for it.
    let prelude = format!(
        "set -euo pipefail\nshopt -s expand_aliases\nexport SHANZHI_SERVER={}\n",
        server.url
    );
    let alias = "alias shanzhi='cargo run --release --quiet --'";
    assert!(
        script.contains(alias),
        "the walkthrough's alias changed: {script}"
    );
    let script = script.replace(alias, &format!("alias shanzhi='{BIN}'"));
    let output = Command::new("bash")
        .arg("-c")
        .arg(prelude + &script)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the walkthrough failed:\n{}\n--- stdout ---\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "household:hh-001 -> shop:shop-1: 12 points",
        "catalogue version 1 of village:gaoba: sealed at entry",
        "ENV-01  +4 per 次",
        "notice days: 7",
    ] {
        assert!(stdout.contains(expected), "{expected}:\n{stdout}");
    }
    assert!(server.terminate().await.success());
}
