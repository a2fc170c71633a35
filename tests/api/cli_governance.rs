//! The governance commands as a bureau and a village run them: a catalogue adopted from a
//! file (and resumed after an interruption), read back and copied into a village's own
//! catalogue, a widening village rule refused, and a village policy with the documented
//! defaults.

use std::path::Path;

use shanzhi::client::{LedgerClient, Signer};
use shanzhi::crypto::KeyFile;
use shanzhi::ledger::{CivilDate, UnixMs};

use crate::cli::{keygen, serve};

fn tomorrow() -> CivilDate {
    CivilDate::of(UnixMs(shanzhi::writer::now_unix_ms())).add_days(1)
}

/// How many receipts (`#<sequence> <time> <kind> …` lines) a command printed.
fn receipts(output: &str) -> usize {
    output.lines().filter(|l| l.starts_with('#')).count()
}

fn rule(i: usize) -> serde_json::Value {
    serde_json::json!({
        "code": format!("ENV-{i:02}"),
        "title": format!("环境卫生 {i}"),
        "category": "环境卫生",
        "sign": "award",
        "points_per_unit": 5,
        "unit": "次",
        "max_quantity": 3,
        "evidence_required": i == 0,
        "caps": [{"per": "household", "period": "month", "max_points": 30}]
    })
}

fn today() -> CivilDate {
    CivilDate::of(UnixMs(shanzhi::writer::now_unix_ms()))
}

fn catalogue_file(scope: &str, version: u32, rules: Vec<serde_json::Value>) -> String {
    let from = tomorrow().to_string();
    let resolved = today().to_string();
    serde_json::json!({
        "scope": scope,
        "version": version,
        "effective_from": from,
        "resolution": {
            "date": resolved,
            "title": "宜都市积分管理目录",
            "document_sha256": "ab".repeat(32)
        },
        "rules": rules
    })
    .to_string()
}

