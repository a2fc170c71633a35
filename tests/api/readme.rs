//! The README's walkthrough with the CLI, run verbatim (its `sh` blocks, in order) by the real
//! binary against a fresh server, so the README cannot drift from the commands it shows. The
//! server runs in the test with an adjustable clock: where the walkthrough says that seven
//! days pass, the test lets them pass on the server's clock instead of sleeping. After it, no
//! name, identity number or phone number the walkthrough used is in any stored log entry.

use std::time::Duration;

use crate::helpers::TestApp;

const BIN: &str = env!("CARGO_BIN_EXE_shanzhi");
/// The walkthrough's line where the notice runs its days.
const SEVEN_DAYS_LATER: &str = "# ... seven days later, the notice has run ...";
/// The walkthrough's line where the 低保 case's notice runs its days.
const CASE_NOTICE_OVER: &str = "# ... seven days later, the case's notice has run ...";
/// The walkthrough's line where the month of the sale ends.
const MONTH_ENDED: &str = "# ... the month has ended, and the refund window after it ...";
/// The walkthrough's pauses, in order: its line, a marker file, and the days that pass there
/// (40 after the first 7: the sale's month has ended, whatever day the test runs).
const PAUSES: [(&str, &str, u64); 3] = [
    (SEVEN_DAYS_LATER, ".seven-days", 7),
    (CASE_NOTICE_OVER, ".case-notice", 7),
    (MONTH_ENDED, ".month-ended", 40),
];
/// Generous: the walkthrough runs some sixty commands, on a shared 2-core machine in CI.
const WALKTHROUGH_TIMEOUT: Duration = Duration::from_secs(120);

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
    // The walkthrough's child (42058120160315002X, born 2016-03-15) is left behind while under
    // 16: from 2032-03-15 the walkthrough needs a younger child's number.
    let today =
        shanzhi::ledger::CivilDate::of(shanzhi::ledger::UnixMs(shanzhi::writer::now_unix_ms()));
    assert!(
        today.ymd() < (2032, 3, 15),
        "the README walkthrough's child is 16: give it a younger child's identity number"
    );
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    // The walkthrough's ./data is the server's data directory.
    std::os::unix::fs::symlink(app.data.path(), dir.path().join("data")).unwrap();
    let script = walkthrough();
    for needed in [
        "adopt-catalogue",
        "finalize-notice",
        SEVEN_DAYS_LATER,
        CASE_NOTICE_OVER,
        MONTH_ENDED,
    ] {
        assert!(script.contains(needed), "{needed}: {script}");
    }
    // The alias builds and runs the release binary; here the test's binary stands in for it.
    let alias = "alias shanzhi='cargo run --release --quiet --'";
    assert!(
        script.contains(alias),
        "the walkthrough's alias changed: {script}"
    );
    let mut script = script.replace(alias, &format!("alias shanzhi='{BIN}'"));
    for (line, marker, _) in PAUSES {
        script = script.replace(
            line,
            &format!("touch {marker}; while [ -e {marker} ]; do sleep 0.02; done"),
        );
    }
    let prelude = format!(
        "set -euo pipefail\nshopt -s expand_aliases\nexport SHANZHI_SERVER={}\n",
        app.url
    );
    let mut child = tokio::process::Command::new("bash")
        .arg("-c")
        .arg(prelude + &script)
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    for (_, marker, days) in PAUSES {
        let marker = dir.path().join(marker);
        let mut waited = Duration::ZERO;
        while !marker.exists() {
            if child.try_wait().unwrap().is_some() {
                let out = child.wait_with_output().await.unwrap();
                let stderr = String::from_utf8_lossy(&out.stderr);
                let last: Vec<&str> = stderr.lines().rev().take(4).collect();
                panic!(
                    "the walkthrough ended before {}; its last errors:\n{}",
                    marker.display(),
                    last.join("\n")
                );
            }
            assert!(
                waited < WALKTHROUGH_TIMEOUT,
                "the walkthrough never reached {}",
                marker.display()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
            waited += Duration::from_millis(20);
        }
        app.advance_days(days);
        std::fs::remove_file(&marker).unwrap();
    }
    let output = tokio::time::timeout(WALKTHROUGH_TIMEOUT, child.wait_with_output())
        .await
        .expect("the walkthrough finishes")
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("AlreadyExists DUPLICATE_ID_NUMBER"),
        "the second registration of one number was not refused as a duplicate: {stderr}"
    );
    assert!(
        stderr.contains("FailedPrecondition NOTHING_TO_PAY"),
        "the second payment of the month was not refused: {stderr}"
    );
    assert!(
        stderr.matches("PermissionDenied ROLE_NOT_ALLOWED").count() >= 2,
        "the director's approval of the plan and the caseworker's read of a child's file were \
         not refused: {stderr}"
    );
    assert!(
        stderr.contains("FailedPrecondition STATE_NOT_OVER"),
        "the early confirmation was not refused for its notice: {stderr}"
    );
    let listed_one = stdout
        .find("cases listed: 1")
        .expect("the case on notice listed");
    let listed_none = stdout
        .find("cases listed: 0")
        .expect("no review due listed");
    assert!(
        listed_one < listed_none,
        "the lists' outputs are out of order"
    );
    let alert_open = stdout
        .find("tasks listed: 1")
        .expect("the open alert listed");
    let alert_gone = stdout.find("tasks listed: 0").expect("no alert left open");
    assert!(
        alert_open < alert_gone,
        "the alert lists' outputs are out of order"
    );
    assert!(
        output.status.success(),
        "the walkthrough failed:\n{}\n--- stdout ---\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "household:hh-001 -> shop:shop-1: 25 points (points of issuer gaoba)",
        "household:hh-001 -> shop:shop-1: 5 points (points of issuer volunteers)",
        "catalogue version 1 of village:gaoba: sealed at entry",
        "ENV-01  +4 per 次",
        "notice days: 7",
        "objection o-1 to c-001: the lane was not cleaned (upheld: confirmed on site)",
        "c-001  hh-002  ENV-01 × 3 = +12 points",
        "c-002  hh-001  ENV-01 × 2 = +8 points",
        "c-003  hh-001  LITTER-01 × 1 = -10 points",
        "balance: 13",
        "birth date: 19491231, sex: female",
        "person id: ",
        "refused: one person per identity number",
        "identity number 11010519491231002X, born 19491231, female",
        "purpose \"registration check\"",
        "chain checked: 3 events",
        "objection 1 filed",
        "refused: the notice has not run",
        "state on-notice",
        "cases listed: 1",
        "state confirmed",
        "review yearly due",
        "objection 1: a car registered to the household (upheld by",
        "on-notice -> investigating by",
        "cases listed: 0",
        "payments: 1, total: 500.50 yuan",
        ",dibao,",
        ",420581102001,50050,500.50",
        "refused: this month is paid",
        "at 500.50 yuan a month",
        "version 1 from ",
        "standard 720.00 yuan a month",
        ": medical-expense",
        "tasks listed: 1",
        "tasks listed: 0",
        "organization id: ",
        "boards of village gaoba",
        "hh-001  deducted 10",
        "\"张晓红\"  revision 2",
        "(erased)  revision 3",
        "terminal key id:",
        "shop:shop-1 -> household:hh-001: 4 points (points of issuer gaoba)",
        "shop:shop-1 -> household:hh-001: 1 points (points of issuer volunteers)",
        "issuer gaoba: sold 25, refunded 4, receivable 21; not settled",
        "issuer volunteers: sold 5, refunded 1, receivable 4; not settled",
        "shop-1,", // the settled statement as CSV
        "shop:shop-1 -> bureau-fund: 21 points",
        "shop:shop-1 -> bureau-fund: 4 points",
        "report of issuer gaoba for",
        // The children's walkthrough: the concern closed with the case, the case closed, the
        // file read by the director and refused to the caseworker.
        "refused: the supervisor approves the plan",
        "state closed",
        "active category: left-behind in 420581102001",
        "from mandatory-reporter in 420581102001",
        ": case-opened case ",
        ": at school, well",
        "refused: a child's file is the network's",
        // The capital projects' walkthrough: the decrease refused, the audit's correction
        // beside the report it corrects, the portfolio's figures.
        "refused: an investment never decreases",
        "2023-06 correction (audit ",
        ": cumulative 11000000.00 yuan by ",
        "milestone approval (审批手续) due 2023-03-31: reached 2023-03-20",
        "invested 31500000.00 yuan (22.7%); 2023: planned 30000000.00 yuan, invested 31500000.00 yuan; milestones 1/2 reached, 1 overdue; last reported 2023-12",
        // The place names' walkthrough: no address before approval, the name taken, the
        // door number in use, the address on the approved road.
        "refused: no name before approval",
        "refused: the name is taken in this scope",
        "refused: door 18 is in use",
        "清江路 (Qingjiang Lu, road) in 420581102",
        " No. 18 in 420581102001: in use",
        // The organizations' walkthrough: listed for the missing report, the serious list and a
        // second grant refused, the late report, the illegal organization banned.
        "on the abnormal list: 1",
        "refused: two years on the abnormal list first",
        "refused: one grant per organization",
        "filed ",
        " (late)",
        "grant 30000.00 yuan of contest venture: 留守儿童陪伴",
        "removed on ",
        "closed banned on ",
        // The funeral walkthrough: the certificate first, the plot, the subsidy once, the grave
        // verified by the bureau.
        "refused: the certificate comes first",
        "booked cremation on ",
        "plot gaoba-yicun/A-01",
        "subsidy 1500.00 yuan: basic funeral services",
        "refused: one subsidy per deceased",
        "1 of 2 plots allocated",
        "refused: another key verifies",
        "identified 0, cleared 0, verified 1",
        // The elderly care walkthrough: the tier the record gives, one lunch a day, the
        // indicators.
        "refused: the record gives another age tier",
        "refused: one subsidized meal per slot and day",
        "canteen gaoba-yicun (90+), 1 meals, 5.00 yuan; adaptation completed",
        "nursing beds 80 of 120 (66.6%, target 60%: met) in 1 operating institutions",
        "staff certificates valid: 1; canteens 1, diners 1, subsidized meals 1 (5.00 yuan)",
        "home adaptations open 0, completed 1; insured in ",
        // Points for volunteers: a shift awarded once, none for the diner's shift.
        "issuer:canteen-volunteers -> household:hh-001: 15 points",
        "refused: one award per activity",
        "shift-0001 canteen-shift of elderly-care at gaoba-yicun on ",
        "awarded at entry ",
        "issuer:visit-volunteers -> household:hh-001: 10 points",
        "points of issuer canteen-volunteers: 15",
        "points of issuer visit-volunteers: 10",
        "refused: elderly care serves the diner",
        // The rescue walkthrough: declined help stands, the notice first, a minor escorted.
        "refused: help is voluntary",
        "refused: the tracing notice comes first",
        "refused: a minor leaves escorted",
        "(minor) in 420581102: discharged to guardian",
        "2 encounters, 1 accepted, 1 declined, 1 admissions",
        // The dashboard: a line per program.
        "dashboard of the city",
        "cases overdue: 0",
        "funeral: plots allocated 1 of 2 (0 terms ended)",
        "organizations: abnormal list 0, serious list 0",
        "projects: 1 projects, invested 31500000.00 yuan of 138280000.00 yuan planned (22.7%)",
    ] {
        assert!(stdout.contains(expected), "{expected}:\n{stdout}");
    }
    assert!(stdout.contains("rejected at entry"), "{stdout}");

    // No personal data the walkthrough used is in any stored log entry: names, identity
    // numbers (with and without the check character), phone numbers.
    let mut app = app;
    crate::helpers::verify_whole_log(&mut app).await;
    let admin = app.admin.clone();
    let size = app.log_size().await;
    let entries = app.client.log_entries(&admin, 0, size).await.unwrap();
    assert!(entries.len() as u64 == size && size > 60, "{size} entries");
    let personal = [
        "王秀英",
        "李桂兰",
        "张晓红",
        "11010519491231002X",
        "11010519491231002",
        "420581196207080046",
        "42058119620708004",
        "13907170001",
        "13907170002",
        "陈小雨",
        "42058120160315002X",
        "42058120160315002",
        "13907170003",
        "赵德明",
        "420581193001010022",
        "42058119300101002",
        "13907170005",
        "刘长福",
        "420581193802140046",
        "42058119380214004",
        "13907170006",
        "42058119850611003X",
        "42058119850611003",
        "420581196609180058",
        "42058119660918005",
    ];
    for needle in personal {
        assert!(
            readme_uses(needle),
            "{needle} is not in the walkthrough any more"
        );
        for (sequence, entry) in entries.iter().enumerate() {
            assert!(
                !entry.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} is in log entry {sequence}"
            );
        }
    }
}

/// Whether the walkthrough uses `text`.
fn readme_uses(text: &str) -> bool {
    walkthrough().contains(text)
}
