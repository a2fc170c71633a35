//! Shops' terminals: activation codes as people read and type them, and a terminal's
//! activation, the one transaction signed by a key not registered yet.

use super::{LedgerClient, Signer};
use crate::ledger::ACTIVATION_CODE_BYTES;
use crate::pb::points as pb;
use crate::pb::shops as shops_pb;

/// A new random activation code.
pub fn new_activation_code() -> [u8; ACTIVATION_CODE_BYTES] {
    crate::crypto::random_bytes()
}

/// An activation code as people read and type it: RFC 4648 base32 (A–Z, 2–7), 24
/// characters in six groups of four, e.g. `MFRG-GZDF-MZTW-Q2LK-NNWG-23TP`.
pub fn activation_code_text(code: &[u8]) -> String {
    let text = data_encoding::BASE32_NOPAD.encode(code);
    text.as_bytes()
        .chunks(4)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Parses an activation code typed by a person: base32, any case, dashes and spaces ignored.
pub fn parse_activation_code(text: &str) -> Result<Vec<u8>, String> {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let code = data_encoding::BASE32_NOPAD
        .decode(cleaned.as_bytes())
        .map_err(|_| format!("expected an activation code like MFRG-GZDF-…, found {text:?}"))?;
    if code.len() != ACTIVATION_CODE_BYTES {
        return Err(format!(
            "expected an activation code of {} characters, found {}",
            ACTIVATION_CODE_BYTES * 8 / 5,
            cleaned.len()
        ));
    }
    Ok(code)
}

/// The operation by which `terminal` activates itself for `shop` with `code`.
pub fn activate_terminal_operation(
    shop: &str,
    code: &[u8],
    terminal: &Signer,
) -> pb::transaction_body::Operation {
    pb::transaction_body::Operation::Shops(shops_pb::ShopsOperation {
        operation: Some(shops_pb::shops_operation::Operation::ActivateTerminal(
            shops_pb::ActivateTerminal {
                shop_id: shop.to_owned(),
                code: code.to_vec(),
                public_key: terminal.public_key(),
            },
        )),
    })
}

impl LedgerClient {
    /// Reads an issuer's report of `month` ("YYYY-MM") as `signer`.
    pub async fn issuer_report(
        &mut self,
        signer: &Signer,
        issuer: &str,
        month: &str,
    ) -> Result<shops_pb::IssuerReport, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            crate::api::auth::methods::GET_ISSUER_REPORT,
            shops_pb::GetIssuerReportRequest {
                issuer_id: issuer.to_owned(),
                month: month.to_owned(),
            },
        );
        self.shops
            .get_issuer_report(request)
            .await?
            .into_inner()
            .report
            .ok_or_else(|| tonic::Status::internal("the server sent no report"))
    }

    /// Reads a shop's statement of `month` ("YYYY-MM") as `signer`.
    pub async fn statement(
        &mut self,
        signer: &Signer,
        shop: &str,
        month: &str,
    ) -> Result<shops_pb::Statement, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            crate::api::auth::methods::GET_STATEMENT,
            shops_pb::GetStatementRequest {
                shop_id: shop.to_owned(),
                month: month.to_owned(),
            },
        );
        self.shops
            .get_statement(request)
            .await?
            .into_inner()
            .statement
            .ok_or_else(|| tonic::Status::internal("the server sent no statement"))
    }

    /// Activates `terminal` (a new key, not registered yet) for `shop` with `code`: the
    /// transaction is signed by `terminal` itself.
    pub async fn activate_terminal(
        &mut self,
        terminal: &Signer,
        shop: &str,
        code: &[u8],
    ) -> Result<pb::Receipt, tonic::Status> {
        self.submit(terminal, activate_terminal_operation(shop, code, terminal))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_codes_read_back_whatever_the_case_and_dashes() {
        let code = new_activation_code();
        let text = activation_code_text(&code);
        assert_eq!(text.len(), 24 + 5);
        assert_eq!(parse_activation_code(&text).unwrap(), code);
        let sloppy = text.to_lowercase().replace('-', " ");
        assert_eq!(parse_activation_code(&sloppy).unwrap(), code);
        assert!(parse_activation_code("MFRG-GZDF").is_err());
        assert!(parse_activation_code("not a code!").is_err());
    }
}
