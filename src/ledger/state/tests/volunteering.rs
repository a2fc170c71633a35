//! Points for volunteers, as the architecture keeps them apart: no assistance decision reads
//! points. The programs' rooms (and the volunteering room, which only says whether an award
//! fits its activity) never touch an account, a balance, a score or a claim; only
//! `claims/award.rs` credits points. A source check, so that a later change that lets a
//! program read points fails here rather than in an audit.

use std::path::Path;

/// The programs' rooms, relative to `src/ledger/state`.
const PROGRAM_ROOMS: [&str; 12] = [
    "assistance",
    "benefits",
    "casework",
    "children",
    "elderly",
    "funeral",
    "organizations",
    "places",
    "projects",
    "rescue",
    "subjects.rs",
    "volunteering.rs",
];

/// What a room reading points would name.
const POINTS_WORDS: [&str; 7] = [
    ".accounts",
    "Points",
    "balance",
    "score",
    ".claims",
    "AccountId",
    "credit_household",
];

fn rust_files(path: &Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            rust_files(&entry.unwrap().path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_owned());
    }
}

#[test]
fn no_program_room_reads_points() {
    let state = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ledger/state");
    let mut files = Vec::new();
    for room in PROGRAM_ROOMS {
        rust_files(&state.join(room), &mut files);
    }
    assert!(files.len() >= 30, "the rooms moved: {files:?}");
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for word in POINTS_WORDS {
                if code.contains(word) {
                    found.push(format!("{}:{}: {word}", file.display(), number + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "a program room reads points: {found:#?}");
}
