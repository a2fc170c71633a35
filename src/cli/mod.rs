//! The `shanzhi` command's arguments: those shared by every client command, the write and
//! read commands (each signs with a key file and talks to a server), and the server's
//! settings (`serve.rs`: flags, environment, config file).

mod assistance;
mod audit;
mod benefits;
mod casework;
mod catalogue_file;
mod children;
mod claims;
mod dashboard;
mod directory;
mod elderly;
mod funeral;
mod governance;
mod members;
mod organizations;
mod places;
pub mod print;
mod projects;
mod read;
mod rescue;
pub mod serve;
mod shops;
mod subjects;
mod write;

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use shanzhi::client::{LedgerClient, Signer};

/// What every authenticated read takes.
#[derive(Args)]
pub struct ReadArgs {
    #[command(flatten)]
    connection: Connection,
    #[command(flatten)]
    signing: Signing,
}

impl ReadArgs {
    /// Loads the key and connects.
    pub async fn open(&self) -> Result<(Signer, LedgerClient)> {
        Ok((self.signing.signer()?, self.connection.connect().await?))
    }
}
use shanzhi::crypto::KeyFile;

pub use assistance::AssistanceCommand;
pub use audit::AuditCommand;
pub use benefits::BenefitsCommand;
pub use casework::CaseworkCommand;
pub use children::ChildrenCommand;
pub use claims::ClaimsCommand;
pub use dashboard::DashboardArgs;
pub use directory::DirectoryCommand;
pub use elderly::ElderlyCommand;
pub use funeral::FuneralCommand;
pub use governance::GovernanceCommand;
pub use members::MembersCommand;
pub use organizations::OrganizationsCommand;
pub use places::PlacesCommand;
pub use projects::ProjectsCommand;
pub use read::ReadCommand;
pub use rescue::RescueCommand;
pub use shops::ShopsCommand;
pub use subjects::SubjectsCommand;
pub use write::WriteCommand;

/// Where the server is, and how to reach it over TLS.
#[derive(Args)]
pub struct Connection {
    /// The server's URL (`https://…` for a server with TLS).
    #[arg(long, env = "SHANZHI_SERVER", default_value = "http://127.0.0.1:50051")]
    pub server: String,
    /// CA certificate (PEM) the server's certificate must chain to.
    #[arg(long, env = "SHANZHI_CA")]
    pub ca: Option<PathBuf>,
    /// This client's certificate (PEM), for a server that requires one (mTLS).
    #[arg(long, env = "SHANZHI_CERT", requires = "key_tls")]
    pub cert: Option<PathBuf>,
    /// The private key of --cert (PEM).
    #[arg(long, env = "SHANZHI_KEY_TLS", requires = "cert")]
    pub key_tls: Option<PathBuf>,
}

impl Connection {
    fn tls(&self) -> shanzhi::tls::ClientTls {
        shanzhi::tls::ClientTls {
            ca: self.ca.clone(),
            cert: self.cert.clone(),
            key: self.key_tls.clone(),
        }
    }

    /// Connects and learns the ledger id.
    pub async fn connect(&self) -> Result<LedgerClient> {
        Ok(LedgerClient::connect_with(&self.server, &self.tls()).await?)
    }

    /// A channel to the server, nothing asked yet.
    pub async fn channel(&self) -> Result<tonic::transport::Channel> {
        Ok(shanzhi::client::channel(&self.server, &self.tls()).await?)
    }
}

/// Which key signs.
#[derive(Args)]
pub struct Signing {
    /// The key file to sign with.
    #[arg(long, env = "SHANZHI_KEY")]
    pub key: PathBuf,
}

impl Signing {
    /// Loads the key file.
    pub fn signer(&self) -> Result<Signer> {
        load_signer(&self.key)
    }
}

/// Loads a key file as a signer.
pub fn load_signer(path: &Path) -> Result<Signer> {
    Ok(Signer::new(KeyFile::read(path)?))
}

/// A gRPC status as an error a person can read: the code, the stable reason (when the server
/// sent one) and the server's message.
/// A 16-byte id (a member, person, organization or case) given as 32 hex characters to
/// `flag`.
pub(crate) fn id16(flag: &str, text: &str) -> anyhow::Result<[u8; 16]> {
    hex::decode(text)
        .ok()
        .and_then(|bytes| <[u8; 16]>::try_from(bytes).ok())
        .ok_or_else(|| {
            anyhow::anyhow!("{flag}: expected 32 hex characters (16 bytes), found {text:?}")
        })
}

pub fn status_error(status: tonic::Status) -> anyhow::Error {
    match shanzhi::api::reason_of(&status) {
        Some(reason) => anyhow::anyhow!("{:?} {reason}: {}", status.code(), status.message()),
        None => anyhow::anyhow!("{:?}: {}", status.code(), status.message()),
    }
}
