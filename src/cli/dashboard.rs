//! The bureau's dashboard: one call per program's indicators (elderly care's nursing-bed
//! ratio and the rest, cases overdue, plots allocated, organizations on each list, the capital
//! projects' completion), for the city or an area. Each line stands alone: a program the key
//! may not read says so and the others are still printed.

use anyhow::Result;
use clap::Args;

use shanzhi::client::LedgerClient;
use shanzhi::pb::casework as cw;
use shanzhi::pb::organizations as opb;

use super::ReadArgs;
use super::projects::yuan;

/// `shanzhi dashboard`: the programs' indicators.
#[derive(Args)]
pub struct DashboardArgs {
    #[command(flatten)]
    read: ReadArgs,
    /// Only this registered area and those below (default: the whole city).
    #[arg(long, default_value = "")]
    area: String,
}

/// The most pages of overdue cases the dashboard counts (a page examines at most 4,096
/// cases): past it, the count is given as a lower bound.
const MAX_CASE_PAGES: usize = 256;

impl DashboardArgs {
    /// Prints the dashboard.
    pub async fn run(self) -> Result<()> {
        let (signer, mut client) = self.read.open().await?;
        let area = self.area.as_str();
        println!(
            "dashboard of {}",
            if area.is_empty() { "the city" } else { area }
        );
        let line = |program: &str, result: Result<String, tonic::Status>| match result {
            Ok(text) => println!("{program}: {text}"),
            Err(status) => println!("{program}: not shown ({})", super::status_error(status)),
        };
        match client.elderly_indicators(&signer, area, 0).await {
            Ok(i) => super::elderly::print_indicators(&i),
            Err(status) => line("elderly care", Err(status)),
        }
        line("cases overdue", overdue(&mut client, &signer, area).await);
        line(
            "funeral",
            client.cemeteries(&signer, area).await.map(|c| {
                format!(
                    "plots allocated {} of {} ({} terms ended)",
                    c.plots_allocated, c.plots, c.plots_term_ended
                )
            }),
        );
        let mut lists = Vec::new();
        for list in ["abnormal", "serious"] {
            let ask = opb::ListListedRequest {
                list: list.into(),
                area_code: area.into(),
                page_size: 1,
                page_token: String::new(),
            };
            match client.listed(&signer, ask).await {
                Ok(page) => lists.push(format!("{list} list {}", page.total)),
                Err(status) => {
                    lists.clear();
                    line("organizations", Err(status));
                    break;
                }
            }
        }
        if !lists.is_empty() {
            line("organizations", Ok(lists.join(", ")));
        }
        line(
            "projects",
            client.portfolio(&signer, area, 0).await.map(|p| {
                let per_mille =
                    u128::from(p.invested_fen) * 1000 / u128::from(p.planned_fen.max(1));
                format!(
                    "{} projects, invested {} of {} planned ({}.{}%)",
                    p.lines.len(),
                    yuan(p.invested_fen),
                    yuan(p.planned_fen),
                    per_mille / 10,
                    per_mille % 10
                )
            }),
        );
        Ok(())
    }
}

/// How many cases the key sees overdue within `area`, paging through the list.
async fn overdue(
    client: &mut LedgerClient,
    signer: &shanzhi::client::Signer,
    area: &str,
) -> Result<String, tonic::Status> {
    let mut ask = cw::ListCasesRequest {
        filter: cw::CaseFilter::Overdue.into(),
        area_code: area.into(),
        case_type: String::new(),
        page_size: 500,
        page_token: String::new(),
    };
    let mut count = 0usize;
    for _ in 0..MAX_CASE_PAGES {
        let page = client.cases(signer, ask.clone()).await?;
        count += page.cases.len();
        if page.next_page_token.is_empty() {
            return Ok(count.to_string());
        }
        ask.page_token = page.next_page_token;
    }
    Ok(format!("at least {count}"))
}