#[tokio::test]
async fn a_bureau_and_a_village_adopt_catalogues_and_a_policy_with_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = serve(&data).await;
    let admin_path = data.join("keys/bureau-admin.key");
    let admin = admin_path.to_str().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let from = tomorrow().to_string();

    server.run(&[
        "register-village",
        "--key",
        admin,
        "--id",
        "gaoba",
        "--name",
        "高坝村",
    ]);
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
    let officer = path("officer.key");

    // The city's catalogue of 25 rules: open, two additions (20 + 5), seal.
    std::fs::write(
        path("city.json"),
        catalogue_file("city", 1, (0..25).map(rule).collect()),
    )
    .unwrap();
    let adopted = server.run(&[
        "adopt-catalogue",
        "--key",
        admin,
        "--file",
        &path("city.json"),
    ]);
    assert_eq!(receipts(&adopted), 4, "{adopted}");
    // Adopting it again changes nothing.
    let again = server.run(&[
        "adopt-catalogue",
        "--key",
        admin,
        "--file",
        &path("city.json"),
    ]);
    assert!(
        again.contains("already adopted: sealed at entry"),
        "{again}"
    );
    let shown = server.run(&[
        "catalogue",
        "--key",
        &officer,
        "--scope",
        "city",
        "--on",
        &from,
    ]);
    assert!(
        shown.contains("catalogue version 1 of city: sealed at entry"),
        "{shown}"
    );
    assert!(
        shown.contains("ENV-00  +5 per 次, at most 3 per claim, evidence required, caps 30 per household per month"),
        "{shown}"
    );
    assert_eq!(shown.matches("  ENV-").count(), 25, "{shown}");
    // Nothing is in force today: the catalogue starts tomorrow.
    let today = server.try_run(&["catalogue", "--key", &officer, "--scope", "city"]);
    assert!(!today.status.success());
    assert!(String::from_utf8_lossy(&today.stderr).contains("NotFound"));

    // The village copies two city rules into its own catalogue, and widens one: refused.
    let json = server.run(&[
        "catalogue",
        "--key",
        &officer,
        "--scope",
        "city",
        "--version",
        "1",
        "--json",
    ]);
    let mut copy: serde_json::Value = serde_json::from_str(&json).unwrap();
    copy["scope"] = "village:gaoba".into();
    let rules = copy["rules"].as_array_mut().unwrap();
    rules.truncate(2);
    rules[1]["points_per_unit"] = 6.into();
    std::fs::write(path("gaoba.json"), copy.to_string()).unwrap();
    let widened = server.try_run(&[
        "adopt-catalogue",
        "--key",
        &officer,
        "--file",
        &path("gaoba.json"),
    ]);
    assert!(!widened.status.success());
    let stderr = String::from_utf8_lossy(&widened.stderr);
    assert!(
        stderr.contains("FailedPrecondition")
            && stderr.contains("points_per_unit expected at most 5"),
        "{stderr}"
    );
    // Corrected, the same version number is refused by the CLI: a version is never edited.
    copy["rules"][1]["points_per_unit"] = 4.into();
    std::fs::write(path("gaoba.json"), copy.to_string()).unwrap();
    let edited = server.try_run(&[
        "adopt-catalogue",
        "--key",
        &officer,
        "--file",
        &path("gaoba.json"),
    ]);
    let stderr = String::from_utf8_lossy(&edited.stderr);
    assert!(stderr.contains("adopt version 2 instead"), "{stderr}");
    copy["version"] = 2.into();
    std::fs::write(path("gaoba.json"), copy.to_string()).unwrap();
    server.run(&[
        "adopt-catalogue",
        "--key",
        &officer,
        "--file",
        &path("gaoba.json"),
    ]);
    let village = server.run(&[
        "catalogue",
        "--key",
        admin,
        "--scope",
        "village:gaoba",
        "--on",
        &from,
    ]);
    assert!(
        village.contains("catalogue version 2 of village:gaoba"),
        "{village}"
    );
    assert!(village.contains("ENV-01  +4 per 次"), "{village}");

    // An interrupted adoption (opened, 20 of 25 rules added) goes on where it stopped.
    let mut v2: Vec<_> = (0..25).map(rule).collect();
    v2[24]["points_per_unit"] = 4.into();
    let text = catalogue_file("city", 2, v2);
    std::fs::write(path("city2.json"), &text).unwrap();
    {
        use shanzhi::pb::governance as gov;
        use shanzhi::testkit::{add_rules, city};
        let file: serde_json::Value = serde_json::from_str(&text).unwrap();
        let signer = Signer::new(KeyFile::read(&admin_path).unwrap());
        let mut client = LedgerClient::connect(&server.url).await.unwrap();
        // The same rules the CLI will build from the file (checked by the hash at the seal).
        let rules: Vec<gov::Rule> = (0..20)
            .map(|i| {
                let mut r = shanzhi::testkit::award_rule(&format!("ENV-{i:02}"), 5, 3);
                r.title = format!("环境卫生 {i}");
                r.evidence_required = i == 0;
                r.caps = vec![shanzhi::testkit::household_cap(gov::CapPeriod::Month, 30)];
                r
            })
            .collect();
        let all: Vec<gov::Rule> = rules
            .iter()
            .cloned()
            .chain((20..25).map(|i| {
                let mut r = rules[1].clone();
                r.code = format!("ENV-{i:02}");
                r.title = format!("环境卫生 {i}");
                if i == 24 {
                    r.points_per_unit = 4;
                }
                r
            }))
            .collect();
        let from_days = CivilDate::parse("d", file["effective_from"].as_str().unwrap())
            .unwrap()
            .days();
        let mut open = shanzhi::testkit::open_catalogue(city(), 2, from_days, &all);
        if let shanzhi::pb::points::transaction_body::Operation::Governance(
            gov::GovernanceOperation {
                operation: Some(gov::governance_operation::Operation::OpenCatalogue(o)),
            },
        ) = &mut open
        {
            o.resolution = Some(gov::Resolution {
                date: CivilDate::parse("d", file["resolution"]["date"].as_str().unwrap())
                    .unwrap()
                    .days(),
                document_sha256: vec![0xab; 32],
                title: "宜都市积分管理目录".into(),
            });
        }
        client.submit(&signer, open).await.unwrap();
        client
            .submit(&signer, add_rules(city(), 2, &rules))
            .await
            .unwrap();
    }
    let resumed = server.run(&[
        "adopt-catalogue",
        "--key",
        admin,
        "--file",
        &path("city2.json"),
    ]);
    assert!(
        resumed.contains("is open with 20 of 25 rules; going on"),
        "{resumed}"
    );
    assert_eq!(receipts(&resumed), 2, "{resumed}");
    let city2 = server.run(&[
        "catalogue",
        "--key",
        admin,
        "--scope",
        "city",
        "--version",
        "2",
    ]);
    assert!(city2.contains("sealed at entry"), "{city2}");

    // Long titles: the rules go in as many transactions as their size needs.
    let long: Vec<_> = (0..6)
        .map(|i| {
            let mut r = rule(i);
            r["code"] = format!("LONG-{i}").into();
            r["title"] = "环".repeat(128).into();
            r["category"] = "卫".repeat(128).into();
            r["unit"] = "次".repeat(128).into();
            r
        })
        .collect();
    std::fs::write(path("township.json"), catalogue_file("program:p", 1, long)).unwrap();
    server.run(&[
        "register-program",
        "--key",
        admin,
        "--id",
        "p",
        "--name",
        "志愿服务",
    ]);
    let adopted = server.run(&[
        "adopt-catalogue",
        "--key",
        admin,
        "--file",
        &path("township.json"),
    ]);
    assert!(
        receipts(&adopted) > 3,
        "one open, several additions, one seal: {adopted}"
    );
    let program = server.run(&[
        "catalogue",
        "--key",
        admin,
        "--scope",
        "program:p",
        "--version",
        "1",
    ]);
    assert!(
        program.contains("sealed at entry") && program.contains("rules: 6 of 6"),
        "{program}"
    );

    // The village's policy: the documented defaults, then read back.
    std::fs::write(path("resolution.pdf"), b"the resolution").unwrap();
    let refused = server.try_run(&[
        "set-policy",
        "--key",
        &officer,
        "--village",
        "gaoba",
        "--version",
        "1",
        "--effective-from",
        &from,
        "--resolution-title",
        "积分管理办法",
        "--resolution-document",
        &path("resolution.pdf"),
        "--lot-expiry",
        "0",
    ]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("InvalidArgument") && stderr.contains("lot_expiry.months"),
        "{stderr}"
    );
    server.run(&[
        "set-policy",
        "--key",
        &officer,
        "--village",
        "gaoba",
        "--version",
        "1",
        "--effective-from",
        &from,
        "--resolution-title",
        "积分管理办法",
        "--resolution-document",
        &path("resolution.pdf"),
        "--stars",
        "100,300,600",
    ]);
    let policy = server.run(&[
        "policy",
        "--key",
        admin,
        "--village",
        "gaoba",
        "--on",
        &from,
    ]);
    for line in [
        "policy version 1 of village gaoba",
        "notice days: 7",
        "reviewers per claim: 1",
        "claims at most 90 days after the deed",
        "star thresholds: 100, 300, 600",
        "lots expire: at the end of the following year",
    ] {
        assert!(policy.contains(line), "{line}: {policy}");
    }
    assert!(server.terminate().await.success());
}
